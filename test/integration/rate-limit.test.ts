import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildQuery } from '../helpers/dns-message.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { openUdp } from '../helpers/raw-dns.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// Response rate limiting against reflection: a real UDP flood from one /24 on loopback
// (sources 127.0.0.2 and 127.0.0.3, one prefix) is held to `ratelimit` answers a second,
// every `slip`-th limited answer going out truncated so a real client there still gets
// through over TCP, while a client in another /24 (127.0.1.x) keeps being answered.

const RATE = 40;
const SLIP = 2;
let upstream: TableUpstream;
let ng: Nestguard;
let stopped = false;

beforeAll(async () => {
  upstream = await startTableUpstream({ 'www.example.org': [{ type: 'A', address: '192.0.2.10' }] });
  ng = await startNestguard({
    env: { NESTGUARD_UPSTREAMS: `udp://127.0.0.1:${upstream.port}` },
    waitForHttp: true,
    config: {
      dns: { ratelimit: RATE, ratelimit_slip: SLIP, ratelimit_exempt: [] },
      stats: { flush_interval_s: 1 },
      networks: [{ name: 'lo', cidrs: ['127.0.0.0/8', '::1/128'], policy: 'open' }],
    },
  });
});

afterAll(async () => {
  if (!stopped) await ng?.stop();
  await upstream?.close();
});

const flags = (b: Buffer) => b.readUInt16BE(2);

describe('response rate limiting', () => {
  it('holds a flooding /24 to the limit with slipped TC=1 answers, and answers another /24 meanwhile', async () => {
    // the name is cached first, so the flood measures the limiter, not the upstream
    expect((await query({ port: ng.dnsPort, name: 'www.example.org', source: '127.0.1.9' })).answer[0]?.data).toBe('192.0.2.10');
    const flooders = await Promise.all(['127.0.0.2', '127.0.0.3'].map((bindAddress) => openUdp(ng.dnsPort, { bindAddress })));
    const msg = buildQuery({ name: 'www.example.org' });
    let sent = 0;
    const t0 = Date.now();
    const flood = (async () => {
      while (Date.now() - t0 < 2000) {
        for (let i = 0; i < 50; i++, sent++) flooders[sent & 1].send(msg);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const others: string[] = [];
    while (Date.now() - t0 < 1900) {
      const r = await query({ port: ng.dnsPort, name: 'www.example.org', source: '127.0.1.5', ignoreTc: true });
      others.push(`${r.rcode}${r.flags.tc ? ' TC' : ''} ${r.answer[0]?.data}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await flood;
    const seconds = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const replies = flooders.flatMap((f) => f.received.splice(0));
    for (const f of flooders) f.close();
    const full = replies.filter((b) => (flags(b) & 0x0200) === 0).length;
    const truncated = replies.length - full;
    const limited = sent - full;
    console.log(`rrl: ${sent} queries in ${seconds.toFixed(1)} s from one /24: ${full} answered, ${truncated} TC=1, ${sent - replies.length} dropped; other /24: ${others.length} of ${others.length} answered`);
    expect(sent).toBeGreaterThan(RATE * 10 * seconds);
    // at most RATE a second (the window is the wall-clock second: up to one extra second)
    expect(full).toBeLessThanOrEqual(RATE * (Math.ceil(seconds) + 1));
    expect(full).toBeGreaterThanOrEqual(RATE);
    // every SLIP-th limited answer is slipped, the rest dropped
    expect(Math.abs(truncated - limited / SLIP)).toBeLessThanOrEqual(2);
    expect(truncated).toBeGreaterThan(0);
    expect(new Set(others)).toEqual(new Set(['NOERROR 192.0.2.10']));
    expect(others.length).toBeGreaterThan(5);
    // a real client in the flooded prefix gets the slipped TC=1 and the answer over TCP
    const res = await fetch(`http://127.0.0.1:${ng.httpPort}/health`);
    const health = (await res.json()) as { ratelimit: { enabled: boolean; limited: number; slipped: number; dropped: number } };
    expect(health.ratelimit).toEqual({ enabled: true, limited, slipped: truncated, dropped: limited - truncated });
  });

  it('a client of the limited prefix gets slipped TC=1 answers, and its answer over TCP', async () => {
    const flooder = await openUdp(ng.dnsPort, { bindAddress: '127.0.0.2' });
    const client = await openUdp(ng.dnsPort, { bindAddress: '127.0.0.4' });
    const msg = buildQuery({ name: 'www.example.org' });
    for (let i = 0; i < RATE * 2; i++) flooder.send(msg);
    for (let i = 0; i < 20; i++) client.send(msg);
    await new Promise((r) => setTimeout(r, 300));
    const got = client.received.splice(0);
    flooder.close();
    client.close();
    expect(got.length).toBeLessThan(20);
    expect(got.filter((b) => (flags(b) & 0x0200) !== 0 && b.readUInt16BE(6) === 0).length).toBeGreaterThan(0);
    // the retry over TCP is not limited: a forged source cannot complete a handshake
    const r = await query({ port: ng.dnsPort, name: 'www.example.org', source: '127.0.0.4', tcp: true });
    expect(r.answer[0]?.data).toBe('192.0.2.10');
  });

  it('counts limited answers in the statistics', async () => {
    const res = await fetch(`http://127.0.0.1:${ng.httpPort}/health`);
    const { limited } = ((await res.json()) as { ratelimit: { limited: number } }).ratelimit;
    stopped = true;
    expect(await ng.stop()).toBe(0);
    const db = new Database(join(ng.dataDir, 'nestguard.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT SUM(rate_limited) FROM stats_hourly').pluck().get()).toBe(limited);
    } finally {
      db.close();
    }
  });
});
