import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// CNAME cloaking against an admin's allow rule: the allow rule wins (as documented), and
// when a CNAME chain is blocked, the statistics keep the listed target, never the name
// the client asked for. Fresh answers, cached answers and stale ones take different paths
// through the query handler; each is asked here.

let upstream: TableUpstream;
let ng: Nestguard;
let stopped = false;

beforeAll(async () => {
  upstream = await startTableUpstream({
    'shop.example.org': [{ type: 'CNAME', target: 'shop.tracker.example.net', ttl: 2 }],
    'other.example.org': [{ type: 'CNAME', target: 'cdn.tracker.example.net' }],
    'shop.tracker.example.net': [{ type: 'A', address: '192.0.2.80', ttl: 2 }],
    'cdn.tracker.example.net': [{ type: 'A', address: '192.0.2.82' }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'nestguard-cname-allow-'));
  writeFileSync(join(dir, 'ads.txt'), '||tracker.example.net^\n');
  ng = await startNestguard({
    env: { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${upstream.port}` },
    config: {
      // k = 1: every blocked name that would ever be recorded is recorded, so a wrong one shows
      stats: { domain_threshold: 1, flush_interval_s: 1 },
      blocklists: [{ name: 'trackers', category: 'ads', source: join(dir, 'ads.txt'), format: 'adblock' }],
      policies: [{ name: 'kids', block: ['ads'], allow: ['shop.example.org'] }],
      networks: [{ name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'kids' }],
    },
  });
});

afterAll(async () => {
  if (!stopped) await ng?.stop();
  await upstream?.close();
});

describe('allow rule versus CNAME cloaking', () => {
  it('an allowed name is answered with its chain: fresh, from the cache and after expiry', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await query({ port: ng.dnsPort, name: 'shop.example.org' });
      expect(r.rcode).toBe('NOERROR');
      expect(r.answer.map((a) => a.data)).toEqual(['shop.tracker.example.net.', '192.0.2.80']);
    }
    await new Promise((r) => setTimeout(r, 2200)); // TTL 2 s: the next answer is fetched again
    const again = await query({ port: ng.dnsPort, name: 'shop.example.org', tcp: true });
    expect(again.answer.map((a) => a.data)).toEqual(['shop.tracker.example.net.', '192.0.2.80']);
  });

  it('a name that is not allowed is still blocked by its listed CNAME target', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await query({ port: ng.dnsPort, name: 'other.example.org' });
      expect(r.rcode).toBe('NXDOMAIN');
      expect(r.ede[0]?.text).toBe('category: ads');
    }
  });

  it('only the listed target is recorded, never the names the client asked for', async () => {
    stopped = true;
    expect(await ng.stop()).toBe(0);
    const db = new Database(join(ng.dataDir, 'nestguard.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT domain, blocked FROM stats_blocked_domains ORDER BY domain').all();
      expect(rows).toEqual([{ domain: 'cdn.tracker.example.net', blocked: 2 }]);
    } finally {
      db.close();
    }
  });
});
