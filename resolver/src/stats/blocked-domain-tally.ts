// The day's count of blocked names across all networks, for list tuning. A name is only
// ever persisted once it was blocked for k distinct networks that day: one child retrying
// one unusual name (A, AAAA and HTTPS queries, again and again) stays inside one network
// and can never reach k alone, while a name that k networks ran into points at no one.
// The map is bounded so a flood of random names cannot exhaust memory; names past the
// bound are counted as dropped.

export const DEFAULT_MAX_DOMAINS_PER_DAY = 100_000;

export interface DomainDelta {
  domain: string;
  /** blocks not yet persisted */
  delta: number;
}

export class BlockedDomainTally {
  private counts = new Map<string, number>();
  /** the distinct networks that blocked a name, until there are k of them */
  private networks = new Map<string, number[]>();
  /** names blocked for k distinct networks today */
  private qualified = new Set<string>();
  /** how much of each name's count is already in the store */
  private persisted = new Map<string, number>();
  /** qualified names that gained blocks since the last `commit` */
  private dirty = new Set<string>();
  /** blocks of names refused because the map was full (reset daily) */
  dropped = 0;

  constructor(
    public day: number,
    private readonly threshold: number,
    private readonly maxNames = DEFAULT_MAX_DOMAINS_PER_DAY,
  ) {
    if (!(threshold >= 1)) throw new Error('stats: domain threshold must be at least 1');
  }

  /** `n` blocks of `name` for network `networkId`; `name` must already be normalised (lower-case, no trailing dot). */
  add(name: string, networkId: number, n = 1): void {
    const have = this.counts.get(name);
    if (have === undefined && this.counts.size >= this.maxNames) {
      this.dropped += n;
      return;
    }
    this.counts.set(name, (have ?? 0) + n);
    if (!this.qualified.has(name)) {
      let nets = this.networks.get(name);
      if (nets === undefined) this.networks.set(name, (nets = []));
      if (!nets.includes(networkId)) nets.push(networkId);
      if (nets.length < this.threshold) return;
      this.networks.delete(name);
      this.qualified.add(name);
    }
    this.dirty.add(name);
  }

  get size(): number {
    return this.counts.size;
  }

  /** What a flush must add to the store; no name below k distinct networks ever appears here. */
  pending(): DomainDelta[] {
    const out: DomainDelta[] = [];
    for (const domain of this.dirty) {
      const delta = this.counts.get(domain)! - (this.persisted.get(domain) ?? 0);
      if (delta > 0) out.push({ domain, delta });
    }
    return out;
  }

  /** Marks `pending()`'s deltas as stored: call after the flush's transaction committed. */
  commit(written: readonly DomainDelta[]): void {
    for (const { domain, delta } of written) this.persisted.set(domain, (this.persisted.get(domain) ?? 0) + delta);
    this.dirty.clear();
  }

  /** Starts a new day: yesterday's names below k are forgotten, never written. */
  reset(day: number): void {
    this.day = day;
    this.counts = new Map();
    this.networks = new Map();
    this.qualified = new Set();
    this.persisted = new Map();
    this.dirty = new Set();
    this.dropped = 0;
  }
}
