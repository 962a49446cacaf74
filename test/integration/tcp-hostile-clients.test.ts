import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery, parseMessage } from '../helpers/dns-message.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { frame, openTcp, tcpExchange, udpExchange } from '../helpers/raw-dns.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// Hostile TCP clients against the built server: each attack runs while a normal client (from
// another /24) keeps asking over TCP and UDP, and must keep being answered.

const FRAME_TIMEOUT_MS = 500;
const IDLE_TIMEOUT_MS = 3000;
const MAX_CONNECTIONS = 50;
const PER_PREFIX = 20;
const UPSTREAM_DELAY_MS = 300;
const BIG = 'big.example';
const SLACK_MS = 1500;

let up: TableUpstream;
let ng: Nestguard;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  up = await startTableUpstream({
    'ok.example': [{ type: 'A', address: '192.0.2.1' }],
    [BIG]: Array.from({ length: 50 }, (_, i) => ({ type: 'A' as const, address: `198.51.100.${i + 1}` })),
  }, { delayMs: UPSTREAM_DELAY_MS });
  ng = await startNestguard({
    upstreamPort: up.port,
    ipv6: false,
    config: {
      dns: {
        tcp_idle_timeout_ms: IDLE_TIMEOUT_MS,
        tcp_frame_timeout_ms: FRAME_TIMEOUT_MS,
        tcp_max_connections: MAX_CONNECTIONS,
        tcp_max_connections_per_prefix: PER_PREFIX,
        ratelimit: 0,
      },
      networks: [{ name: 'lo', cidrs: ['127.0.0.0/8'], policy: 'open' }],
    },
  });
  // warm the cache: the normal client's answers are hits, the attacks' big answers too
  expect(await tcpExchange(ng.dnsPort, [buildQuery({ name: 'ok.example' }), buildQuery({ name: BIG })], { timeoutMs: 3000 })).toHaveLength(2);
});

afterAll(async () => {
  await ng?.kill();
  await up?.close();
});

/** A normal client on 127.0.0.2 asking over TCP and UDP every 100 ms until stopped. */
function normalClient(): { stop(): Promise<{ tcp: number[]; udp: number[]; failures: number }> } {
  const tcp: number[] = [];
  const udp: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      let t0 = performance.now();
      const r = await tcpExchange(ng.dnsPort, [buildQuery({ name: 'ok.example' })], { bindAddress: '127.0.0.2', timeoutMs: 1500 }).catch(() => []);
      if (r.length === 1 && parseMessage(r[0]).rcode === 0) tcp.push(performance.now() - t0); else failures++;
      t0 = performance.now();
      const u = await udpExchange(ng.dnsPort, buildQuery({ name: 'ok.example' }), { bindAddress: '127.0.0.2', timeoutMs: 1000 });
      if (u !== null) udp.push(performance.now() - t0); else failures++;
      await sleep(100);
    }
  })();
  return { async stop() { running = false; await loop; return { tcp, udp, failures }; } };
}

function rawConnect(local: string): Promise<Socket> {
  const s = connect({ host: '127.0.0.1', port: ng.dnsPort, localAddress: local });
  s.on('error', () => {});
  return once(s, 'connect').then(() => s);
}

function closedWithin(s: Socket, ms: number): Promise<boolean> {
  if (s.destroyed || s.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.once('close', () => { clearTimeout(t); resolve(true); });
  });
}

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

describe('hostile TCP clients', () => {
  it('many frames in one write do not pass the per-connection cap on queries in flight', async () => {
    const normal = normalClient();
    const n = 400;
    const before = up.asked.length;
    const queries = Array.from({ length: n }, (_, i) => buildQuery({ name: `burst-${process.pid}-${i}.example`, id: i }));
    const c = await openTcp(ng.dnsPort, { bindAddress: '127.3.0.1' });
    c.write(Buffer.concat(queries.map(frame)));
    await sleep(UPSTREAM_DELAY_MS / 2);
    // no upstream answer is back yet: what reached the upstream is what is in flight
    const atOnce = up.asked.length - before;
    const replies = await c.replies(n, 20_000);
    c.close();
    const r = await normal.stop();
    expect(atOnce).toBeGreaterThan(0);
    expect(atOnce).toBeLessThanOrEqual(64);
    expect(new Set(replies.map((x) => x.readUInt16BE(0))).size).toBe(n);
    expect(r.failures).toBe(0);
  });

  it('stops reading a client that never reads its answers, then closes it', async () => {
    const normal = normalClient();
    const rss0 = rssKb(ng.pid);
    const s = await rawConnect('127.4.0.1');
    s.pause();
    // 100,000 queries whose answers are ~850 bytes each: 85 MB, well past what the kernel's
    // socket buffers hold on loopback (up to 32 MB received + 4 MB sent)
    const q = frame(buildQuery({ name: BIG }));
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => q));
    for (let i = 0; i < 100; i++) s.write(batch);
    await sleep(2500);
    const grown = rssKb(ng.pid) - rss0;
    // the server resets the connection; a paused client learns it on its next write
    await sleep(IDLE_TIMEOUT_MS + SLACK_MS);
    s.write(q);
    const closed = await closedWithin(s, 1000);
    s.destroy();
    const r = await normal.stop();
    // the server stopped taking queries instead of queueing their answers in its memory
    expect(grown, `RSS grew by ${grown} kB`).toBeLessThan(16 * 1024);
    expect(closed).toBe(true);
    expect(r.failures).toBe(0);
  });

  it('closes 64 KiB frames sent a byte at a time at the frame deadline; UDP stays fast', async () => {
    const normal = normalClient();
    const socks = await Promise.all(Array.from({ length: 20 }, (_, i) => rawConnect(`127.5.${i}.1`)));
    const t0 = performance.now();
    const timers = socks.map((s) => {
      s.write(Buffer.from([0xff]));
      return setInterval(() => { if (!s.destroyed) s.write(Buffer.from([0x61])); }, 2);
    });
    const closed = await Promise.all(socks.map((s) => closedWithin(s, FRAME_TIMEOUT_MS + SLACK_MS)));
    const took = performance.now() - t0;
    timers.forEach(clearInterval);
    socks.forEach((s) => s.destroy());
    const r = await normal.stop();
    expect(closed.every(Boolean)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(FRAME_TIMEOUT_MS - 50);
    expect(r.failures).toBe(0);
    expect(Math.max(...r.udp)).toBeLessThan(250);
  });

  it('slowloris: connections from one prefix are capped and each partial frame has a deadline', async () => {
    const normal = normalClient();
    const socks: Socket[] = [];
    for (let i = 0; i < 200; i++) {
      const s = connect({ host: '127.0.0.1', port: ng.dnsPort, localAddress: '127.6.0.1' });
      s.on('error', () => {});
      socks.push(s);
    }
    await Promise.all(socks.map((s) => once(s, 'connect').catch(() => undefined)));
    socks.forEach((s) => s.write(Buffer.from([0])));
    const timer = setInterval(() => socks.forEach((s) => { if (!s.destroyed) s.write(Buffer.from([0x40])); }), 300);
    await sleep(200);
    const open = socks.filter((s) => !s.destroyed && !s.readableEnded).length;
    const allClosed = await Promise.all(socks.map((s) => closedWithin(s, FRAME_TIMEOUT_MS + SLACK_MS)));
    clearInterval(timer);
    socks.forEach((s) => s.destroy());
    const r = await normal.stop();
    expect(open).toBeLessThanOrEqual(PER_PREFIX);
    expect(allClosed.every(Boolean)).toBe(true);
    expect(r.failures).toBe(0);
  });

  it('a one-byte-at-a-time client does not keep its connection past the idle timeout', async () => {
    // complete frames are activity; a trickle of bytes that never completes one is not
    const s = await rawConnect('127.7.0.1');
    const msg = frame(buildQuery({ name: 'ok.example' }));
    let i = 0;
    const timer = setInterval(() => { if (!s.destroyed) s.write(msg.subarray(i, ++i)); }, 200);
    const closed = await closedWithin(s, FRAME_TIMEOUT_MS + SLACK_MS);
    clearInterval(timer);
    s.destroy();
    expect(i).toBeLessThan(msg.length);
    expect(closed).toBe(true);
  });

  it('at the global cap the longest-idle connection makes room for a new client', async () => {
    const idle: Socket[] = [];
    // from several prefixes, so the per-prefix limit is not what stops them
    for (let i = 0; i < MAX_CONNECTIONS; i++) idle.push(await rawConnect(`127.8.${Math.floor(i / PER_PREFIX)}.${(i % PER_PREFIX) + 1}`));
    await sleep(100);
    const r = await tcpExchange(ng.dnsPort, [buildQuery({ name: 'ok.example' })], { bindAddress: '127.0.0.2', timeoutMs: 1500 });
    expect(r).toHaveLength(1);
    expect(parseMessage(r[0]).rcode).toBe(0);
    expect(await closedWithin(idle[0], 500)).toBe(true);
    expect(idle.slice(1).filter((s) => !s.destroyed && !s.readableEnded).length).toBe(MAX_CONNECTIONS - 1);
    idle.forEach((s) => s.destroy());
  });
});
