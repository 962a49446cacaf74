import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// Several loopback source addresses stand for different networks: 127.0.0.2 a school,
// 127.0.0.3 a home, 127.0.0.4 nobody's. One real server, real kdig queries, a real list file
// and a policy edited live in the SQLite file by another connection.

let upstream: AuthUpstream;
let ng: Nestguard;
let listDir: string;

beforeAll(async () => {
  upstream = await startAuthUpstream({
    extraRecords: ['games.casino IN A 192.0.2.66', 'www.games IN A 192.0.2.67', 'later IN A 192.0.2.68'],
  });
  listDir = mkdtempSync(join(tmpdir(), 'nestguard-policy-lists-'));
  writeFileSync(join(listDir, 'gambling.txt'), `# test gambling list\n0.0.0.0 casino.${ZONE}\n`);
  writeFileSync(join(listDir, 'games.txt'), `||games.${ZONE}^\n`);
  ng = await startNestguard({
    upstreamPort: upstream.port,
    config: {
      blocklists: [
        { name: 'gambling', category: 'gambling', source: join(listDir, 'gambling.txt') },
        { name: 'games', category: 'games', source: join(listDir, 'games.txt') },
      ],
      policies: [
        { name: 'school', block: ['gambling', 'games'], deny: [`txt.${ZONE}`], block_mode: 'nxdomain', block_ttl: 120 },
        { name: 'home', block: ['gambling'], block_mode: 'null', allow: [`casino.${ZONE}`] },
      ],
      networks: [
        { name: 'school-a', kind: 'school', cidrs: ['127.0.0.2/32', '127.0.0.1/32', '::1/128'], policy: 'school' },
        { name: 'home-b', kind: 'home', cidrs: ['127.0.0.3/32'], policy: 'home' },
        // an ISP plan whose range contains both: the longer prefixes win for .2 and .3
        { name: 'isp', kind: 'isp', cidrs: ['127.0.0.0/30'], policy: 'home' },
      ],
    },
  });
});

afterAll(async () => {
  await ng?.stop();
  await upstream?.stop();
});

describe('per-network policies over real DNS', () => {
  it('a school client gets NXDOMAIN with SOA and an EDE for a listed category', async () => {
    const r = await query({ port: ng.dnsPort, name: `games.casino.${ZONE}`, source: '127.0.0.2' });
    expect(r.rcode).toBe('NXDOMAIN');
    expect(r.authority[0]?.type).toBe('SOA');
    expect(r.authority[0]?.ttl).toBe(120);
    expect(r.ede.map((e) => e.code)).toContain(17);
  });

  it('the same name from the home network: allowed by its allow rule', async () => {
    const r = await query({ port: ng.dnsPort, name: `games.casino.${ZONE}`, source: '127.0.0.3' });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer[0]?.data).toBe('192.0.2.66');
  });

  it('games are blocked for the school but not at home; home blocks in null mode', async () => {
    const school = await query({ port: ng.dnsPort, name: `www.games.${ZONE}`, source: '127.0.0.2' });
    expect(school.rcode).toBe('NXDOMAIN');
    const home = await query({ port: ng.dnsPort, name: `www.games.${ZONE}`, source: '127.0.0.3' });
    expect(home.answer[0]?.data).toBe('192.0.2.67');
  });

  it('the policy deny rule blocks at school only', async () => {
    const school = await query({ port: ng.dnsPort, name: `txt.${ZONE}`, type: 'TXT', source: '127.0.0.2' });
    expect(school.rcode).toBe('NXDOMAIN');
    const home = await query({ port: ng.dnsPort, name: `txt.${ZONE}`, type: 'TXT', source: '127.0.0.3' });
    expect(home.rcode).toBe('NOERROR');
  });

  it('a /32 inside the ISP /30 belongs to the school: longest prefix wins', async () => {
    const r = await query({ port: ng.dnsPort, name: `games.casino.${ZONE}`, source: '127.0.0.1' });
    expect(r.rcode).toBe('NXDOMAIN');
  });

  it('a client in no network is REFUSED', async () => {
    const r = await query({ port: ng.dnsPort, name: RECORDS.a.name, source: '127.0.0.4' });
    expect(r.rcode).toBe('REFUSED');
    expect(r.answer).toHaveLength(0);
  });

  it('a policy change written by another process applies within a second, no restart', async () => {
    const name = `later.${ZONE}`;
    const before = await query({ port: ng.dnsPort, name, source: '127.0.0.3' });
    expect(before.answer[0]?.data).toBe('192.0.2.68');
    const db = new Database(join(ng.dataDir, 'nestguard.db'));
    const policyId = db.prepare('SELECT id FROM policies WHERE name = ?').pluck().get('home') as number;
    db.prepare("INSERT INTO policy_rules (policy_id, action, rule) VALUES (?, 'deny', ?)").run(policyId, name);
    db.close();
    const t0 = Date.now();
    let blockedAfter = -1;
    while (Date.now() - t0 < 3000) {
      const r = await query({ port: ng.dnsPort, name, source: '127.0.0.3' });
      // home blocks in null mode: 0.0.0.0
      if (r.answer[0]?.data === '0.0.0.0') { blockedAfter = Date.now() - t0; break; }
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(blockedAfter).toBeGreaterThanOrEqual(0);
    expect(blockedAfter).toBeLessThan(1000);
    // the school's policy did not change
    const school = await query({ port: ng.dnsPort, name, source: '127.0.0.2' });
    expect(school.answer[0]?.data).toBe('192.0.2.68');
  });
});
