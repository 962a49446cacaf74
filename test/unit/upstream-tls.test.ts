import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../resolver/src/upstream/upstream-error.js';
import { UpstreamPool } from '../../resolver/src/upstream/upstream-pool.js';
import { parseUpstreamUrl } from '../../resolver/src/upstream/upstream-url.js';
import { makeTestCert, type TestCert } from '../helpers/upstream-certs.js';
import { buildQuery, closeAll, type Closable, type FakeUpstream, startFakeDoh, startFakeDot, startTrackedFake } from '../helpers/upstream-fake-server.js';

const TYPE_A = 1;
let dir: string;
let cert: TestCert;
const open: Closable[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-upstream-'));
  cert = makeTestCert(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => closeAll(open));

const fake = (): Promise<FakeUpstream> => startTrackedFake(open, { delayMs: 30 });

/** `tlsCaFile` null: trust Node's roots only. */
function pool(url: string, tlsCaFile: string | null = cert.certPath): UpstreamPool {
  const p = new UpstreamPool([parseUpstreamUrl(url)], { tryTimeoutMs: 1000, tlsCaFile: tlsCaFile ?? undefined });
  open.push(p);
  return p;
}

const soon = (): number => performance.now() + 3000;

describe('DNS over TLS', () => {
  it('answers over a verified, pipelined connection', async () => {
    const f = await fake();
    const dot = await startFakeDot(f, cert.key, cert.cert);
    open.push(dot);
    const p = pool(`tls://127.0.0.1:${dot.port}#dot.test`);
    const names = ['a.example.org', 'b.example.org', 'c.example.org'];
    const answers = await Promise.all(names.map((n, i) => p.query(buildQuery(n, TYPE_A, 0x700 + i), soon())));
    answers.forEach((resp, i) => expect(resp.readUInt16BE(0)).toBe(0x700 + i));
    expect(answers.some((a) => a.subarray(2).equals(f.lastAnswer!.subarray(2)))).toBe(true);
    expect(f.tcpConnections).toBe(1);
  });

  it('rejects a certificate that does not match the server name', async () => {
    const f = await fake();
    const dot = await startFakeDot(f, cert.key, cert.cert);
    open.push(dot);
    const p = pool(`tls://127.0.0.1:${dot.port}#other.test`);
    await expect(p.query(buildQuery('example.org', TYPE_A, 1), soon())).rejects.toThrow(UpstreamError);
    expect(f.tcpQueries).toBe(0);
    expect(p.health()[0].lastError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('rejects a certificate from a CA that is not trusted', async () => {
    const f = await fake();
    const dot = await startFakeDot(f, cert.key, cert.cert);
    open.push(dot);
    const p = pool(`tls://127.0.0.1:${dot.port}#dot.test`, null);
    await expect(p.query(buildQuery('example.org', TYPE_A, 1), soon())).rejects.toThrow(UpstreamError);
    expect(f.tcpQueries).toBe(0);
    expect(p.health()[0].lastError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('fails with a clear error when the CA file is missing', () => {
    expect(() => pool('tls://127.0.0.1:853#dot.test', join(dir, 'missing.pem'))).toThrow(/^upstream: cannot read tls_ca_file/);
  });
});

describe('DNS over HTTPS', () => {
  it('POSTs with DNS ID 0 and gives back the answer under the query ID', async () => {
    const f = await fake();
    const doh = await startFakeDoh(f, cert.key, cert.cert);
    open.push(doh);
    const p = pool(`https://127.0.0.1:${doh.port}/dns-query`);
    const first = await p.query(buildQuery('www.example.org', TYPE_A, 0xabcd), soon());
    expect(first.readUInt16BE(0)).toBe(0xabcd);
    expect(first.subarray(2).equals(f.lastAnswer!.subarray(2))).toBe(true);
    const more = await Promise.all([1, 2, 3].map((id) => p.query(buildQuery(`${id}.example.org`, TYPE_A, id), soon())));
    more.forEach((resp, i) => expect(resp.readUInt16BE(0)).toBe(i + 1));
    expect(doh.wireIds).toEqual([0, 0, 0, 0]);
    // kept alive: a later query reuses a connection instead of a new handshake
    const opened = doh.connections();
    await p.query(buildQuery('again.example.org', TYPE_A, 9), soon());
    expect(doh.connections()).toBe(opened);
  });

  it('rejects a certificate that does not match the URL host', async () => {
    const f = await fake();
    const nameOnly = makeTestCert(dir, true);
    const doh = await startFakeDoh(f, nameOnly.key, nameOnly.cert);
    open.push(doh);
    const p = pool(`https://127.0.0.1:${doh.port}/dns-query`, nameOnly.certPath);
    await expect(p.query(buildQuery('example.org', TYPE_A, 1), soon())).rejects.toThrow(UpstreamError);
    expect(doh.wireIds).toEqual([]);
    expect(p.health()[0].lastError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
