import type { Config } from '../config/config-schema.js';
import { categories as defaultCategories, type CategoryRegistry } from '../lists/categories.js';
import type { Db } from '../store/database.js';
import { statsWriter, type FlushRow, type StatsWriter } from '../store/stats-repository.js';
import { BlockedNameBuffer } from './blocked-name-buffer.js';
import { BlockedDomainTally, DEFAULT_MAX_DOMAINS_PER_DAY, type DomainDelta } from './blocked-domain-tally.js';
import { COUNTER_COUNT, NetworkCounters, RULE_SLOT } from './network-counters.js';
import { rollUp } from './stats-retention.js';
import { HOUR_MS, epochDay, epochHour } from './time-buckets.js';

// Owns the in-memory counters the hot path increments and moves them into SQLite: every
// flush interval (a crash loses at most one), and on stop() (a graceful shutdown loses
// nothing). Each flush is one transaction that adds to the current hour's rows, so several
// processes sharing the file (cluster workers) add up instead of overwriting each other.

/** The pseudo network of clients that matched no network (their queries were REFUSED). */
export const UNMATCHED_NETWORK_ID = 0;
export const UNMATCHED_NETWORK_NAME = 'unmatched';

/** Category name stored for blocks by a policy's own deny rule (cannot clash: not a valid category name). */
export const RULE_CATEGORY = '_policy';

/**
 * Blocks by a service of the catalog are stored under its category (`service:tiktok`, see
 * lists/service-catalog.ts); category views fold them into this one row, so categories still
 * add up to blocked, and the services view splits them per service.
 */
export const SERVICE_CATEGORY = '_service';

const ROLL_UP_EVERY_MS = HOUR_MS;

export interface StatsRecorderOptions {
  flushIntervalS: number;
  domainThreshold: number;
  hourlyRetentionDays: number;
  dailyRetentionDays: number;
  maxDomainsPerDay?: number;
  /** maps category bits to the names stored (default: the process-wide registry) */
  categories?: CategoryRegistry;
  /** clock, in epoch ms */
  now?: () => number;
  /** a failed flush or roll-up (the counts are kept and retried on the next flush) */
  onError?: (err: Error) => void;
}

export function statsOptionsFromConfig(stats: Config['stats']): StatsRecorderOptions {
  return {
    flushIntervalS: stats.flush_interval_s,
    domainThreshold: stats.domain_threshold,
    hourlyRetentionDays: stats.hourly_retention_days,
    dailyRetentionDays: stats.daily_retention_days,
  };
}

interface Entry {
  counters: NetworkCounters;
  name: string | undefined;
  /** the name last written to stats_networks */
  storedName: string | undefined;
}

export class StatsRecorder {
  private readonly entries = new Map<number, Entry>();
  private readonly domains: BlockedDomainTally;
  /** blocked names since the last flush, counted without building strings */
  private readonly recent: BlockedNameBuffer;
  private readonly now: () => number;
  private readonly categories: CategoryRegistry;
  /** the hour the counts now in memory belong to */
  private periodHour: number;
  private flushTimer: NodeJS.Timeout | undefined;
  private rollUpTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly writer: StatsWriter;

  constructor(private readonly db: Db, private readonly opts: StatsRecorderOptions) {
    this.now = opts.now ?? Date.now;
    this.categories = opts.categories ?? defaultCategories;
    const t = this.now();
    this.periodHour = epochHour(t);
    this.domains = new BlockedDomainTally(epochDay(t), opts.domainThreshold, opts.maxDomainsPerDay ?? DEFAULT_MAX_DOMAINS_PER_DAY);
    this.recent = new BlockedNameBuffer(opts.maxDomainsPerDay ?? DEFAULT_MAX_DOMAINS_PER_DAY);
    this.countersFor(UNMATCHED_NETWORK_ID, UNMATCHED_NETWORK_NAME);
    this.writer = statsWriter(db);
  }

  /** what flushes have written since start, per network (the metrics endpoint's running totals) */
  private readonly sinceStart = new Map<number, { totals: Float64Array; byCategory: Map<string, number> }>();

  /**
   * The counters of one network: the same object for the same id for the recorder's life,
   * so counts survive policy snapshot swaps (the query path looks them up by network id). `name` is kept as a snapshot beside the
   * statistics, for reports after the network is renamed or deleted.
   */
  countersFor(networkId: number, name?: string): NetworkCounters {
    let e = this.entries.get(networkId);
    if (!e) {
      e = { counters: new NetworkCounters(networkId), name, storedName: undefined };
      this.entries.set(networkId, e);
    } else if (name !== undefined) {
      e.name = name;
    }
    return e.counters;
  }

  /**
   * Every count since this process started (flushed or still in memory), per network id, for
   * the metrics endpoint: counter totals (COUNTER_NAMES order) and blocks by category name.
   */
  countsSinceStart(): Map<number, { name: string | undefined; totals: Float64Array; byCategory: Map<string, number> }> {
    const out = new Map<number, { name: string | undefined; totals: Float64Array; byCategory: Map<string, number> }>();
    for (const [id, e] of this.entries) {
      const flushed = this.sinceStart.get(id);
      const totals = flushed ? flushed.totals.slice() : new Float64Array(COUNTER_COUNT);
      const byCategory = new Map(flushed?.byCategory ?? []);
      for (let i = 0; i < COUNTER_COUNT; i++) totals[i] += e.counters.totals[i];
      for (const [cat, n] of this.namedCategories(e.counters.blockedByCategory)) byCategory.set(cat, (byCategory.get(cat) ?? 0) + n);
      out.set(id, { name: e.name, totals, byCategory });
    }
    return out;
  }

  /** The counters of clients in no network. */
  get unmatched(): NetworkCounters {
    return this.entries.get(UNMATCHED_NETWORK_ID)!.counters;
  }

  /**
   * One blocked query of network `networkId` for the listed wire name in `buf` (never call
   * it for an allowed name). Counted across all networks for the day, persisted only once
   * the name was blocked for the threshold's number of distinct networks; taken as wire
   * labels so the hot path builds no string.
   */
  recordBlockedName(networkId: number, buf: Uint8Array, labelOffsets: Int32Array, labelCount: number): void {
    this.recent.add(networkId, buf, labelOffsets, labelCount);
  }

  /** Blocks of names not counted today because the day's name map was full. */
  get droppedDomainBlocks(): number {
    return this.domains.dropped + this.recent.dropped;
  }

  /**
   * Rolls up once, then flushes on the interval (and at every UTC hour boundary) and rolls up
   * hourly. `rollUp` false (a cluster worker): flushes only, the primary rolls up for all.
   */
  start(rollUp = true): void {
    if (this.stopped) throw new Error('stats: recorder already stopped');
    if (rollUp) this.runRollUp();
    this.scheduleFlush();
    if (!rollUp) return;
    this.rollUpTimer = setInterval(() => this.runRollUp(), ROLL_UP_EVERY_MS);
    this.rollUpTimer.unref();
  }

  /** Stops the timers and writes everything still in memory. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.flushTimer);
    clearInterval(this.rollUpTimer);
    this.flush();
  }

  /**
   * Writes the counts in memory to the hour they were counted in, in one transaction,
   * and zeroes them. On failure the counts go back into memory for the next flush.
   */
  flush(): void {
    const nowMs = this.now();
    const hour = this.periodHour;
    const taken: { e: Entry; totals: Float64Array; byCategory: Float64Array }[] = [];
    for (const e of this.entries.values()) {
      const c = e.counters;
      if (!hasCounts(c.totals) && !hasCounts(c.blockedByCategory) && e.name === e.storedName) continue;
      taken.push({ e, totals: c.totals.slice(), byCategory: c.blockedByCategory.slice() });
      c.totals.fill(0);
      c.blockedByCategory.fill(0);
    }
    this.domains.dropped += this.recent.dropped;
    for (const [name, networkId, n] of this.recent.drain()) this.domains.add(name, networkId, n);
    const domainDay = this.domains.day;
    const deltas: DomainDelta[] = this.domains.pending();
    const rows: FlushRow[] = taken.map(({ e, totals, byCategory }) => ({
      networkId: e.counters.networkId,
      totals,
      byCategory: this.namedCategories(byCategory),
      name: e.name !== undefined && e.name !== e.storedName ? e.name : undefined,
    }));
    try {
      this.writer.write(hour, rows, domainDay, deltas);
    } catch (err) {
      for (const { e, totals, byCategory } of taken) {
        for (let i = 0; i < COUNTER_COUNT; i++) e.counters.totals[i] += totals[i];
        // the array only ever grows, so every slot taken still exists
        for (let i = 0; i < byCategory.length; i++) e.counters.blockedByCategory[i] += byCategory[i];
      }
      this.report(err);
      return;
    }
    taken.forEach(({ e, totals }, i) => {
      e.storedName = e.name;
      const sum = this.sinceStart.get(e.counters.networkId) ?? { totals: new Float64Array(COUNTER_COUNT), byCategory: new Map<string, number>() };
      for (let k = 0; k < COUNTER_COUNT; k++) sum.totals[k] += totals[k];
      for (const [cat, n] of rows[i].byCategory) sum.byCategory.set(cat, (sum.byCategory.get(cat) ?? 0) + n);
      this.sinceStart.set(e.counters.networkId, sum);
    });
    this.domains.commit(deltas);
    this.periodHour = epochHour(nowMs);
    const today = epochDay(nowMs);
    if (today !== this.domains.day) this.domains.reset(today);
  }

  /** the non-zero slots of a blocked-by-category array, by category name */
  private namedCategories(byCategory: Float64Array): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    for (let slot = 0; slot < byCategory.length; slot++) if (byCategory[slot] !== 0) out.push([this.categoryName(slot), byCategory[slot]]);
    return out;
  }

  private categoryName(slot: number): string {
    if (slot === RULE_SLOT) return RULE_CATEGORY;
    const bit = slot - 1;
    return this.categories.name(bit) ?? `_bit${bit}`;
  }

  // Timers fire at the interval or at the next UTC hour boundary, whichever comes first,
  // so the counts of one flush never straddle two hour buckets (nor two days of names).
  private scheduleFlush(): void {
    if (this.stopped) return;
    const nowMs = this.now();
    const toNextHour = (epochHour(nowMs) + 1) * HOUR_MS - nowMs;
    const delay = Math.max(1, Math.min(this.opts.flushIntervalS * 1000, toNextHour));
    this.flushTimer = setTimeout(() => {
      this.flush();
      this.scheduleFlush();
    }, delay);
    this.flushTimer.unref();
  }

  private runRollUp(): void {
    try {
      rollUp(this.db, this.now(), this.opts);
    } catch (err) {
      this.report(err);
    }
  }

  private report(err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    if (this.opts.onError) this.opts.onError(new Error(`stats: ${e.message}`, { cause: e }));
  }
}

function hasCounts(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return true;
  return false;
}
