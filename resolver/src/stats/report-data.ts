import { WELL_KNOWN_CATEGORIES } from '../lists/categories.js';
import type { Db } from '../store/database.js';
import type { CounterName } from './network-counters.js';
import { blockedView, counterView, networkNames, type BlockedView, type CounterView } from './stats-query.js';
import { RULE_CATEGORY } from './stats-recorder.js';
import { DAY_MS, parseIsoDay } from './time-buckets.js';

// What a periodic report publishes, gathered once and rendered as CSV or HTML: one view per
// measure at one grain (UTC day x category, the selected networks combined), so every
// number in it is a sum of shown cells and nothing suppressed can be recovered. "blocked"
// is published only by category: a per-day blocked counter beside per-day category cells
// would give back the suppressed ones by subtraction.

export const REPORT_COUNTERS: readonly CounterName[] = ['total', 'rewritten', 'cache_hits', 'upstream_errors', 'refused'];

export interface ReportRequest {
  /** first day, `YYYY-MM-DD` (UTC) */
  from: string;
  /** last day, inclusive */
  to: string;
  /** networks to include; all when absent */
  networkIds?: readonly number[];
  suppressBelow: number;
  /** epoch ms; defaults to now */
  generatedAtMs?: number;
}

export interface ReportData {
  from: string;
  to: string;
  /** `YYYY-MM-DDTHH:MM:SSZ` */
  generatedAt: string;
  /** network names in the report, or null for all networks */
  networks: string[] | null;
  suppressBelow: number;
  blocked: BlockedView;
  queries: CounterView;
}

export function buildReport(db: Db, req: ReportRequest): ReportData {
  const fromMs = parseIsoDay(req.from);
  const toMs = parseIsoDay(req.to) + DAY_MS;
  if (toMs <= fromMs) throw new Error(`report: --to (${req.to}) is before --from (${req.from})`);
  const sel = { fromMs, toMs, granularity: 'day' as const, networkIds: req.networkIds, suppressBelow: req.suppressBelow };
  const names = networkNames(db);
  return {
    from: req.from,
    to: req.to,
    generatedAt: new Date(req.generatedAtMs ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    networks: req.networkIds ? req.networkIds.map((id) => names.get(id) ?? `#${id}`) : null,
    suppressBelow: req.suppressBelow,
    blocked: blockedView(db, { ...sel, categories: [...WELL_KNOWN_CATEGORIES, RULE_CATEGORY] }),
    queries: counterView(db, { ...sel, counters: REPORT_COUNTERS }),
  };
}
