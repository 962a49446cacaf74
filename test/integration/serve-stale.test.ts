import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthUpstream, RECORDS, type AuthUpstream } from '../helpers/auth-upstream.js';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';

// RFC 8767 serve-stale timing: with an expired answer at hand, a black-holed upstream costs
// the client the stale-answer timeout, not the full resolve timeout; and right after a failed
// refresh the stale answer goes out at once, without asking the upstream again.

const RESOLVE_TIMEOUT_MS = 3000;
const STALE_TIMEOUT_MS = 300;
let up: AuthUpstream;
let ng: Nestguard;

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await f();
  return { value, ms: performance.now() - t0 };
}

beforeAll(async () => {
  up = await startAuthUpstream();
  ng = await startNestguard({
    upstreamPort: up.port,
    config: {
      upstream: { try_timeout_ms: 1000, resolve_timeout_ms: RESOLVE_TIMEOUT_MS },
      cache: { stale_window_s: 3600, stale_answer_timeout_ms: STALE_TIMEOUT_MS, stale_answer_ttl: 30 },
    },
  });
});

afterAll(async () => {
  up?.resume();
  await ng?.stop();
  await up?.stop();
});

describe('serve-stale timers', () => {
  it('answers stale after the stale timeout, then at once while the upstream is known to fail', async () => {
    const name = RECORDS.short.names[5];
    const fresh = await query({ port: ng.dnsPort, name });
    expect(fresh.answer[0]?.data).toBe(RECORDS.short.ipv4);
    expect(fresh.ede).toEqual([]);
    await new Promise((r) => setTimeout(r, (RECORDS.short.ttl + 0.3) * 1000));
    up.pause();
    const first = await timed(() => query({ port: ng.dnsPort, name, extra: ['+time=5'] }));
    expect(first.value.rcode).toBe('NOERROR');
    expect(first.value.answer[0]?.data).toBe(RECORDS.short.ipv4);
    expect(first.value.answer[0]?.ttl).toBeLessThanOrEqual(30);
    // RFC 8914 4.4: the EDNS client is told the answer is stale
    expect(first.value.ede.map((e) => e.code)).toEqual([3]);
    expect(first.ms).toBeGreaterThanOrEqual(STALE_TIMEOUT_MS - 50);
    expect(first.ms).toBeLessThan(RESOLVE_TIMEOUT_MS);
    // let the refresh that is still waiting on the black hole fail
    await new Promise((r) => setTimeout(r, RESOLVE_TIMEOUT_MS));
    const next = await timed(() => query({ port: ng.dnsPort, name, extra: ['+time=5'] }));
    expect(next.value.answer[0]?.data).toBe(RECORDS.short.ipv4);
    expect(next.ms).toBeLessThan(STALE_TIMEOUT_MS);
    expect(next.value.ede.map((e) => e.code)).toEqual([3]);
    const noEdns = await query({ port: ng.dnsPort, name, edns: false });
    expect(noEdns.answer[0]?.data).toBe(RECORDS.short.ipv4);
    expect(noEdns.edns).toBeNull();
  });
});
