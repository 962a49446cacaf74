import { serviceCatalog } from '../../resolver/src/lists/service-catalog.js';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, type AuthUpstream } from '../helpers/auth-upstream.js';
import { MAIN_JS, REPO_ROOT, startNestguard } from '../helpers/nestguard.js';
import { freePort } from '../helpers/ports.js';
import { removeOnExit, signalGroup, trackChild, untrackChild } from '../helpers/test-cleanup.js';

// What `npm start` shows: on a terminal, readable lines and a short block saying what runs;
// piped (services, containers), JSON lines with the same facts as fields.

let up: AuthUpstream;
beforeAll(async () => { up = await startAuthUpstream(); });
afterAll(async () => { await up?.stop(); });

/** Runs the server under a pseudo-terminal (util-linux `script`) until `until` shows in its output. */
async function onTerminal(env: Record<string, string>, until: RegExp): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'nestguard-tty-'));
  removeOnExit(dataDir);
  const child = spawn('script', ['-qefc', `exec ${process.execPath} ${MAIN_JS}`, '/dev/null'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: tmpdir(),
      TERM: 'xterm',
      NESTGUARD_DATA_DIR: dataDir,
      NESTGUARD_DNS_LISTEN: `127.0.0.1:${await freePort()}`,
      NESTGUARD_HTTP_LISTEN: `127.0.0.1:${await freePort()}`,
      NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${up.port}`,
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  trackChild(child);
  let out = '';
  const closed = new Promise<void>((resolve) => child.once('close', () => { untrackChild(child); resolve(); }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not seen within 20 s: ${until}\n${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) { clearTimeout(timer); resolve(); }
    });
  }).finally(() => signalGroup(child, 'SIGTERM'));
  await closed;
  // eslint-disable-next-line no-control-regex
  return out.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
}

describe('start-up logs', () => {
  it('on a terminal: readable lines and one block saying what runs', async () => {
    const out = await onTerminal({}, /data {7}\S+/);
    expect(out).not.toMatch(/\{"level"/);
    expect(out).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: lists: snapshot live/m);
    expect(out).toMatch(/INFO: Nestguard is serving\n {2}DNS {8}127\.0\.0\.1:\d+ \(UDP and TCP\)\n {2}DoH {8}http:\/\/127\.0\.0\.1:\d+\/dns-query\n {2}console {4}/);
    expect(out).toMatch(/ {2}upstreams {2}udp:\/\/127\.0\.0\.1:\d+\n/);
    expect(out).toMatch(/ {2}lists {6}6 sources, [\d,]+ blocked names and rules\n/);
    expect(out).toMatch(/ {2}networks {3}1\n {13}local \(10\.0\.0\.0\/8, .*\) -> policy default\n/);
    expect(out).toContain('config     embedded defaults');
    expect(out).not.toMatch(/revision/);
  });

  it('NESTGUARD_LOG_FORMAT=json keeps JSON on a terminal', async () => {
    const out = await onTerminal({ NESTGUARD_LOG_FORMAT: 'json' }, /Nestguard is serving/);
    expect(out).toMatch(/^\{"level":30,.*"msg":"Nestguard is serving\\n/m);
  });

  it('piped: JSON lines, the summary as fields a collector can read', async () => {
    const ng = await startNestguard({ upstreamPort: up.port, waitForHttp: true });
    try {
      const summary = () => ng.logRecords().find((r) => String(r.msg).startsWith('Nestguard is serving'));
      for (let i = 0; i < 100 && !summary(); i++) await new Promise((r) => setTimeout(r, 50));
      const rec = summary();
      expect(rec).toMatchObject({
        level: 30,
        dns: [`127.0.0.1:${ng.dnsPort}`, `[::1]:${ng.dnsPort}`],
        http: `127.0.0.1:${ng.httpPort}`,
        upstreams: [`udp://127.0.0.1:${up.port}`],
        lists: { sources: 0, entries: new Set(serviceCatalog().services.flatMap((x) => x.rules)).size },
        policies: 1,
        networks: ['lo'],
        config: ng.configFile,
      });
      expect(ng.stdout()).not.toMatch(/revision/);
    } finally {
      await ng.stop();
    }
  });
});
