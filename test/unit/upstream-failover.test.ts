import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UdpBatchAddon } from '../../resolver/src/server/udp-batch-addon.js';
import { UpstreamError } from '../../resolver/src/upstream/upstream-error.js';
import { UpstreamPool } from '../../resolver/src/upstream/upstream-pool.js';
import { parseUpstreamUrl } from '../../resolver/src/upstream/upstream-url.js';
import { buildQuery, closeAll, type Closable, type FakeUpstream, type FakeUpstreamOptions, startTrackedFake } from '../helpers/upstream-fake-server.js';
import { udpPaths } from '../helpers/udp-paths.js';

const TYPE_A = 1;
const open: Closable[] = [];

const fake = (options: FakeUpstreamOptions = {}): Promise<FakeUpstream> => startTrackedFake(open, options);

let udpAddon: UdpBatchAddon | null = null;

function pool(fakes: FakeUpstream[], tryTimeoutMs: number): UpstreamPool {
  const p = new UpstreamPool(fakes.map((f) => parseUpstreamUrl(`udp://127.0.0.1:${f.udpPort}`)), { tryTimeoutMs, udpAddon });
  open.push(p);
  return p;
}

/** The A record's address in a fake upstream's answer: which upstream answered. */
function answeredBy(resp: Buffer): string {
  return [...resp.subarray(resp.length - 23, resp.length - 19)].join('.');
}

const q = (id = 1): Buffer => buildQuery('www.example.org', TYPE_A, id);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

afterEach(() => closeAll(open));

describe.each(udpPaths())('upstream failover, UDP through %s', (_path, addon) => {
  beforeEach(() => {
    udpAddon = addon;
  });

  it('moves on from a silent upstream after the try timeout', async () => {
    const silent = await fake({ behaviour: 'silent' });
    const good = await fake({ address: '192.0.2.2' });
    const p = pool([silent, good], 150);
    const start = performance.now();
    const resp = await p.query(q(), start + 2000);
    const took = performance.now() - start;
    expect(answeredBy(resp)).toBe('192.0.2.2');
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(400);
    expect(silent.udpQueries).toBe(1);
    // once noticed, the silent one no longer stalls answers
    const t2 = performance.now();
    await p.query(q(2), t2 + 2000);
    expect(performance.now() - t2).toBeLessThan(100);
    expect(silent.udpQueries).toBe(1);
    const h = p.health();
    expect(h[0]).toMatchObject({ failures: 1, errors: 1, lastError: 'timeout', queries: 1 });
    expect(h[1]).toMatchObject({ failures: 0, errors: 0, queries: 2, healthy: true });
  });

  it('moves on at once after a network error', async () => {
    const closed = dgram.createSocket('udp4');
    await new Promise<void>((r) => closed.bind(0, '127.0.0.1', r));
    const port = closed.address().port;
    await new Promise<void>((r) => closed.close(() => r()));
    const good = await fake({ address: '192.0.2.3' });
    const p = new UpstreamPool([parseUpstreamUrl(`udp://127.0.0.1:${port}`), parseUpstreamUrl(`udp://127.0.0.1:${good.udpPort}`)], { tryTimeoutMs: 1000, udpAddon });
    open.push(p);
    const start = performance.now();
    const resp = await p.query(q(), start + 3000);
    expect(answeredBy(resp)).toBe('192.0.2.3');
    expect(performance.now() - start).toBeLessThan(500);
    expect(p.health()[0].lastError).toBe('ECONNREFUSED');
  });

  it('prefers the fastest upstream after a few queries', async () => {
    const slow = await fake({ delayMs: 40, address: '192.0.2.10' });
    const fast = await fake({ address: '192.0.2.11' });
    const p = pool([slow, fast], 500);
    for (let i = 0; i < 4; i++) await p.query(q(i), performance.now() + 2000);
    const before = slow.udpQueries;
    for (let i = 0; i < 5; i++) expect(answeredBy(await p.query(q(i), performance.now() + 2000))).toBe('192.0.2.11');
    expect(slow.udpQueries).toBe(before);
    const [hs, hf] = p.health();
    expect(hs.rttMs!).toBeGreaterThan(hf.rttMs!);
  });

  it('sets aside an upstream that keeps failing, then probes it and takes it back', async () => {
    // a closed port: every try fails at once (ECONNREFUSED), which teaches nothing about
    // speed, so the upstream stays first until it is marked down
    const gone = await fake({ address: '192.0.2.20' });
    const port = gone.udpPort;
    await gone.close();
    const good = await fake({ delayMs: 20, address: '192.0.2.21' });
    const p = new UpstreamPool([parseUpstreamUrl(`udp://127.0.0.1:${port}`), parseUpstreamUrl(`udp://127.0.0.1:${good.udpPort}`)], { tryTimeoutMs: 300, udpAddon });
    open.push(p);
    for (let i = 0; i < 3; i++) expect(answeredBy(await p.query(q(i), performance.now() + 2000))).toBe('192.0.2.21');
    expect(p.health()[0]).toMatchObject({ healthy: false, failures: 3, lastError: 'ECONNREFUSED', queries: 3 });
    await p.query(q(), performance.now() + 2000);
    expect(p.health()[0].queries).toBe(3); // skipped while backing off

    const back = await fake({ address: '192.0.2.20', port });
    await sleep(1100); // the first backoff is 1 s
    const start = performance.now();
    expect(answeredBy(await p.query(q(), start + 2000))).toBe('192.0.2.21');
    await sleep(50);
    expect(back.udpQueries).toBe(1); // re-probed in the background with that query
    expect(p.health()[0]).toMatchObject({ healthy: true, failures: 0 });
    expect(answeredBy(await p.query(q(), performance.now() + 2000))).toBe('192.0.2.20');
  });

  it('still tries a set-aside upstream as a last resort', async () => {
    const a = await fake({ behaviour: 'silent', address: '192.0.2.30' });
    const p = pool([a], 100);
    for (let i = 0; i < 3; i++) await expect(p.query(q(i), performance.now() + 2000)).rejects.toThrow(UpstreamError);
    expect(p.health()[0].healthy).toBe(false);
    a.behaviour = 'answer';
    expect(answeredBy(await p.query(q(), performance.now() + 2000))).toBe('192.0.2.30');
    expect(p.health()[0].healthy).toBe(true);
  });

  it('demotes an upstream that answers SERVFAIL fast, without marking it down', async () => {
    const failing = await fake({ behaviour: 'servfail', address: '192.0.2.40' });
    const good = await fake({ delayMs: 20, address: '192.0.2.41' });
    const p = pool([failing, good], 300);
    for (let i = 0; i < 5; i++) expect(answeredBy(await p.query(q(i), performance.now() + 2000))).toBe('192.0.2.41');
    // asked once; from then on the one that answers goes first
    expect(failing.udpQueries).toBe(1);
    expect(p.health()[0]).toMatchObject({ healthy: true, failures: 0, lastError: 'SERVFAIL' });
  });

  it('does not mark an upstream down for REFUSED answers to some names', async () => {
    const picky = await fake({ behaviour: 'refused', address: '192.0.2.50' });
    const other = await fake({ delayMs: 20, address: '192.0.2.51' });
    const p = pool([picky, other], 300);
    for (let i = 0; i < 5; i++) await p.query(buildQuery(`fuzz${i}.example.org`, TYPE_A, i), performance.now() + 2000);
    expect(p.health()[0]).toMatchObject({ healthy: true, failures: 0, lastError: 'REFUSED' });
    picky.behaviour = 'answer';
    // it sank in the order but is still in use: the next failure of the other one reaches it
    other.behaviour = 'servfail';
    expect(answeredBy(await p.query(q(), performance.now() + 2000))).toBe('192.0.2.50');
  });

  it('does not hold a try that the caller\'s deadline cut short against the upstream', async () => {
    const slow = await fake({ behaviour: 'silent' });
    const p = pool([slow], 500);
    for (let i = 0; i < 4; i++) await expect(p.query(q(i), performance.now() + 80)).rejects.toThrow(UpstreamError);
    expect(p.health()[0]).toMatchObject({ healthy: true, failures: 0, queries: 4 });
    // a full try that times out still counts
    await expect(p.query(q(), performance.now() + 2000)).rejects.toThrow(UpstreamError);
    expect(p.health()[0].failures).toBe(1);
  });

  it('honours the deadline when every upstream is silent', async () => {
    const s1 = await fake({ behaviour: 'silent' });
    const s2 = await fake({ behaviour: 'silent' });
    const p = pool([s1, s2], 100);
    const start = performance.now();
    const err = await p.query(q(), start + 150).catch((e: unknown) => e);
    const took = performance.now() - start;
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/^upstream: /);
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(250);
    expect(s1.udpQueries + s2.udpQueries).toBe(2);

    const t2 = performance.now();
    await expect(p.query(q(), t2 + 60)).rejects.toThrow(UpstreamError);
    expect(performance.now() - t2).toBeLessThan(100);
  });
});
