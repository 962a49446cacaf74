import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dns2 from 'dns2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery } from '../helpers/dns-message.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// Filtering end to end: safe search answered as a CNAME to the enforced host plus its
// addresses, CNAME cloaking caught in the upstream's answer, and DNS over HTTPS identifying a
// network by its token, all through the real server with real clients.

const { Packet } = dns2;
const TOKEN = 'phones-token-123456';
let upstream: TableUpstream;
let ng: Nestguard;

beforeAll(async () => {
  upstream = await startTableUpstream({
    'www.youtube.com': [{ type: 'A', address: '142.250.0.1' }],
    'restrict.youtube.com': [{ type: 'A', address: '216.239.38.120' }, { type: 'AAAA', address: '2001:4860:4802:32::78' }],
    'forcesafesearch.google.com': [{ type: 'A', address: '216.239.38.120' }],
    'www.google.com.vn': [{ type: 'A', address: '142.250.0.2' }],
    'shop.example.org': [{ type: 'CNAME', target: 'shop.tracker.example.net' }],
    'shop.tracker.example.net': [{ type: 'A', address: '192.0.2.80' }],
    'clean.example.org': [{ type: 'A', address: '192.0.2.81' }],
  });
  const listDir = mkdtempSync(join(tmpdir(), 'nestguard-filter-lists-'));
  writeFileSync(join(listDir, 'ads.txt'), '! trackers\n||tracker.example.net^\n');
  ng = await startNestguard({
    env: { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${upstream.port}` },
    waitForHttp: true,
    config: {
      // below the table's 300 s TTLs: safe-search answers must be clamped like any other
      cache: { stale_window_s: 3600, prefetch: true, max_ttl: 200 },
      blocklists: [{ name: 'trackers', category: 'ads', source: join(listDir, 'ads.txt'), format: 'adblock' }],
      policies: [
        { name: 'open' },
        { name: 'kids', block: ['ads'], safe_search: { google: true, youtube: 'strict' } },
      ],
      networks: [
        { name: 'lo', cidrs: ['127.0.0.1/32', '::1/128'], policy: 'open' },
        { name: 'classroom', cidrs: ['127.0.0.5/32'], policy: 'kids' },
        { name: 'phones', doh_token: TOKEN, policy: 'kids' },
      ],
    },
  });
});

afterAll(async () => {
  await ng?.stop();
  await upstream?.close();
});

async function doh(path: string, name: string, type = 1, method: 'GET' | 'POST' = 'POST') {
  const msg = buildQuery({ name, type });
  const url = `http://127.0.0.1:${ng.httpPort}${path}`;
  const res = method === 'POST'
    ? await fetch(url, { method: 'POST', headers: { 'content-type': 'application/dns-message' }, body: msg })
    : await fetch(`${url}?dns=${msg.toString('base64url')}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), packet: res.status === 200 ? Packet.parse(body) : null, body };
}

describe('safe search', () => {
  it('YouTube strict: CNAME to restrict.youtube.com followed by its address', async () => {
    const r = await query({ port: ng.dnsPort, name: 'www.youtube.com', source: '127.0.0.5' });
    expect(r.rcode).toBe('NOERROR');
    expect(r.answer[0]).toMatchObject({ name: 'www.youtube.com', type: 'CNAME', data: 'restrict.youtube.com.' });
    expect(r.answer[1]).toMatchObject({ name: 'restrict.youtube.com', type: 'A', data: '216.239.38.120' });
    const v6 = await query({ port: ng.dnsPort, name: 'www.youtube.com', type: 'AAAA', source: '127.0.0.5', tcp: true });
    expect(v6.answer.map((a) => a.data)).toEqual(['restrict.youtube.com.', '2001:4860:4802:32::78']);
  });

  it('Google on a country domain (google.com.vn) is enforced too', async () => {
    const r = await query({ port: ng.dnsPort, name: 'www.google.com.vn', source: '127.0.0.5' });
    expect(r.answer[0]?.data).toBe('forcesafesearch.google.com.');
    expect(r.answer[1]?.data).toBe('216.239.38.120');
  });

  it('serves the enforced host\'s records with TTLs clamped to max_ttl and aged like cache hits', async () => {
    const first = await query({ port: ng.dnsPort, name: 'google.com.vn', source: '127.0.0.5' });
    expect(first.answer.map((a) => a.type)).toEqual(['CNAME', 'A']);
    for (const a of first.answer) expect(a.ttl).toBeLessThanOrEqual(200);
    await new Promise((r) => setTimeout(r, 2100));
    const later = await query({ port: ng.dnsPort, name: 'google.com.vn', source: '127.0.0.5' });
    expect(later.answer[1].ttl).toBeLessThanOrEqual(first.answer[1].ttl - 2);
    expect(later.answer[0].ttl).toBeLessThanOrEqual(later.answer[1].ttl);
  });

  it('a network without safe search gets the real answer', async () => {
    const r = await query({ port: ng.dnsPort, name: 'www.youtube.com' });
    expect(r.answer).toHaveLength(1);
    expect(r.answer[0]?.data).toBe('142.250.0.1');
  });
});

describe('CNAME cloaking', () => {
  it('an allowed name whose CNAME target is listed is blocked', async () => {
    const r = await query({ port: ng.dnsPort, name: 'shop.example.org', source: '127.0.0.5' });
    expect(r.rcode).toBe('NXDOMAIN');
    // and again from the cache
    const again = await query({ port: ng.dnsPort, name: 'shop.example.org', source: '127.0.0.5' });
    expect(again.rcode).toBe('NXDOMAIN');
    // the open network sees the chain
    const open = await query({ port: ng.dnsPort, name: 'shop.example.org' });
    expect(open.answer.map((a) => a.type)).toEqual(['CNAME', 'A']);
  });
});

describe('DNS over HTTPS', () => {
  it('POST with a token applies that network\'s policy', async () => {
    const r = await doh(`/dns-query/${TOKEN}`, 'www.youtube.com');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/dns-message');
    expect(r.packet!.answers[0]).toMatchObject({ type: Packet.TYPE.CNAME, domain: 'restrict.youtube.com' });
  });

  it('GET ?dns= with a token blocks a cloaked tracker', async () => {
    const r = await doh(`/dns-query/${TOKEN}`, 'shop.example.org', 1, 'GET');
    expect(r.status).toBe(200);
    expect(r.packet!.header.rcode).toBe(3);
  });

  it('without a token the source address decides; an unknown token is 404', async () => {
    const r = await doh('/dns-query', 'www.youtube.com');
    expect(r.packet!.answers[0]).toMatchObject({ type: Packet.TYPE.A, address: '142.250.0.1' });
    expect((await doh('/dns-query/not-a-known-token', 'clean.example.org')).status).toBe(404);
  });

  it('bad requests get a 4xx with a message', async () => {
    const res = await fetch(`http://127.0.0.1:${ng.httpPort}/dns-query?dns=%%%`);
    expect(res.status).toBe(400);
    const wrongType = await fetch(`http://127.0.0.1:${ng.httpPort}/dns-query`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(wrongType.status).toBe(415);
    expect(await wrongType.text()).toMatch(/content-type/);
  });
});
