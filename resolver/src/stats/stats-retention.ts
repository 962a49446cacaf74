import type { Db } from '../store/database.js';
import { COUNTER_NAMES } from './network-counters.js';
import { epochDay } from './time-buckets.js';

// Hourly detail is kept for a while, then moved into daily rows, which are kept longer;
// the oldest daily rows are deleted. Moving (not copying) keeps each count in one table.
// Whole UTC days are moved, so a daily row is never half hourly and half daily.

export interface RetentionPolicy {
  hourlyRetentionDays: number;
  dailyRetentionDays: number;
}

export interface RollUpResult {
  hourlyRowsMoved: number;
  dailyRowsDeleted: number;
  domainRowsDeleted: number;
}

const COUNTERS = COUNTER_NAMES.join(', ');
const SUMS = COUNTER_NAMES.map((c) => `SUM(${c})`).join(', ');
const ADD = COUNTERS.split(', ').map((c) => `${c} = ${c} + excluded.${c}`).join(', ');

export function rollUp(db: Db, nowMs: number, policy: RetentionPolicy): RollUpResult {
  const today = epochDay(nowMs);
  // the first day still kept hourly / daily
  const hourlyFrom = (today - policy.hourlyRetentionDays) * 24;
  const dailyFrom = today - policy.dailyRetentionDays;
  const run = db.transaction((): RollUpResult => {
    db.prepare(
      `INSERT INTO stats_daily (day, network_id, ${COUNTERS})
       SELECT hour / 24, network_id, ${SUMS} FROM stats_hourly WHERE hour < ? GROUP BY hour / 24, network_id
       ON CONFLICT (day, network_id) DO UPDATE SET ${ADD}`,
    ).run(hourlyFrom);
    db.prepare(
      `INSERT INTO stats_category_daily (day, network_id, category, blocked)
       SELECT hour / 24, network_id, category, SUM(blocked) FROM stats_category_hourly WHERE hour < ?
       GROUP BY hour / 24, network_id, category
       ON CONFLICT (day, network_id, category) DO UPDATE SET blocked = blocked + excluded.blocked`,
    ).run(hourlyFrom);
    const moved =
      db.prepare('DELETE FROM stats_hourly WHERE hour < ?').run(hourlyFrom).changes +
      db.prepare('DELETE FROM stats_category_hourly WHERE hour < ?').run(hourlyFrom).changes;
    const dailyDeleted =
      db.prepare('DELETE FROM stats_daily WHERE day < ?').run(dailyFrom).changes +
      db.prepare('DELETE FROM stats_category_daily WHERE day < ?').run(dailyFrom).changes;
    // blocked names serve list tuning, which is about recent traffic: they follow the
    // shorter, hourly retention
    const domains = db.prepare('DELETE FROM stats_blocked_domains WHERE day < ?').run(today - policy.hourlyRetentionDays).changes;
    return { hourlyRowsMoved: moved, dailyRowsDeleted: dailyDeleted, domainRowsDeleted: domains };
  });
  return run();
}
