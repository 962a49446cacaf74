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

/**
 * blockedByCategory[0] counts blocks by a policy's own deny rule (category -1, see
 * Decision.category) and blockedByCategory[b + 1] blocks by category bit b, so
 * blocked-by-category always adds up to blocked.
 */
export const RULE_SLOT = 0;
/** Room for the well-known categories, the services catalog and many of an admin's own. */
const INITIAL_SLOTS = 128;

export class NetworkCounters {
  readonly totals = new Float64Array(COUNTER_COUNT);
  /** grows when a higher category bit first blocks (see countBlock) */
  blockedByCategory = new Float64Array(INITIAL_SLOTS);
  constructor(readonly networkId: number) {}
}

/** The slot of a category bit (or -1 for a policy deny rule) in blockedByCategory. */
export function categorySlot(category: number): number {
  return category < 0 ? RULE_SLOT : category + 1;
}

/** Hot path: one blocked query, by category bit (or -1 for a policy deny rule). Total is counted apart, for every query. */
export function countBlock(c: NetworkCounters, category: number): void {
  c.totals[Counter.Blocked]++;
  const slot = categorySlot(category);
  // bits have no fixed limit; a wider array is made once, the first time a bit beyond it blocks
  if (slot >= c.blockedByCategory.length) grow(c, slot);
  c.blockedByCategory[slot]++;
}

function grow(c: NetworkCounters, slot: number): void {
  let n = c.blockedByCategory.length * 2;
  while (n <= slot) n *= 2;
  const wider = new Float64Array(n);
  wider.set(c.blockedByCategory);
  c.blockedByCategory = wider;
}
