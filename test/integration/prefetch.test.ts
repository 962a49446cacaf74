import { afterEach, describe, expect, it } from 'vitest';
import { query } from '../helpers/dig.js';
import { startNestguard, type Nestguard } from '../helpers/nestguard.js';
import { startTableUpstream, type TableUpstream } from '../helpers/table-upstream.js';

// Prefetch: a popular entry is refreshed shortly before it expires, so its clients never
// wait for the upstream. Against an upstream that takes UPSTREAM_DELAY_MS per answer, every
// reply of a name queried steadily across several TTLs stays fast with prefetch on, and the
// same run with prefetch off shows a slow reply after an expiry.

const TTL_S = 4;
const UPSTREAM_DELAY_MS = 600;
const QUERY_EVERY_MS = 120;
const RUN_MS = TTL_S * 1000 * 2.6;
const NAME = 'popular.prefetch.test';

let up: TableUpstream | undefined;
let ng: Nestguard | undefined;

afterEach(async () => {
  await ng?.stop();
  await up?.close();
});

async function steadyRun(prefetch: boolean): Promise<{ ms: number[]; ttls: number[]; asked: number }> {
  up = await startTableUpstream({ [NAME]: [{ type: 'A', address: '192.0.2.77', ttl: TTL_S }] }, { delayMs: UPSTREAM_DELAY_MS });
  ng = await startNestguard({
    upstreamPort: up.port,
    // stale answers wait longer than the upstream, so an expiry shows as a slow reply
    config: { upstream: { try_timeout_ms: 1500, resolve_timeout_ms: 3000 }, cache: { stale_window_s: 3600, stale_answer_timeout_ms: 1800, prefetch } },
  });
  const first = await query({ port: ng.dnsPort, name: NAME });
  expect(first.answer[0]?.data).toBe('192.0.2.77');
  const ms: number[] = [];
  const ttls: number[] = [];
  const end = performance.now() + RUN_MS;
  while (performance.now() < end) {
    const t0 = performance.now();
    const r = await query({ port: ng.dnsPort, name: NAME });
    ms.push(performance.now() - t0);
    expect(r.answer[0]?.data).toBe('192.0.2.77');
    ttls.push(r.answer[0]!.ttl);
    await new Promise((res) => setTimeout(res, QUERY_EVERY_MS));
  }
  return { ms, ttls, asked: up.asked.filter((a) => a === `${NAME} A`).length };
}

// a reply that waited for the upstream took at least its delay; one from the cache far less
const SLOW_MS = UPSTREAM_DELAY_MS - 50;

describe('cache prefetch', () => {
  it('refreshes a popular entry before it expires, so no reply waits for the upstream', async () => {
    const run = await steadyRun(true);
    // the run spans two expiries: the upstream was asked again for each
    expect(run.asked).toBeGreaterThanOrEqual(3);
    expect(run.ms.filter((m) => m >= SLOW_MS)).toEqual([]);
    // the TTL counted down and was renewed from the refreshed entry
    const renewals = run.ttls.filter((t, i) => i > 0 && t > run.ttls[i - 1]!).length;
    expect(renewals).toBeGreaterThanOrEqual(2);
    expect(Math.min(...run.ttls)).toBeLessThan(TTL_S);
  }, 40_000);

  it('without prefetch the same run has a reply that waits for the upstream', async () => {
    const run = await steadyRun(false);
    expect(run.asked).toBeGreaterThanOrEqual(3);
    expect(run.ms.filter((m) => m >= SLOW_MS).length).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
