import { DateTime } from 'luxon';
import { WELL_KNOWN_CATEGORIES } from '../lists/categories.js';
import type { Db } from '../store/database.js';
import { loadNetworks } from '../store/network-repository.js';
import type { CounterName } from './network-counters.js';
import { blockedView, counterView, networkNames, type BlockedView, type CounterView } from './stats-query.js';
import { RULE_CATEGORY, SERVICE_CATEGORY, UNMATCHED_NETWORK_ID } from './stats-recorder.js';
import { DAY_MS, parseIsoDay } from './time-buckets.js';

// What a periodic report publishes, gathered once and rendered as CSV or HTML: one view per
// measure at one grain (day x category, the selected networks combined), so every number in
// it is a sum of shown cells and nothing suppressed can be recovered. "blocked" is published
// only by category: a per-day blocked counter beside per-day category cells would give back
// the suppressed ones by subtraction.
//
// Days are the networks' own days (their time zone, Asia/Ho_Chi_Minh unless set), as a school
// or an authority counts them. That needs the hourly rows: a range older than their retention,
// or networks in different zones, is reported in UTC days and says so.

export const REPORT_COUNTERS: readonly CounterName[] = ['total', 'rewritten', 'cache_hits', 'upstream_errors', 'refused'];

export interface ReportRequest {
  /** first day, `YYYY-MM-DD` */
  from: string;
  /** last day, inclusive */
  to: string;
  /** networks to include; all when absent */
  networkIds?: readonly number[];
  suppressBelow: number;
  /** stats.hourly_retention_days: how far back days can follow a time zone */
  hourlyRetentionDays: number;
  /** epoch ms; defaults to now */
  generatedAtMs?: number;
}

/** Why a report is in UTC days rather than its networks' own. */
export type UtcReason = 'no-network' | 'mixed-zones' | 'beyond-hourly';

export interface ReportData {
  from: string;
  to: string;
  /** the IANA zone the days (and the generation time) are in, or "UTC" */
  timeZone: string;
  /** set when the days are UTC days though the networks have a zone of their own */
  utcReason: Exclude<UtcReason, 'no-network'> | null;
  /** `YYYY-MM-DD HH:MM` in `timeZone` */
  generatedAt: string;
  /** network names in the report, or null for all networks */
  networks: string[] | null;
  suppressBelow: number;
  blocked: BlockedView;
  queries: CounterView;
}

function zoneOf(db: Db, ids: readonly number[] | undefined): { zone: string; reason: UtcReason | null } {
  const zones = new Set(loadNetworks(db).filter((n) => !ids || ids.includes(n.id)).map((n) => n.timezone));
  if (zones.size === 1) return { zone: [...zones][0], reason: null };
  return { zone: 'UTC', reason: zones.size === 0 ? 'no-network' : 'mixed-zones' };
}

export function buildReport(db: Db, req: ReportRequest): ReportData {
  parseIsoDay(req.from);
  parseIsoDay(req.to);
  if (req.to < req.from) throw new Error(`report: --to (${req.to}) is before --from (${req.from})`);
  const generated = req.generatedAtMs ?? Date.now();
  let { zone, reason } = zoneOf(db, req.networkIds?.filter((id) => id !== UNMATCHED_NETWORK_ID));
  const startIn = (z: string) => DateTime.fromISO(req.from, { zone: z }).toMillis();
  if (zone !== 'UTC' && startIn(zone) < generated - req.hourlyRetentionDays * DAY_MS) {
    zone = 'UTC';
    reason = 'beyond-hourly';
  }
  const fromMs = startIn(zone);
  const toMs = DateTime.fromISO(req.to, { zone }).plus({ days: 1 }).toMillis();
  const sel = { fromMs, toMs, granularity: 'day' as const, networkIds: req.networkIds, suppressBelow: req.suppressBelow, timeZone: zone };
  const names = networkNames(db);
  return {
    from: req.from,
    to: req.to,
    timeZone: zone,
    utcReason: reason === 'no-network' ? null : reason,
    generatedAt: DateTime.fromMillis(generated, { zone }).toFormat('yyyy-MM-dd HH:mm'),
    networks: req.networkIds ? req.networkIds.map((id) => names.get(id) ?? `#${id}`) : null,
    suppressBelow: req.suppressBelow,
    blocked: blockedView(db, { ...sel, categories: [...WELL_KNOWN_CATEGORIES, SERVICE_CATEGORY, RULE_CATEGORY] }),
    queries: counterView(db, { ...sel, counters: REPORT_COUNTERS }),
  };
}
