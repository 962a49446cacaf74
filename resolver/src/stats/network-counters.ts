// In-memory aggregate counters for one network: the only thing the hot path writes for
// statistics. Plain typed arrays so an increment is one store, never a Promise or a string.
// The stats flusher reads and zeroes them every interval. Nothing here identifies a client.

export const enum Counter {
  Total = 0,
  Blocked = 1,
  Rewritten = 2,
  CacheHit = 3,
  UpstreamError = 4,
  Refused = 5,
  /** UDP answers over the client prefix's rate limit: sent truncated or dropped */
  RateLimited = 6,
}
export const COUNTER_COUNT = 7;
export const COUNTER_NAMES = ['total', 'blocked', 'rewritten', 'cache_hits', 'upstream_errors', 'refused', 'rate_limited'] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];

/** Category bit indexes are 0..31 (see lists/categories.ts). */
export const CATEGORY_SLOTS = 32;
/**
 * Blocks by a policy's own deny rule carry category -1 (see Decision.category); they get
 * the slot after the 32 category bits so blocked-by-category still adds up to blocked.
 */
export const RULE_SLOT = CATEGORY_SLOTS;

export class NetworkCounters {
  readonly totals = new Float64Array(COUNTER_COUNT);
  readonly blockedByCategory = new Float64Array(CATEGORY_SLOTS + 1);
  constructor(readonly networkId: number) {}
}

/** Hot path: one blocked query, by category bit (or -1 for a policy deny rule). Total is counted apart, for every query. */
export function countBlock(c: NetworkCounters, category: number): void {
  c.totals[Counter.Blocked]++;
  c.blockedByCategory[category >= 0 && category < CATEGORY_SLOTS ? category : RULE_SLOT]++;
}
