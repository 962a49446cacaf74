import { request } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_LIMITS } from '../../resolver/src/http/http-server-options.js';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// The HTTP listener's limits and its reading of proxy headers, against the built server: a
// slow body is cut off, oversized headers and bodies are refused, and X-Forwarded-For counts
// only from a configured proxy (otherwise a spoofed header could pick any network's policy,
// and a local proxy would make every DoH client look local).

const PROXY = '127.0.0.2';
const NAME = 'blocked.example';
let up: TableUpstream;
let ng: Nestguard;

beforeAll(async () => {
  up = await startTableUpstream({ [NAME]: [{ type: 'A', address: '192.0.2.9' }] });
  ng = await startNestguard({
    upstreamPort: up.port,
    ipv6: false,
    waitForHttp: true,
    config: {
      http: { trusted_proxies: [`${PROXY}/32`] },
      policies: [{ name: 'open' }, { name: 'strict', deny: [NAME], block_mode: 'nxdomain' }],
      networks: [
        { name: 'lo', cidrs: ['127.0.0.0/8'], policy: 'open' },
        { name: 'away', cidrs: ['10.9.0.0/16'], policy: 'strict' },
      ],
    },
  });
});

afterAll(async () => {
  await ng?.kill();
  await up?.close();
});

interface HttpResult { status: number; body: Buffer }

function doh(o: { from: string; headers?: Record<string, string> }): Promise<HttpResult> {
  const dns = buildQuery({ name: NAME }).toString('base64url');
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ng.httpPort, localAddress: o.from, path: `/dns-query?dns=${dns}`, headers: { accept: 'application/dns-message', ...o.headers } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes in, the status line out (or null when the server closed without answering). */
async function raw(head: string, body: Buffer = Buffer.alloc(0)): Promise<string | null> {
  const s = connect({ host: '127.0.0.1', port: ng.httpPort });
  await once(s, 'connect');
  s.write(head);
  s.write(body);
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  s.on('error', () => {});
  await once(s, 'close');
  const text = Buffer.concat(parts).toString('latin1');
  return text ? text.split('\r\n')[0] : null;
}

describe('HTTP limits', () => {
  it('cuts off a body that arrives too slowly', async () => {
    const s = connect({ host: '127.0.0.1', port: ng.httpPort });
    s.on('error', () => {});
    await once(s, 'connect');
    s.write(`POST /dns-query HTTP/1.1\r\nHost: x\r\nContent-Type: application/dns-message\r\nContent-Length: 100\r\n\r\n`);
    const t0 = performance.now();
    const timer = setInterval(() => { if (!s.destroyed) s.write('a'); }, 500);
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    await once(s, 'close');
    clearInterval(timer);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThan(HTTP_LIMITS.requestTimeoutMs - 1000);
    expect(took).toBeLessThan(HTTP_LIMITS.requestTimeoutMs + 3000);
    expect(Buffer.concat(parts).toString('latin1')).toMatch(/^HTTP\/1\.1 408/);
  }, 20_000);

  it('refuses oversized headers with 431', async () => {
    const line = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(HTTP_LIMITS.maxHeaderSize + 100)}\r\nConnection: close\r\n\r\n`);
    expect(line).toMatch(/ 431 /);
  });

  it('refuses a DoH body over 65,535 bytes with 413', async () => {
    const body = Buffer.alloc(70_000);
    const line = await raw(`POST /dns-query HTTP/1.1\r\nHost: x\r\nContent-Type: application/dns-message\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`, body);
    expect(line).toMatch(/ 413 /);
  });
});

describe('trusted proxies', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const r = await doh({ from: '127.0.0.3', headers: { 'x-forwarded-for': '10.9.0.5' } });
    expect(r.status).toBe(200);
    const m = parseMessage(r.body);
    expect(m.rcode).toBe(0);
    expect(m.answer.length).toBeGreaterThan(0);
  });

  it('takes the client from X-Forwarded-For when the peer is a trusted proxy', async () => {
    const r = await doh({ from: PROXY, headers: { 'x-forwarded-for': '10.9.0.5' } });
    expect(r.status).toBe(200);
    expect(parseMessage(r.body).rcode).toBe(3);
  });

  it('reads RFC 7239 Forwarded from a trusted proxy as it reads X-Forwarded-For', async () => {
    const r = await doh({ from: PROXY, headers: { forwarded: 'for=10.9.0.5;proto=https;by=_edge' } });
    expect(parseMessage(r.body).rcode).toBe(3);
    const outside = await doh({ from: PROXY, headers: { forwarded: 'for="192.0.2.77:4711"' } });
    expect(parseMessage(outside.body).rcode).toBe(5);
  });

  it('ignores Forwarded from a peer that is not a trusted proxy', async () => {
    const r = await doh({ from: '127.0.0.3', headers: { forwarded: 'for=10.9.0.5' } });
    expect(parseMessage(r.body).rcode).toBe(0);
  });

  it('refuses a proxied client outside every network: the proxy does not make it local', async () => {
    const r = await doh({ from: PROXY, headers: { 'x-forwarded-for': '192.0.2.77' } });
    expect(r.status).toBe(200);
    expect(parseMessage(r.body).rcode).toBe(5);
  });
});
