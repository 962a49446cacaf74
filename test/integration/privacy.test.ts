import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// The privacy invariant, proven end to end: traffic from eight client addresses for allowed
// and blocked names carrying unique markers, a clean shutdown, then every byte the server
// wrote (database, WAL, list cache, anything in its data directory) and everything it logged
// is searched for those addresses, in text and in binary, and for the names.

const CLIENTS = [2, 3, 4, 5, 6, 7, 8, 9].map((i) => `127.0.0.${i}`);
const K = 10;

let upstream: AuthUpstream;
let ng: Nestguard;
let dataFiles: Array<{ path: string; bytes: Buffer }> = [];
let logs = '';
let exitCode: number | null = null;
const marker = randomBytes(6).toString('hex');
const allowedNames = CLIENTS.map((_, i) => `p${marker}a${i}.${RECORDS.wildcard.suffix}`);
const rareBlocked = CLIENTS.map((_, i) => `p${marker}b${i}.bad.${ZONE}`);
const frequentBlocked = `p${marker}often.bad.${ZONE}`;
let sent = 0;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

beforeAll(async () => {
  upstream = await startAuthUpstream();
  const listDir = mkdtempSync(join(tmpdir(), 'nestguard-privacy-lists-'));
  writeFileSync(join(listDir, 'adult.txt'), `||bad.${ZONE}^\n`);
  ng = await startNestguard({
    upstreamPort: upstream.port,
    config: {
      log_level: 'trace',
      stats: { domain_threshold: K, flush_interval_s: 1 },
      blocklists: [{ name: 'adult-test', category: 'adult', source: join(listDir, 'adult.txt') }],
      policies: [{ name: 'kids', block: ['adult'] }],
      networks: [{ name: 'kids-net', cidrs: ['127.0.0.0/28', '::1/128'], policy: 'kids' }],
    },
  });
  for (const [i, source] of CLIENTS.entries()) {
    const ok = await query({ port: ng.dnsPort, name: allowedNames[i], source });
    expect(ok.answer[0]?.data).toBe(RECORDS.wildcard.ipv4);
    const tcp = await query({ port: ng.dnsPort, name: allowedNames[i], source, tcp: true, type: 'AAAA' });
    expect(tcp.rcode).toBe('NOERROR');
    const blocked = await query({ port: ng.dnsPort, name: rareBlocked[i], source });
    expect(blocked.rcode).toBe('NXDOMAIN');
    sent += 3;
  }
  for (let n = 0; n < K + 2; n++) {
    const r = await query({ port: ng.dnsPort, name: frequentBlocked, source: CLIENTS[n % CLIENTS.length] });
    expect(r.rcode).toBe('NXDOMAIN');
    sent++;
  }
  exitCode = await ng.stop();
  logs = ng.logs();
  dataFiles = walk(ng.dataDir).map((path) => ({ path, bytes: readFileSync(path) }));
});

afterAll(async () => {
  await upstream?.stop();
});

describe('no personal data on disk or in logs', () => {
  it('shut down cleanly and wrote its data directory', () => {
    expect(exitCode).toBe(0);
    expect(dataFiles.some((f) => f.path.endsWith('nestguard.db'))).toBe(true);
  });

  it('no client address, in text or binary form, in any file or log line', () => {
    for (const ip of CLIENTS) {
      const text = Buffer.from(ip);
      const binary = Buffer.from(ip.split('.').map(Number));
      const mapped = Buffer.from(`::ffff:${ip}`);
      for (const f of dataFiles) {
        expect(f.bytes.includes(text), `${ip} in ${f.path}`).toBe(false);
        expect(f.bytes.includes(binary), `${ip} (binary) in ${f.path}`).toBe(false);
        expect(f.bytes.includes(mapped), `${ip} (mapped) in ${f.path}`).toBe(false);
      }
      expect(logs.includes(ip), `${ip} in logs`).toBe(false);
    }
  });

  it('no allowed name anywhere, and no blocked name seen fewer than k times', () => {
    for (const f of dataFiles) {
      // the marker is unique to this run: any trace of an allowed or rare name contains it
      const withMarker = f.bytes.toString('latin1').split(`p${marker}`).slice(1).map((s) => s.slice(0, 6));
      expect(withMarker.every((s) => s.startsWith('often')), `names in ${f.path}: ${withMarker.join(',')}`).toBe(true);
    }
    for (const name of [...allowedNames, ...rareBlocked]) expect(logs.includes(name)).toBe(false);
    expect(logs.includes(marker)).toBe(false);
  });

  it('the frequent blocked name is kept only in the daily global table, with its count', () => {
    const db = new Database(join(ng.dataDir, 'nestguard.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT domain, blocked FROM stats_blocked_domains').all() as Array<{ domain: string; blocked: number }>;
      expect(rows).toEqual([{ domain: frequentBlocked, blocked: K + 2 }]);
      // every table's text columns: the name is nowhere else
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      for (const t of tables.filter((x) => x !== 'stats_blocked_domains')) {
        const dump = JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all());
        expect(dump.includes(marker), `marker in table ${t}`).toBe(false);
      }
    } finally {
      db.close();
    }
  });

  it('the aggregate counters add up to what was sent (SIGTERM lost nothing)', () => {
    const db = new Database(join(ng.dataDir, 'nestguard.db'), { readonly: true });
    try {
      const total = db.prepare('SELECT SUM(total) FROM stats_hourly WHERE network_id != 0').pluck().get() as number;
      const blocked = db.prepare('SELECT SUM(blocked) FROM stats_hourly WHERE network_id != 0').pluck().get() as number;
      expect(total).toBe(sent);
      expect(blocked).toBe(CLIENTS.length + K + 2);
      const byCategory = db.prepare("SELECT SUM(blocked) FROM stats_category_hourly WHERE category = 'adult'").pluck().get() as number;
      expect(byCategory).toBe(blocked);
    } finally {
      db.close();
    }
  });
});
