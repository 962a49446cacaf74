import { writeFileSync } from 'node:fs';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECORDS, startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { DEFAULT_TEST_CONFIG, startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// SIGHUP takes in the whole configuration file, checked first: policies, networks, upstreams
// and cache limits change live; a bad file is reported and the running configuration serves
// on; what needs a restart is said.

let nsd: AuthUpstream;
let other: TableUpstream;
let ng: Nestguard;

const base = (upstreamPort: number, extra: Record<string, unknown> = {}) => ({
  ...DEFAULT_TEST_CONFIG,
  upstreams: [`udp://127.0.0.1:${upstreamPort}`],
  ...extra,
});

async function hup(expectLog: RegExp): Promise<Record<string, unknown>> {
  const before = ng.logRecords().length;
  process.kill(ng.pid, 'SIGHUP');
  for (let i = 0; i < 200; i++) {
    const rec = ng.logRecords().slice(before).find((r) => expectLog.test(String(r.msg)));
    if (rec) return rec;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no log line ${expectLog} after SIGHUP\n${ng.logs().slice(-3000)}`);
}

beforeAll(async () => {
  nsd = await startAuthUpstream();
  other = await startTableUpstream({ 'moved.example.org': [{ type: 'A', address: '198.51.100.7' }] });
  ng = await startNestguard({ config: toYaml(base(nsd.port)), env: { NESTGUARD_UPSTREAMS: '' } });
});

afterAll(async () => {
  await ng?.stop();
  await other?.close();
  await nsd?.stop();
});

describe('SIGHUP reloads the configuration', () => {
  it('applies policies, upstreams and cache limits live, and names what needs a restart', async () => {
    expect((await query({ port: ng.dnsPort, name: RECORDS.a.name })).answer[0]?.data).toBe(RECORDS.a.ipv4);
    expect((await query({ port: ng.dnsPort, name: 'moved.example.org' })).rcode).not.toBe('NOERROR');
    writeFileSync(ng.configFile, toYaml(base(other.port, {
      policies: [{ name: 'open', deny: [RECORDS.a.name] }],
      cache: { ...DEFAULT_TEST_CONFIG.cache, max_entries: 5000 },
      dns: { udp_payload_max: 1400 },
    })));
    const rec = await hup(/^config: reloaded/);
    expect(rec.msg).toBe('config: reloaded (SIGHUP): policies and networks, upstreams, cache limits, lists re-read');
    // the warning is the line after the one hup() waited for: it may reach the pipe a moment later
    let warn: Record<string, unknown> | undefined;
    for (let i = 0; i < 80 && !warn; i++) {
      warn = ng.logRecords().find((r) => String(r.msg).startsWith('config: changed but only used after a restart'));
      if (!warn) await new Promise((r) => setTimeout(r, 25));
    }
    expect(warn).toMatchObject({ level: 40, needsRestart: ['dns'] });
    expect((await query({ port: ng.dnsPort, name: RECORDS.a.name })).rcode).toBe('NXDOMAIN');
    const moved = await query({ port: ng.dnsPort, name: 'moved.example.org' });
    expect(moved.answer[0]?.data).toBe('198.51.100.7');
    expect(other.asked).toContain('moved.example.org A');
  });

  it('a bad new file is reported whole and the running configuration serves on', async () => {
    writeFileSync(ng.configFile, toYaml(base(nsd.port, { policies: [{ name: 'open', block: ['drugz'], block_mode: 'blackhole' }] })));
    const rec = await hup(/^config: reload \(SIGHUP\) refused/);
    expect(rec.level).toBe(50);
    expect(rec.problems).toEqual([
      'policies[0].block_mode: "blackhole" is not allowed; use one of: nxdomain, null, refused, custom',
      expect.stringMatching(/^policies\[0\]\.block\[0\]: unknown category "drugz" \(did you mean "drugs"\?\)/),
    ]);
    // still the previous file's policy and upstream
    expect((await query({ port: ng.dnsPort, name: RECORDS.a.name })).rcode).toBe('NXDOMAIN');
    expect((await query({ port: ng.dnsPort, name: 'moved.example.org', type: 'AAAA' })).rcode).toBe('NOERROR');
  });

  it('a file the store refuses (a network naming no policy) changes nothing', async () => {
    writeFileSync(ng.configFile, toYaml(base(nsd.port, { networks: [{ name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'nowhere' }] })));
    const rec = await hup(/^config: reload \(SIGHUP\) stopped at policies and networks/);
    expect(String(rec.msg)).toContain('networks[0].policy: unknown policy "nowhere"');
    expect((await query({ port: ng.dnsPort, name: RECORDS.a.name })).rcode).toBe('NXDOMAIN');
    expect((await query({ port: ng.dnsPort, name: 'moved.example.org' })).answer[0]?.data).toBe('198.51.100.7');
  });
});

describe('config_watch: true', () => {
  it('a change of the file reloads it, as SIGHUP does', async () => {
    const watched = await startNestguard({ config: toYaml(base(nsd.port, { config_watch: true })), env: { NESTGUARD_UPSTREAMS: '' }, waitForHttp: true });
    try {
      expect((await query({ port: watched.dnsPort, name: RECORDS.a.name })).rcode).toBe('NOERROR');
      writeFileSync(watched.configFile, toYaml(base(nsd.port, { config_watch: true, policies: [{ name: 'open', deny: [RECORDS.a.name] }] })));
      let rec: Record<string, unknown> | undefined;
      for (let i = 0; i < 200 && !rec; i++) {
        rec = watched.logRecords().find((r) => String(r.msg).startsWith('config: reloaded (config file changed)'));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(rec?.msg).toBe('config: reloaded (config file changed): policies and networks, lists re-read');
      expect((await query({ port: watched.dnsPort, name: RECORDS.a.name })).rcode).toBe('NXDOMAIN');
    } finally {
      await watched.stop();
    }
  });
});
