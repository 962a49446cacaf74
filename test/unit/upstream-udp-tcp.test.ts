import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UdpBatchAddon } from '../../resolver/src/server/udp-batch-addon.js';
import { TcpTransport } from '../../resolver/src/upstream/tcp-transport.js';
import { TransportError } from '../../resolver/src/upstream/transport.js';
import { UdpTransport } from '../../resolver/src/upstream/udp-transport.js';
import { questionEnd } from '../../resolver/src/upstream/response-match.js';
import { UpstreamError } from '../../resolver/src/upstream/upstream-error.js';
import { UpstreamPool } from '../../resolver/src/upstream/upstream-pool.js';
import { parseUpstreamUrl } from '../../resolver/src/upstream/upstream-url.js';
import { buildQuery, closeAll, type Closable, type FakeUpstream, type FakeUpstreamOptions, startTrackedFake } from '../helpers/upstream-fake-server.js';
import { udpPaths } from '../helpers/udp-paths.js';

const TYPE_A = 1;
const open: Closable[] = [];

const fake = (options: FakeUpstreamOptions = {}): Promise<FakeUpstream> => startTrackedFake(open, options);

let udpAddon: UdpBatchAddon | null = null;

function pool(urls: string[], tryTimeoutMs = 300): UpstreamPool {
  const p = new UpstreamPool(urls.map(parseUpstreamUrl), { tryTimeoutMs, udpAddon });
  open.push(p);
  return p;
}

const soon = (ms = 2000): number => performance.now() + ms;

afterEach(() => closeAll(open));

describe.each(udpPaths())('upstream over UDP through %s', (_path, addon) => {
  beforeEach(() => {
    udpAddon = addon;
  });
  afterEach(() => {
    udpAddon = null;
  });

  it('relays the answer byte for byte, with the query ID restored', async () => {
    const f = await fake();
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    const resp = await p.query(buildQuery('www.Example.org', TYPE_A, 0xbeef), soon());
    expect(resp.readUInt16BE(0)).toBe(0xbeef);
    expect(f.lastAnswer).not.toBeNull();
    expect(f.lastAnswer!.readUInt16BE(0)).not.toBe(0xbeef); // a wire ID of the transport's own
    expect(resp.subarray(2).equals(f.lastAnswer!.subarray(2))).toBe(true);
  });

  it('uses unpredictable wire IDs', async () => {
    const f = await fake();
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      await p.query(buildQuery('example.org', TYPE_A, 7), soon());
      ids.add(f.lastAnswer!.readUInt16BE(0));
    }
    expect(ids.size).toBeGreaterThan(15);
  });

  it('retries a truncated answer over TCP at once', async () => {
    const f = await fake({ behaviour: 'truncate' });
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    const resp = await p.query(buildQuery('big.example.org', TYPE_A, 0x1234), soon());
    expect(f.udpQueries).toBe(1);
    expect(f.tcpQueries).toBe(1);
    expect(resp[2] & 0x02).toBe(0);
    expect(resp.readUInt16BE(0)).toBe(0x1234);
    expect(resp.subarray(2).equals(f.lastAnswer!.subarray(2))).toBe(true);
  });

  it('drops answers with a wrong ID or a wrong question and keeps waiting for the right one', async () => {
    for (const behaviour of ['wrong-id-first', 'wrong-question-first'] as const) {
      const f = await fake({ behaviour });
      const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
      const resp = await p.query(buildQuery('spoof.example.org', TYPE_A, 0x4242), soon());
      expect(resp.subarray(2).equals(f.lastAnswer!.subarray(2))).toBe(true);
      expect(p.health()[0].errors).toBe(0);
    }
  });

  it('matches the question case-insensitively', async () => {
    const f = await fake();
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    const q = buildQuery('MiXeD.example.org', TYPE_A, 1);
    const resp = await p.query(q, soon());
    expect(resp.subarray(12, questionEnd(q)).equals(q.subarray(12, questionEnd(q)))).toBe(true);
  });

  it('tries the next upstream on SERVFAIL or REFUSED, and rejects when all give one', async () => {
    const bad = await fake({ behaviour: 'servfail' });
    const refused = await fake({ behaviour: 'refused' });
    const good = await fake({ address: '192.0.2.77' });
    const p = pool([bad, refused, good].map((f) => `udp://127.0.0.1:${f.udpPort}`));
    const resp = await p.query(buildQuery('example.org', TYPE_A, 9), soon());
    expect([...resp.subarray(resp.length - 23, resp.length - 19)]).toEqual([192, 0, 2, 77]);
    expect(bad.udpQueries).toBe(1);
    expect(refused.udpQueries).toBe(1);

    const p2 = pool([bad, refused].map((f) => `udp://127.0.0.1:${f.udpPort}`));
    await expect(p2.query(buildQuery('example.org', TYPE_A, 9), soon())).rejects.toThrow(/^upstream: /);
  });

  it('times each query out at its own deadline, with one timer for all of them', async () => {
    const f = await fake({ behaviour: 'silent' });
    const t = new UdpTransport(parseUpstreamUrl(`udp://127.0.0.1:${f.udpPort}`), { addon });
    open.push({ close: async () => t.close() });
    const t0 = performance.now();
    const outcome = (name: string, ms: number) => t.exchange(buildQuery(name, TYPE_A), questionEnd(buildQuery(name, TYPE_A)), ms)
      .then(() => 'answered', (err: unknown) => ({ at: performance.now() - t0, timedOut: err instanceof TransportError && err.timedOut }));
    // the later deadline first, so the earlier one has to re-arm the shared timer
    const slow = outcome('slow.example.org', 400);
    const fast = outcome('fast.example.org', 100);
    const mid = outcome('mid.example.org', 250);
    const [s, fa, m] = await Promise.all([slow, fast, mid]) as { at: number; timedOut: boolean }[];
    for (const o of [s, fa, m]) expect(o.timedOut).toBe(true);
    expect(fa.at).toBeGreaterThanOrEqual(95);
    expect(fa.at).toBeLessThan(200);
    expect(m.at).toBeGreaterThanOrEqual(245);
    expect(m.at).toBeLessThan(350);
    expect(s.at).toBeGreaterThanOrEqual(395);
  });

  it('answers concurrent queries of the same length each with its own answer (send buffers are reused)', async () => {
    const f = await fake();
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    const names = Array.from({ length: 200 }, (_, i) => `n${String(i).padStart(3, '0')}.example.org`);
    const answers = await Promise.all(names.map((n, i) => p.query(buildQuery(n, TYPE_A, i), soon())));
    answers.forEach((resp, i) => {
      expect(resp.readUInt16BE(0)).toBe(i);
      expect(resp.subarray(12, 12 + names[i].length + 2).equals(buildQuery(names[i], TYPE_A).subarray(12, 12 + names[i].length + 2))).toBe(true);
    });
  });

  it('relays an answer larger than 4096 bytes whole, over TCP when it did not fit the batched receive slot', async () => {
    const f = await fake({ behaviour: 'oversized' });
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    const resp = await p.query(buildQuery('big.example.org', TYPE_A, 0x5151), soon());
    expect(resp.length).toBeGreaterThan(6000);
    expect(resp.readUInt16BE(0)).toBe(0x5151);
    expect(resp.subarray(2).equals(f.lastAnswer!.subarray(2))).toBe(true);
    expect(f.udpQueries).toBe(1);
    // dgram takes any UDP size; the addon's slots hold 4096 bytes, so it asks again over TCP
    expect(f.tcpQueries).toBe(addon === null ? 0 : 1);
  });

  it('moves to a fresh source port once a socket has carried its budget of queries', async () => {
    const f = await fake();
    const t = new UdpTransport(parseUpstreamUrl(`udp://127.0.0.1:${f.udpPort}`), { addon, sockets: 2, queriesPerSocket: 5 });
    open.push({ close: async () => t.close() });
    const q = buildQuery('port.example.org', TYPE_A);
    for (let i = 0; i < 40; i++) await t.exchange(q, questionEnd(q), 1000);
    expect(f.udpQueries).toBe(40);
    // 40 queries at 5 a socket: 8 sockets, each on a fresh port
    expect(f.udpSourcePorts.size).toBeGreaterThanOrEqual(7); // the kernel may, rarely, hand a freed port out again
  });

  it('reaches an upstream on IPv6 loopback', async () => {
    // an echo server: the query back with QR set is an answer to its own question
    const server = dgram.createSocket('udp6');
    server.on('message', (msg, rinfo) => {
      msg[2] |= 0x80;
      server.send(msg, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '::1', resolve));
    open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const p = pool([`udp://[::1]:${server.address().port}`]);
    const resp = await p.query(buildQuery('six.example.org', TYPE_A, 0x0606), soon());
    expect(resp.readUInt16BE(0)).toBe(0x0606);
    expect(resp[2] & 0x80).toBe(0x80);
  });

  it('rejects a message without a single question', async () => {
    const f = await fake();
    const p = pool([`udp://127.0.0.1:${f.udpPort}`]);
    await expect(p.query(Buffer.alloc(12), soon())).rejects.toThrow(UpstreamError);
  });
});

describe('upstream over TCP', () => {
  it('pipelines concurrent queries on one connection, matched by ID', async () => {
    const f = await fake({ delayMs: 80 });
    const p = pool([`tcp://127.0.0.1:${f.tcpPort}`]);
    const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((l) => `${l}.example.org`);
    const start = performance.now();
    const answers = await Promise.all(names.map((n, i) => p.query(buildQuery(n, TYPE_A, 100 + i), soon())));
    const took = performance.now() - start;
    expect(f.tcpConnections).toBe(1);
    expect(f.tcpQueries).toBe(6);
    expect(took).toBeLessThan(80 * 3); // in flight together, not one after another
    answers.forEach((resp, i) => {
      expect(resp.readUInt16BE(0)).toBe(100 + i);
      expect(resp.subarray(12, questionEnd(resp)).equals(buildQuery(names[i], TYPE_A, 0).subarray(12, questionEnd(resp)))).toBe(true);
    });
  });

  it('reconnects after the server closes the connection', async () => {
    const f = await fake();
    const t = new TcpTransport(parseUpstreamUrl(`tcp://127.0.0.1:${f.tcpPort}`));
    open.push({ close: async () => t.close() });
    const q = buildQuery('example.org', TYPE_A, 5);
    await t.exchange(q, questionEnd(q), 500);
    f.dropConnections();
    await new Promise((r) => setTimeout(r, 50));
    const resp = await t.exchange(q, questionEnd(q), 500);
    expect(resp.readUInt16BE(0)).toBe(5);
    expect(f.tcpConnections).toBe(2);
  });

  it('sends again, once, what was in flight when a working connection was closed by the server', async () => {
    const f = await fake({ delayMs: 100 });
    const t = new TcpTransport(parseUpstreamUrl(`tcp://127.0.0.1:${f.tcpPort}`));
    open.push({ close: async () => t.close() });
    const q = buildQuery('example.org', TYPE_A, 6);
    await t.exchange(q, questionEnd(q), 1000);
    const pending = t.exchange(q, questionEnd(q), 1000);
    await new Promise((r) => setTimeout(r, 30));
    f.dropConnections(); // as a server's idle timeout racing a new query would
    const resp = await pending;
    expect(resp.readUInt16BE(0)).toBe(6);
    expect(f.tcpConnections).toBe(2);
    expect(f.tcpQueries).toBe(3);
  });

  it('closes an idle connection', async () => {
    const f = await fake();
    const t = new TcpTransport(parseUpstreamUrl(`tcp://127.0.0.1:${f.tcpPort}`), { idleMs: 100 });
    open.push({ close: async () => t.close() });
    const q = buildQuery('example.org', TYPE_A, 5);
    await t.exchange(q, questionEnd(q), 500);
    await new Promise((r) => setTimeout(r, 300));
    await t.exchange(q, questionEnd(q), 500);
    expect(f.tcpConnections).toBe(2);
  });
});
