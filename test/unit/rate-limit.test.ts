import { describe, expect, it } from 'vitest';
import { ResponseRateLimiter, RrlVerdict } from '../../resolver/src/server/response-rate-limit.js';

// The limiter's arithmetic on its own: which addresses share a bucket, what is exempt, how
// slip alternates, and what a check costs (it runs for every UDP query).

function limiter(extra: Partial<ConstructorParameters<typeof ResponseRateLimiter>[0]> = {}) {
  return new ResponseRateLimiter({ ratelimit: 3, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56, exempt: ['127.0.0.0/8', '::1/128'], ...extra });
}

function run(r: ResponseRateLimiter, addresses: string[], now = 1_000_000): string {
  return addresses.map((a) => ['A', 'S', 'D'][r.check(a, now)]).join('');
}

describe('ResponseRateLimiter', () => {
  it('counts an IPv4 /24 together and another /24 apart', () => {
    const r = limiter();
    expect(run(r, ['192.0.2.1', '192.0.2.200', '::ffff:192.0.2.7', '192.0.2.9', '192.0.2.10', '198.51.100.1', '192.0.2.11'])).toBe('AAADSAD');
    expect(r.counters).toEqual({ limited: 3, slipped: 1, dropped: 2 });
  });

  it('counts an IPv6 /56 together, whatever the spelling', () => {
    const r = limiter();
    expect(run(r, ['2001:db8:1:200::1', '2001:DB8:1:2ff:ffff::9', '2001:0db8:0001:0200:0:0:0:1', '2001:db8:1:2ab::5', '2001:db8:1:300::1'])).toBe('AAADA');
  });

  it('never limits the exempt ranges, and starts over each second', () => {
    const r = limiter();
    expect(run(r, Array(10).fill('127.0.0.9'))).toBe('AAAAAAAAAA');
    expect(run(r, Array(10).fill('::1'))).toBe('AAAAAAAAAA');
    expect(run(r, Array(4).fill('203.0.113.5'), 5_000)).toBe('AAAD');
    expect(run(r, Array(4).fill('203.0.113.5'), 6_000)).toBe('AAAS');
  });

  it('slip 0 drops every limited answer, slip 1 truncates every one', () => {
    expect(run(limiter({ slip: 0 }), Array(5).fill('192.0.2.1'))).toBe('AAADD');
    expect(run(limiter({ slip: 1 }), Array(5).fill('192.0.2.1'))).toBe('AAASS');
    expect(run(limiter({ slip: 3 }), Array(9).fill('192.0.2.1'))).toBe('AAADDSDDS');
  });

  it('a flood of random prefixes is bounded by the table, and a check costs well under a microsecond', () => {
    const r = new ResponseRateLimiter({ ratelimit: 1000, slip: 2, ipv4Prefix: 24, ipv6Prefix: 56, exempt: [] });
    const addrs = Array.from({ length: 4096 }, (_, i) => `10.${i >> 8}.${i & 255}.1`);
    for (let i = 0; i < 200_000; i++) r.check(addrs[i & 4095], 7_000);
    const t = performance.now();
    for (let i = 0; i < 1_000_000; i++) r.check(addrs[i & 4095], 8_000 + i / 10_000);
    const ns = (performance.now() - t);
    console.log(`rrl: ${ns.toFixed(0)} ns per check`);
    expect(ns).toBeLessThan(2000); // ~70 ns on an idle core; generous for a loaded machine
    expect(RrlVerdict.Answer).toBe(0);
  });

  it('refuses an exempt entry that is not a range', () => {
    expect(() => limiter({ exempt: ['10.0.0.0/33'] })).toThrow(/dns: ratelimit_exempt/);
  });
});
