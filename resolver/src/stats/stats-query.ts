import { DateTime } from 'luxon';
import { WELL_KNOWN_CATEGORIES } from '../lists/categories.js';
import type { Db } from '../store/database.js';
import { blockedRows, counterRows, statsNetworkNameRows, topBlockedDomainRows, type StatsRange } from '../store/stats-repository.js';
import { COUNTER_NAMES, type CounterName } from './network-counters.js';
import { serviceCatalog, serviceIdOf } from '../lists/service-catalog.js';
import { SERVICE_CATEGORY, UNMATCHED_NETWORK_ID, UNMATCHED_NETWORK_NAME } from './stats-recorder.js';
import { suppress, sumShown, type Cell, type Total } from './suppression.js';
import { DAY_MS, HOUR_MS, isoDay, isoHour } from './time-buckets.js';

// The read side of statistics, for the API, the console and reports. Each call returns one
// view at one grain (bucket x [network] x [category]), every cell suppressed below k and
// every total the sum of the shown cells (see suppression.ts). Day views add the daily
// rows and the hourly rows not yet rolled up; hour views exist for the hourly retention.

export type Granularity = 'hour' | 'day';

export interface StatsSelection {
  /** range start, epoch ms (rounded down to the bucket) */
  fromMs: number;
  /** range end, epoch ms, exclusive (rounded up to the bucket) */
  toMs: number;
  granularity: Granularity;
  /** networks to include (0 = unmatched); all when absent */
  networkIds?: readonly number[];
  /** stats.suppress_below */
  suppressBelow: number;
  /**
   * Day views only: days in this IANA zone (a network's), summed from the hourly rows, so
   * only within the hourly retention. Absent or "UTC": UTC days, daily rows included.
   */
  timeZone?: string;
}

export interface Bucket {
  /** epoch hour or epoch day (UTC); for zoned days, the epoch hour the day starts at */
  key: number;
  /** start, epoch ms */
  startMs: number;
  /** `YYYY-MM-DD` or `YYYY-MM-DDTHH:00Z` */
  label: string;
}

export interface SeriesRow<K> {
  /** null when the view does not split by network */
  networkId: number | null;
  key: K;
  /** one per bucket */
  cells: Cell[];
  total: Total;
}

export interface BlockedView {
  buckets: Bucket[];
  /** key: category name, or null when the view does not split by category */
  rows: SeriesRow<string | null>[];
  /** per bucket, over all rows */
  bucketTotals: Total[];
  total: Total;
}

export interface CounterView {
  buckets: Bucket[];
  rows: SeriesRow<CounterName>[];
}

const MAX_BUCKETS = 24 * 400;

/** The buckets of a selection, and where a source row's `b` falls among them. */
interface BucketPlan {
  buckets: Bucket[];
  /** bucket index of a row's `b`, or -1 outside the range */
  index: (b: number) => number;
  /** the stored rows that make up the buckets */
  range: StatsRange;
}

function zoned(sel: StatsSelection): boolean {
  return sel.granularity === 'day' && sel.timeZone !== undefined && sel.timeZone !== 'UTC';
}

function planOf(sel: StatsSelection): BucketPlan {
  if (!(sel.toMs > sel.fromMs)) throw new Error('stats: the range end must be after its start');
  const networkIds = sel.networkIds;
  if (zoned(sel)) {
    // local midnights, found by the zone's rules, so a day is 23 or 25 hours where clocks change
    const buckets: Bucket[] = [];
    let day = DateTime.fromMillis(sel.fromMs, { zone: sel.timeZone }).startOf('day');
    if (!day.isValid) throw new Error(`stats: unknown time zone "${sel.timeZone}"`);
    while (day.toMillis() < sel.toMs) {
      if (buckets.length >= MAX_BUCKETS / 24) throw new Error('stats: range too long for day granularity');
      buckets.push({ key: Math.floor(day.toMillis() / HOUR_MS), startMs: day.toMillis(), label: day.toISODate()! });
      day = day.plus({ days: 1 });
    }
    const firstHour = buckets[0].key;
    const endHour = Math.floor(day.toMillis() / HOUR_MS);
    const byHour = new Int32Array(endHour - firstHour);
    buckets.forEach((b, i) => byHour.fill(i, b.key - firstHour, (buckets[i + 1]?.key ?? endHour) - firstHour));
    return {
      buckets,
      index: (h) => (h >= firstHour && h < endHour ? byHour[h - firstHour] : -1),
      range: { grain: 'hour', first: firstHour, end: endHour, networkIds },
    };
  }
  const size = sel.granularity === 'hour' ? HOUR_MS : DAY_MS;
  const first = Math.floor(sel.fromMs / size);
  const end = Math.ceil(sel.toMs / size);
  if (end - first > MAX_BUCKETS) throw new Error(`stats: range too long for ${sel.granularity} granularity (${end - first} buckets)`);
  const buckets: Bucket[] = [];
  for (let k = first; k < end; k++) buckets.push({ key: k, startMs: k * size, label: sel.granularity === 'hour' ? isoHour(k) : isoDay(k) });
  return {
    buckets,
    index: (b) => (b >= first && b < end ? b - first : -1),
    range: { grain: sel.granularity, first, end, networkIds },
  };
}

function finishRow<K>(networkId: number | null, key: K, raw: Float64Array, below: number): SeriesRow<K> {
  const cells = Array.from(raw, (n) => suppress(n, below));
  return { networkId, key, cells, total: sumShown(cells) };
}

function networksOf(sel: StatsSelection, seen: Iterable<number>): number[] {
  return sel.networkIds ? [...new Set(sel.networkIds)] : [...new Set(seen)].sort((a, b) => a - b);
}

/**
 * Blocked queries over time, split by category and/or network. Every category in
 * `categories` (default: the well-known ones, plus any seen) gets a row even when empty, so a
 * row's presence reveals nothing. Blocks by services count as one SERVICE_CATEGORY row here;
 * with `services: true` the view is of services instead, one row per service id of the
 * catalog (every one, blocked or not), with the same suppression.
 */
export function blockedView(
  db: Db,
  sel: StatsSelection & { byCategory?: boolean; byNetwork?: boolean; categories?: readonly string[]; services?: boolean },
): BlockedView {
  const plan = planOf(sel);
  const { buckets } = plan;
  const byCategory = sel.byCategory ?? true;
  const byNetwork = sel.byNetwork ?? false;
  const rows0 = blockedRows(db, plan.range);
  const raw = sel.services
    ? rows0.flatMap((r) => { const id = serviceIdOf(r.cat); return id === null ? [] : [{ ...r, cat: id }]; })
    : rows0.map((r) => (serviceIdOf(r.cat) === null ? r : { ...r, cat: SERVICE_CATEGORY }));

  const known = sel.services ? serviceCatalog().services.map((s) => s.id) : (sel.categories ?? WELL_KNOWN_CATEGORIES);
  const cats = byCategory ? [...new Set([...known, ...raw.map((r) => r.cat)])] : [null];
  const nets = byNetwork ? networksOf(sel, raw.map((r) => r.net)) : [null];
  const grid = new Map<string, Float64Array>();
  const keyOf = (net: number | null, cat: string | null) => `${net}\u0000${cat}`;
  for (const n of nets) for (const c of cats) grid.set(keyOf(n, c), new Float64Array(buckets.length));
  for (const r of raw) {
    const g = grid.get(keyOf(byNetwork ? r.net : null, byCategory ? r.cat : null));
    const i = plan.index(r.b);
    if (g && i >= 0) g[i] += r.n;
  }
  const rows: SeriesRow<string | null>[] = [];
  for (const n of nets) for (const c of cats) rows.push(finishRow(n, c, grid.get(keyOf(n, c))!, sel.suppressBelow));
  const bucketTotals = buckets.map((_, i) => sumShown(rows.map((r) => r.cells[i])));
  return { buckets, rows, bucketTotals, total: sumShown(rows.flatMap((r) => r.cells)) };
}

/** Query counters (total, rewrites, cache hits, ...) over time, optionally per network. */
export function counterView(
  db: Db,
  sel: StatsSelection & { byNetwork?: boolean; counters?: readonly CounterName[] },
): CounterView {
  const plan = planOf(sel);
  const { buckets } = plan;
  const counters = sel.counters ?? COUNTER_NAMES;
  const byNetwork = sel.byNetwork ?? false;
  const raw = counterRows(db, plan.range);
  const nets = byNetwork ? networksOf(sel, raw.map((r) => r.net)) : [null];
  const rows: SeriesRow<CounterName>[] = [];
  for (const n of nets) {
    for (const counter of counters) {
      const series = new Float64Array(buckets.length);
      for (const r of raw) {
        const i = plan.index(r.b);
        if (i >= 0 && (n === null || r.net === n)) series[i] += r[counter];
      }
      rows.push(finishRow(n, counter, series, sel.suppressBelow));
    }
  }
  return { buckets, rows };
}

export interface BlockedDomain {
  domain: string;
  blocked: Cell;
}

/**
 * The most blocked names over a range, all networks combined (the only way they are kept).
 * Only names that reached the daily threshold were ever stored.
 */
export function topBlockedDomains(db: Db, range: { fromMs: number; toMs: number; suppressBelow: number }, limit = 100): BlockedDomain[] {
  const rows = topBlockedDomainRows(db, Math.floor(range.fromMs / DAY_MS), Math.ceil(range.toMs / DAY_MS), limit);
  return rows.map((r) => ({ domain: r.domain, blocked: suppress(r.n, range.suppressBelow) }));
}

/**
 * Network names by id: the live name from `networks`, else the snapshot kept with the
 * statistics (a deleted network), plus the unmatched pseudo network.
 */
export function networkNames(db: Db): Map<number, string> {
  const rows = statsNetworkNameRows(db);
  const out = new Map<number, string>([[UNMATCHED_NETWORK_ID, UNMATCHED_NETWORK_NAME]]);
  for (const r of rows) if (r.id !== UNMATCHED_NETWORK_ID) out.set(r.id, r.name);
  return out;
}

/** Network ids for names (as `networkNames` knows them); throws on an unknown name. */
export function networkIdsByName(db: Db, names: readonly string[]): number[] {
  const byName = new Map<string, number>();
  for (const [id, name] of networkNames(db)) byName.set(name, id);
  return names.map((n) => {
    const id = byName.get(n);
    if (id === undefined) throw new Error(`stats: unknown network "${n}"`);
    return id;
  });
}
