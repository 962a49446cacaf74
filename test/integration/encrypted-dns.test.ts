import { mkdtempSync, readFileSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kdig, query } from '../helpers/dig.js';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { freePort } from '../helpers/ports.js';
import { makeTestCa, type TestCa } from '../helpers/test-ca.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// DoT and DoH over HTTPS against the built server with a certificate from a test CA: kdig as
// the client (as a phone would: CA and host name checked), tokens in the server name and URL
// choosing the network, HTTP/2 by ALPN, and a certificate renewed on disk without a restart.

const SERVER_NAME = 'dns.test';
const KIDS = 'kids0token0001';
const TEENS = 'teens0token002';
// older doh_token values from config files: one in mixed case, one no DNS label can carry
const MIXED = 'Mixed0Case0Token';
const UNDERSCORED = 'legacy_under_token_3';
const NAME = 'game.example';
let dir: string;
let ca: TestCa;
let otherCa: TestCa;
let certFile: string;
let keyFile: string;
let up: TableUpstream;
let ng: Nestguard;
let dotPort: number;
let httpsPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-tls-'));
  removeOnExit(dir);
  ca = makeTestCa(dir, 'ca');
  otherCa = makeTestCa(dir, 'other-ca');
  certFile = join(dir, 'server.pem');
  keyFile = join(dir, 'server.key');
  ca.issue([SERVER_NAME, `*.${SERVER_NAME}`], certFile, keyFile);
  up = await startTableUpstream({ [NAME]: [{ type: 'A', address: '192.0.2.44', ttl: 120 }] });
  dotPort = await freePort();
  httpsPort = await freePort();
  ng = await startNestguard({
    upstreamPort: up.port,
    ipv6: false,
    waitForHttp: true,
    env: {
      NESTGUARD_DOT_LISTEN: `127.0.0.1:${dotPort}`,
      NESTGUARD_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
      NESTGUARD_TLS_CERT: certFile,
      NESTGUARD_TLS_KEY: keyFile,
      NESTGUARD_TLS_SERVER_NAME: SERVER_NAME,
    },
    config: {
      policies: [{ name: 'open' }, { name: 'strict', deny: [NAME], block_mode: 'nxdomain' }],
      networks: [
        { name: 'lo', cidrs: ['127.0.0.0/8'], policy: 'open' },
        { name: 'kids', token: KIDS, policy: 'strict' },
        { name: 'teens', doh_token: TEENS, policy: 'open' },
        { name: 'mixed', doh_token: MIXED, policy: 'strict' },
        { name: 'underscored', doh_token: UNDERSCORED, policy: 'strict' },
      ],
    },
  });
});

afterAll(async () => {
  await ng?.kill();
  await up?.close();
});

const dot = (host: string, name = NAME, caPath = ca.certPath) =>
  kdig(['@127.0.0.1', '-p', dotPort, '+tls', `+tls-ca=${caPath}`, `+tls-hostname=${host}`, name, 'A']);
const doh = (path: string, get: boolean) =>
  kdig(['@127.0.0.1', '-p', httpsPort, `+https=${path}`, ...(get ? ['+https-get'] : []), `+tls-ca=${ca.certPath}`, `+tls-hostname=${SERVER_NAME}`, NAME, 'A']);

function h2Get(path: string): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: Buffer; alpn: string | false | undefined }> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`https://127.0.0.1:${httpsPort}`, { ca: readFileSync(ca.certPath), servername: SERVER_NAME });
    s.on('error', reject);
    const req = s.request({ ':path': path, accept: 'application/dns-message' });
    const parts: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => { headers = h; });
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => { const alpn = s.alpnProtocol; s.close(); resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(parts), alpn }); });
    req.on('error', reject);
    req.end();
  });
}

describe('DNS over TLS', () => {
  it('answers as Do53 does', async () => {
    const plain = await query({ port: ng.dnsPort, name: NAME });
    const r = await dot(SERVER_NAME);
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer.map((a) => a.data)).toEqual(plain.answer.map((a) => a.data));
  });

  it('the token in the server name picks the network: same address, two policies', async () => {
    expect((await dot(`${KIDS}.${SERVER_NAME}`)).rcode).toBe('NXDOMAIN');
    const teens = await dot(`${TEENS}.${SERVER_NAME}`);
    expect(teens.rcode).toBe('NOERROR');
    expect(teens.answer[0]?.data).toBe('192.0.2.44');
  });

  it('an unknown token is refused', async () => {
    expect((await dot(`nosuchtoken1.${SERVER_NAME}`)).rcode).toBe('REFUSED');
  });

  it('a mixed-case legacy doh_token matches in any case (server names are case-insensitive); one that is no label is warned of at start', async () => {
    expect((await dot(`${MIXED}.${SERVER_NAME}`)).rcode).toBe('NXDOMAIN');
    expect((await dot(`${MIXED.toLowerCase()}.${SERVER_NAME}`)).rcode).toBe('NXDOMAIN');
    expect((await dot(`${MIXED.toUpperCase()}.${SERVER_NAME}`)).rcode).toBe('NXDOMAIN');
    // over DoH both still select their network (the path is case-sensitive, as given)
    expect((await doh(`/dns-query/${MIXED}`, true)).rcode).toBe('NXDOMAIN');
    expect((await doh(`/dns-query/${UNDERSCORED}`, true)).rcode).toBe('NXDOMAIN');
    const warning = ng.logs().split('\n').find((l) => l.includes('networks[4].doh_token'));
    expect(warning).toMatch(/is not a DNS label .*no valid host name for DoT clients/);
    expect(ng.logs()).not.toContain(UNDERSCORED); // a token is a credential: never logged
    expect(ng.logs()).not.toMatch(/networks\[3\]\.doh_token/); // the mixed-case one works: no warning
  });

  it('a client that trusts another CA refuses the chain', async () => {
    await expect(dot(SERVER_NAME, NAME, otherCa.certPath)).rejects.toThrow();
  });
});

describe('DNS over HTTPS', () => {
  it('GET and POST answer as Do53 does, per token', async () => {
    for (const get of [true, false]) {
      const open = await doh('/dns-query', get);
      expect(open.rcode).toBe('NOERROR');
      expect(open.answer[0]?.data).toBe('192.0.2.44');
      expect((await doh(`/dns-query/${KIDS}`, get)).rcode).toBe('NXDOMAIN');
      expect((await doh(`/dns-query/${TEENS}`, get)).rcode).toBe('NOERROR');
    }
  });

  it('negotiates HTTP/2; Cache-Control max-age is the smallest TTL', async () => {
    const q = buildQuery({ name: NAME, id: 0 }).toString('base64url');
    const r = await h2Get(`/dns-query?dns=${q}`);
    expect(r.alpn).toBe('h2');
    expect(r.status).toBe(200);
    const m = parseMessage(r.body);
    const ttl = Math.min(...m.answer.map((a) => a.ttl));
    expect(r.headers['cache-control']).toBe(`max-age=${ttl}`);
    expect(ttl).toBeGreaterThan(0);
  });

  it('bad requests get 400 with a reason, unknown tokens 404, wrong types 415', async () => {
    const bad = await h2Get('/dns-query?dns=!!!');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toMatch(/doh:/);
    expect((await h2Get('/dns-query')).status).toBe(400);
    expect((await h2Get(`/dns-query/nosuchtoken1?dns=${buildQuery({ name: NAME }).toString('base64url')}`)).status).toBe(404);
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', port: httpsPort, servername: SERVER_NAME, ca: readFileSync(ca.certPath), method: 'POST', path: '/dns-query', headers: { 'content-type': 'text/plain' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end('hello');
    });
    expect(status).toBe(415);
  });
});

describe('certificate renewal', () => {
  it('a certificate replaced on disk is served to the next handshake, no restart', async () => {
    const serialOf = () => new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: dotPort, servername: SERVER_NAME, ca: readFileSync(ca.certPath) }, () => {
        const serial = s.getPeerCertificate().serialNumber.toUpperCase();
        s.destroy();
        resolve(serial);
      });
      s.on('error', reject);
    });
    const before = await serialOf();
    const { serial } = ca.issue([SERVER_NAME, `*.${SERVER_NAME}`], certFile, keyFile);
    expect(serial).not.toBe(before);
    const deadline = Date.now() + 5000;
    let now = before;
    while (now !== serial && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await serialOf();
    }
    expect(now).toBe(serial);
    expect((await dot(`${TEENS}.${SERVER_NAME}`)).rcode).toBe('NOERROR');
  });
});

describe('start-up', () => {
  it('a missing key file stops the start with an error naming it', async () => {
    const missing = join(dir, 'missing.key');
    await expect(startNestguard({
      upstreamPort: up.port,
      ipv6: false,
      readyTimeoutMs: 8000,
      env: { NESTGUARD_DOT_LISTEN: `127.0.0.1:${await freePort()}`, NESTGUARD_TLS_CERT: certFile, NESTGUARD_TLS_KEY: missing },
    })).rejects.toThrow(missing);
  });

  it('a key that does not fit the certificate stops the start, naming both files', async () => {
    const other = makeTestCa(mkdtempSync(join(dir, 'x-')), 'third');
    await expect(startNestguard({
      upstreamPort: up.port,
      ipv6: false,
      readyTimeoutMs: 8000,
      env: { NESTGUARD_DOT_LISTEN: `127.0.0.1:${await freePort()}`, NESTGUARD_TLS_CERT: certFile, NESTGUARD_TLS_KEY: other.keyPath },
    })).rejects.toThrow(/does not match certificate file/);
  });
});

describe('discovery', () => {
  it('_dns.resolver.arpa SVCB names the DoT and DoH endpoints (RFC 9462)', async () => {
    const r = await query({ port: ng.dnsPort, name: '_dns.resolver.arpa', type: 'SVCB' });
    expect(r.rcode).toBe('NOERROR');
    const data = r.answer.map((a) => a.data).sort();
    expect(r.answer.every((a) => a.typeCode === 64)).toBe(true);
    expect(data).toHaveLength(2);
    expect(data[0]).toBe(`1 ${SERVER_NAME}. alpn=dot port=${dotPort}`);
    expect(data[1]).toMatch(new RegExp(`^2 ${SERVER_NAME.replace('.', '\\.')}\\. alpn=h2,http/1\\.1 port=${httpsPort} (dohpath|key7)="?/dns-query\\{\\?dns\\}"?$`));
  });

  it('the browsers\' canary use-application-dns.net is NXDOMAIN, over every transport', async () => {
    expect((await query({ port: ng.dnsPort, name: 'use-application-dns.net' })).rcode).toBe('NXDOMAIN');
    expect((await dot(`${TEENS}.${SERVER_NAME}`, 'use-application-dns.net')).rcode).toBe('NXDOMAIN');
    expect(up.asked.some((a) => a.startsWith('use-application-dns.net'))).toBe(false);
  });
});

describe('http.https_admin: false', () => {
  it('HTTPS serves DoH but not the API or console; the plain listener still has them', async () => {
    const port = await freePort();
    const isp = await startNestguard({
      upstreamPort: up.port,
      ipv6: false,
      waitForHttp: true,
      env: { NESTGUARD_HTTPS_LISTEN: `127.0.0.1:${port}`, NESTGUARD_TLS_CERT: certFile, NESTGUARD_TLS_KEY: keyFile, NESTGUARD_TLS_SERVER_NAME: SERVER_NAME },
      config: { http: { https_admin: false } },
    });
    try {
      const get = (p: string) => new Promise<number>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port, servername: SERVER_NAME, ca: readFileSync(ca.certPath), path: p }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
        req.on('error', reject);
        req.end();
      });
      expect(await get(`/dns-query?dns=${buildQuery({ name: NAME }).toString('base64url')}`)).toBe(200);
      expect(await get('/api/session')).toBe(404);
      const plain = await fetch(`http://127.0.0.1:${isp.httpPort}/api/session`);
      expect(plain.status).not.toBe(404);
    } finally {
      await isp.kill();
    }
  });
});
