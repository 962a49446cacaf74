import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, ZONE, type AuthUpstream } from '../helpers/auth-upstream.js';
import { buildQuery } from '../helpers/dns-message.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { tcpExchange, udpExchange } from '../helpers/raw-dns.js';

// The privacy invariant, proven end to end: traffic from eight IPv4 client addresses (each
// its own network) and from ::1, over UDP, TCP and DNS over HTTPS (with and without a
// token), for allowed and blocked names carrying unique markers, plus the error paths
// (REFUSED outside every network, malformed packets over UDP, TCP and DoH, SERVFAIL while
// the upstream is silent), then a clean shutdown. Every byte the server wrote (database,
// WAL, list cache, anything in its data directory) and everything it logged at trace level
// is searched for those addresses, in text and in binary, and for the names. The same run
// is repeated with two worker processes (NESTGUARD_WORKERS=2).

// each client is the odd address of its own /31 network, so the configured ranges (stored
// and logged as configuration) never spell a client's address
const CLIENTS = [3, 5, 7, 9, 11, 13, 15, 17].map((i) => `127.0.0.${i}`);
const OUTSIDER = '127.0.0.200';
const TOKEN = 'phones-privacy-0123456789';
const K = 3;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

let upstream: AuthUpstream;
let listFile: string;

beforeAll(async () => {
  upstream = await startAuthUpstream();
  const listDir = mkdtempSync(join(tmpdir(), 'nestguard-privacy-lists-'));
  listFile = join(listDir, 'adult.txt');
  writeFileSync(listFile, `||bad.${ZONE}^\n`);
});

afterAll(async () => {
  await upstream?.stop();
});

describe.each([{ mode: 'one process', workers: 0 }, { mode: 'cluster', workers: 2 }])('no personal data on disk or in logs ($mode)', ({ workers }) => {
  let ng: Nestguard;
  let dataFiles: Array<{ path: string; bytes: Buffer }> = [];
  let logs = '';
  let exitCode: number | null = null;
  const marker = randomBytes(6).toString('hex');
  const allowedNames = CLIENTS.map((_, i) => `p${marker}a${i}.${RECORDS.wildcard.suffix}`);
  const rareBlocked = CLIENTS.map((_, i) => `p${marker}b${i}.bad.${ZONE}`);
  const v6Allowed = `p${marker}v6.${RECORDS.wildcard.suffix}`;
  const v6Blocked = `p${marker}v6b.bad.${ZONE}`;
  const dohAllowed = [`p${marker}doh1.${RECORDS.wildcard.suffix}`, `p${marker}doh2.${RECORDS.wildcard.suffix}`];
  const dohBlocked = `p${marker}dohb.bad.${ZONE}`;
  const refusedName = `p${marker}refused.${RECORDS.wildcard.suffix}`;
  const failedName = `p${marker}servfail.${RECORDS.wildcard.suffix}`;
  /** one child's retries: many queries, one network, never k */
  const retried = `p${marker}retry.bad.${ZONE}`;
  /** blocked for K + 1 distinct networks */
  const frequentBlocked = `p${marker}often.bad.${ZONE}`;
  let sent = 0;
  let blocked = 0;

  async function doh(path: string, body: Buffer, method: 'GET' | 'POST' = 'POST'): Promise<number> {
    const url = `http://127.0.0.1:${ng.httpPort}${path}`;
    const res = method === 'POST'
      ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/dns-message' }, body })
      : await fetch(`${url}?dns=${body.toString('base64url')}`);
    await res.arrayBuffer();
    return res.status;
  }

  /** An admin API request from a given client address, as a browser there would send it. */
  function api(source: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request({
        host: '127.0.0.1', port: ng.httpPort, path, method, localAddress: source,
        headers: { ...(data ? { 'content-type': 'application/json' } : {}), 'user-agent': `Browser-${marker}`, 'x-forwarded-for': source, ...headers },
      }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  beforeAll(async () => {
    ng = await startNestguard({
      upstreamPort: upstream.port,
      waitForHttp: true,
      env: { NESTGUARD_WORKERS: String(workers), NESTGUARD_ADMIN_PASSWORD: `owner-${marker}` },
      config: {
        log_level: 'trace',
        stats: { domain_threshold: K, flush_interval_s: 1 },
        blocklists: [{ name: 'adult-test', category: 'adult', source: listFile }],
        policies: [{ name: 'kids', block: ['adult'] }],
        networks: [
          ...CLIENTS.map((ip, i) => ({ name: `net-${i}`, cidrs: [`${ip.replace(/\d+$/, (d) => String(Number(d) - 1))}/31`], policy: 'kids' })),
          { name: 'v6', cidrs: ['::1/128'], policy: 'kids' },
          { name: 'doh-local', cidrs: ['127.0.0.1/32'], policy: 'kids' },
          { name: 'phones', doh_token: TOKEN, policy: 'kids' },
        ],
      },
    });
    const port = ng.dnsPort;
    for (const [i, source] of CLIENTS.entries()) {
      const ok = await query({ port, name: allowedNames[i], source });
      expect(ok.answer[0]?.data).toBe(RECORDS.wildcard.ipv4);
      const tcp = await query({ port, name: allowedNames[i], source, tcp: true, type: 'AAAA' });
      expect(tcp.rcode).toBe('NOERROR');
      const b = await query({ port, name: rareBlocked[i], source });
      expect(b.rcode).toBe('NXDOMAIN');
      sent += 3;
      blocked += 1;
    }
    // IPv6 clients, UDP and TCP
    const v6 = await query({ port, server: '::1', source: '::1', name: v6Allowed });
    expect(v6.answer[0]?.data).toBe(RECORDS.wildcard.ipv4);
    const v6tcp = await query({ port, server: '::1', source: '::1', name: v6Blocked, tcp: true });
    expect(v6tcp.rcode).toBe('NXDOMAIN');
    sent += 2;
    blocked += 1;
    // DNS over HTTPS: a token network, and a plain one identified by its address
    expect(await doh(`/dns-query/${TOKEN}`, buildQuery({ name: dohAllowed[0] }))).toBe(200);
    expect(await doh('/dns-query', buildQuery({ name: dohAllowed[1] }), 'GET')).toBe(200);
    expect(await doh(`/dns-query/${TOKEN}`, buildQuery({ name: dohBlocked }))).toBe(200);
    sent += 3;
    blocked += 1;
    // one child retrying one name: A, AAAA and HTTPS, many times, from one network
    for (let n = 0; n < 4 * K; n++) {
      const r = await query({ port, name: retried, source: CLIENTS[0], type: ['A', 'AAAA', 'HTTPS'][n % 3] });
      expect(r.rcode).toBe('NXDOMAIN');
      sent++;
      blocked++;
    }
    for (let n = 0; n <= K; n++) {
      const r = await query({ port, name: frequentBlocked, source: CLIENTS[n] });
      expect(r.rcode).toBe('NXDOMAIN');
      sent++;
      blocked++;
    }
    // error paths: outside every network, malformed packets, a silent upstream
    const refused = await query({ port, name: refusedName, source: OUTSIDER });
    expect(refused.rcode).toBe('REFUSED');
    const bad = buildQuery({ name: `p${marker}formerr.${RECORDS.wildcard.suffix}` });
    bad.writeUInt16BE(3, 4); // three questions announced, one present
    expect((await udpExchange(port, bad, { bindAddress: CLIENTS[1] }))?.[3]! & 0xf).toBe(1); // FORMERR
    await tcpExchange(port, [bad], { expect: 1 }).catch(() => []);
    expect(await doh(`/dns-query/${TOKEN}`, Buffer.concat([bad.subarray(0, 20), Buffer.from(marker)]))).toBeLessThan(500);
    upstream.pause();
    try {
      const sf = await query({ port, name: failedName, source: CLIENTS[2] }, { timeoutMs: 6000 });
      expect(sf.rcode).toBe('SERVFAIL');
      sent++;
    } finally {
      upstream.resume();
    }
    // the admin API from client addresses: failed and good logins, a refused write, changes,
    // public reports (one accepted), explain and the queue
    for (const source of CLIENTS.slice(0, 3)) {
      expect((await api(source, 'POST', '/api/session', { username: 'admin', password: 'wrong-password' })).status).toBe(401);
    }
    const login = await api(CLIENTS[3], 'POST', '/api/session', { username: 'admin', password: `owner-${marker}` });
    expect(login.status).toBe(200);
    const auth = { cookie: String(login.headers['set-cookie']).split(';')[0], 'x-csrf-token': (JSON.parse(login.body) as { csrfToken: string }).csrfToken };
    expect((await api(CLIENTS[3], 'POST', '/api/networks', { name: 'no-csrf', policy: 'kids' }, { cookie: auth.cookie })).status).toBe(403);
    expect((await api(CLIENTS[3], 'POST', '/api/policies', { name: 'api-policy', deny: ['api-denied.example.org'] }, auth)).status).toBe(201);
    expect((await api(CLIENTS[3], 'POST', '/api/networks', { name: 'api-net', cidrs: ['10.77.0.0/16'], policy: 'api-policy' }, auth)).status).toBe(201);
    for (const [i, source] of CLIENTS.slice(4).entries()) {
      expect((await api(source, 'POST', '/api/reports', { domain: `reported-${i}.example.org`, kind: i % 2 ? 'wrongly-blocked' : 'harmful' })).status).toBe(202);
    }
    const queue = JSON.parse((await api(CLIENTS[3], 'GET', '/api/reports', undefined, auth)).body) as { reports: { id: number }[] };
    const policies = JSON.parse((await api(CLIENTS[3], 'GET', '/api/policies', undefined, auth)).body) as { id: number; name: string }[];
    const apiPolicy = policies.find((p) => p.name === 'api-policy')!.id;
    expect((await api(CLIENTS[3], 'POST', `/api/reports/${queue.reports[0].id}/accept`, { policy: apiPolicy }, auth)).status).toBe(200);
    expect((await api(CLIENTS[3], 'GET', `/api/explain?network=1&name=${allowedNames[0]}`, undefined, auth)).status).toBeLessThan(500);
    expect((await api(CLIENTS[3], 'GET', '/api/audit', undefined, auth)).status).toBe(200);
    expect((await api(CLIENTS[3], 'GET', '/metrics', undefined, auth)).status).toBe(200);
    expect((await api(CLIENTS[3], 'DELETE', '/api/session', undefined, auth)).status).toBe(204);

    exitCode = await ng.stop();
    logs = ng.logs();
    dataFiles = walk(ng.dataDir).map((path) => ({ path, bytes: readFileSync(path) }));
  });

  it('shut down cleanly and wrote its data directory', () => {
    expect(exitCode).toBe(0);
    expect(dataFiles.some((f) => f.path.endsWith('nestguard.db'))).toBe(true);
  });

  it('no client address, IPv4 or IPv6, in text or binary form, in any file or log line', () => {
    for (const ip of [...CLIENTS, OUTSIDER]) {
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
    // ::1 may appear as the configured listen address, never as anyone's source
    const v6 = logs.split(`[::1]:${ng.dnsPort}`).join('').split('::1/128').join('');
    expect(v6.includes('::1'), '::1 in logs').toBe(false);
    for (const f of dataFiles) expect(f.bytes.includes(Buffer.from('::1')) && !f.path.endsWith('.db'), `::1 in ${f.path}`).toBe(false);
  });

  it('no allowed name anywhere, and no name blocked for fewer than k networks', () => {
    for (const f of dataFiles) {
      // the marker is unique to this run: any trace of an allowed or rare name contains it
      const withMarker = f.bytes.toString('latin1').split(`p${marker}`).slice(1).map((s) => s.slice(0, 6));
      expect(withMarker.every((s) => s.startsWith('often')), `names in ${f.path}: ${withMarker.join(',')}`).toBe(true);
    }
    expect(logs.includes(marker)).toBe(false);
  });

  it('the name blocked for k networks is kept only in the daily global table, with its count', () => {
    const db = new Database(join(ng.dataDir, 'nestguard.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT domain, blocked FROM stats_blocked_domains').all() as Array<{ domain: string; blocked: number }>;
      // each worker applies k to the traffic it saw itself, so a cluster may keep less, never more
      if (workers === 0) expect(rows).toEqual([{ domain: frequentBlocked, blocked: K + 1 }]);
      else expect(rows.every((r) => r.domain === frequentBlocked)).toBe(true);
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
      const blockedRows = db.prepare('SELECT SUM(blocked) FROM stats_hourly WHERE network_id != 0').pluck().get() as number;
      expect(total).toBe(sent);
      expect(blockedRows).toBe(blocked);
      const byCategory = db.prepare("SELECT SUM(blocked) FROM stats_category_hourly WHERE category = 'adult'").pluck().get() as number;
      expect(byCategory).toBe(blocked);
      const refused = db.prepare('SELECT SUM(refused) FROM stats_hourly WHERE network_id = 0').pluck().get() as number;
      expect(refused).toBe(1);
    } finally {
      db.close();
    }
  });
});
