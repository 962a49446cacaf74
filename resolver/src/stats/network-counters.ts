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
}
export const COUNTER_COUNT = 6;
export const COUNTER_NAMES = ['total', 'blocked', 'rewritten', 'cache_hits', 'upstream_errors', 'refused'] as const;

/** Category bit indexes are 0..31 (see lists/categories.ts). */
export const CATEGORY_SLOTS = 32;

export class NetworkCounters {
  readonly totals = new Float64Array(COUNTER_COUNT);
  readonly blockedByCategory = new Float64Array(CATEGORY_SLOTS);
  constructor(readonly networkId: number) {}
}
