import { COUNTER_NAMES, type CounterName } from '../stats/network-counters.js';
import type { Db } from './database.js';

// The SQL of statistics: aggregate rows per hour (or day), network and category, and the
// daily tally of blocked names. The stats module decides what to count and when to write;
// this file alone knows the tables. Nothing here holds a client address.

const COLS = COUNTER_NAMES.join(', ');
const SUMS = COUNTER_NAMES.map((c) => `SUM(${c})`).join(', ');
const ADD = COUNTER_NAMES.map((c) => `${c} = ${c} + excluded.${c}`).join(', ');

/** One network's counts of one flush. */
export interface FlushRow {
  networkId: number;
  /** COUNTER_NAMES order; all zero = nothing to add */
  totals: Float64Array;
  /** blocked queries by category name */
  byCategory: Array<[string, number]>;
  /** the network's name, when it changed since the last write */
  name?: string;
}

export interface StatsWriter {
  /** Adds one flush to the hour's rows and the day's blocked names, in one transaction. */
  write(hour: number, rows: readonly FlushRow[], day: number, domains: ReadonlyArray<{ domain: string; delta: number }>): void;
}

export function statsWriter(db: Db): StatsWriter {
  const hourly = db.prepare(
    `INSERT INTO stats_hourly (hour, network_id, ${COLS}) VALUES (?, ?, ${COUNTER_NAMES.map(() => '?').join(', ')})
     ON CONFLICT (hour, network_id) DO UPDATE SET ${ADD}`,
  );
  const category = db.prepare(
    `INSERT INTO stats_category_hourly (hour, network_id, category, blocked) VALUES (?, ?, ?, ?)
     ON CONFLICT (hour, network_id, category) DO UPDATE SET blocked = blocked + excluded.blocked`,
  );
  const domain = db.prepare(
    `INSERT INTO stats_blocked_domains (day, domain, blocked) VALUES (?, ?, ?)
     ON CONFLICT (day, domain) DO UPDATE SET blocked = blocked + excluded.blocked`,
  );
  const name = db.prepare(
    `INSERT INTO stats_networks (network_id, name) VALUES (?, ?)
     ON CONFLICT (network_id) DO UPDATE SET name = excluded.name`,
  );
  return {
    write(hour, rows, day, domains) {
      db.transaction(() => {
        for (const r of rows) {
          if (r.totals.some((n) => n !== 0)) hourly.run(hour, r.networkId, ...r.totals);
          for (const [cat, n] of r.byCategory) category.run(hour, r.networkId, cat, n);
          if (r.name !== undefined) name.run(r.networkId, r.name);
        }
        for (const d of domains) domain.run(day, d.domain, d.delta);
      })();
    },
  };
}

export interface RollUpBounds {
  /** the first epoch hour kept hourly: older hours move into daily rows */
  hourlyFrom: number;
  /** the first epoch day kept as daily rows */
  dailyFrom: number;
  /** the first epoch day of blocked names kept */
  domainsFrom: number;
}

export interface RollUpResult {
  hourlyRowsMoved: number;
  dailyRowsDeleted: number;
  domainRowsDeleted: number;
}

/** Moves (not copies) whole old days of hourly rows into daily ones and deletes what expired, in one transaction. */
export function rollUpStats(db: Db, b: RollUpBounds): RollUpResult {
  return db.transaction((): RollUpResult => {
    db.prepare(
      `INSERT INTO stats_daily (day, network_id, ${COLS})
       SELECT hour / 24, network_id, ${SUMS} FROM stats_hourly WHERE hour < ? GROUP BY hour / 24, network_id
       ON CONFLICT (day, network_id) DO UPDATE SET ${ADD}`,
    ).run(b.hourlyFrom);
    db.prepare(
      `INSERT INTO stats_category_daily (day, network_id, category, blocked)
       SELECT hour / 24, network_id, category, SUM(blocked) FROM stats_category_hourly WHERE hour < ?
       GROUP BY hour / 24, network_id, category
       ON CONFLICT (day, network_id, category) DO UPDATE SET blocked = blocked + excluded.blocked`,
    ).run(b.hourlyFrom);
    const moved =
      db.prepare('DELETE FROM stats_hourly WHERE hour < ?').run(b.hourlyFrom).changes +
      db.prepare('DELETE FROM stats_category_hourly WHERE hour < ?').run(b.hourlyFrom).changes;
    const dailyDeleted =
      db.prepare('DELETE FROM stats_daily WHERE day < ?').run(b.dailyFrom).changes +
      db.prepare('DELETE FROM stats_category_daily WHERE day < ?').run(b.dailyFrom).changes;
    const domains = db.prepare('DELETE FROM stats_blocked_domains WHERE day < ?').run(b.domainsFrom).changes;
    return { hourlyRowsMoved: moved, dailyRowsDeleted: dailyDeleted, domainRowsDeleted: domains };
  })();
}

/**
 * The rows a view reads: `hour` = hourly rows with hour in [first, end) (b = the hour);
 * `day` = daily rows with day in [first, end) plus the hourly rows of those days not yet
 * rolled up (b = the day). `networkIds` narrows to those networks.
 */
export interface StatsRange {
  grain: 'hour' | 'day';
  first: number;
  end: number;
  networkIds?: readonly number[];
}

function source(r: StatsRange, hourly: string, daily: string, cols: string): { sql: string; args: number[] } {
  const ids = r.networkIds ?? null;
  const nf = ids === null ? '' : ` AND network_id IN (${ids.map(() => '?').join(', ')})`;
  const na = ids === null ? [] : [...ids];
  if (r.grain === 'hour') return { sql: `SELECT hour AS b, network_id, ${cols} FROM ${hourly} WHERE hour >= ? AND hour < ?${nf}`, args: [r.first, r.end, ...na] };
  return {
    sql: `SELECT day AS b, network_id, ${cols} FROM ${daily} WHERE day >= ? AND day < ?${nf}
          UNION ALL
          SELECT hour / 24 AS b, network_id, ${cols} FROM ${hourly} WHERE hour >= ? AND hour < ?${nf}`,
    args: [r.first, r.end, ...na, r.first * 24, r.end * 24, ...na],
  };
}

/** Blocked queries per bucket, network and category. */
export function blockedRows(db: Db, r: StatsRange): Array<{ b: number; net: number; cat: string; n: number }> {
  const src = source(r, 'stats_category_hourly', 'stats_category_daily', 'category, blocked');
  return db
    .prepare(`SELECT b, network_id AS net, category AS cat, SUM(blocked) AS n FROM (${src.sql}) GROUP BY b, network_id, category`)
    .all(...src.args) as Array<{ b: number; net: number; cat: string; n: number }>;
}

/** Every counter per bucket and network. */
export function counterRows(db: Db, r: StatsRange): Array<{ b: number; net: number } & Record<CounterName, number>> {
  const src = source(r, 'stats_hourly', 'stats_daily', COLS);
  return db
    .prepare(`SELECT b, network_id AS net, ${COUNTER_NAMES.map((c) => `SUM(${c}) AS ${c}`).join(', ')} FROM (${src.sql}) GROUP BY b, network_id`)
    .all(...src.args) as Array<{ b: number; net: number } & Record<CounterName, number>>;
}

/** The most blocked names over epoch days [fromDay, endDay), all networks combined. */
export function topBlockedDomainRows(db: Db, fromDay: number, endDay: number, limit: number): Array<{ domain: string; n: number }> {
  return db
    .prepare(
      `SELECT domain, SUM(blocked) AS n FROM stats_blocked_domains WHERE day >= ? AND day < ?
       GROUP BY domain ORDER BY n DESC, domain LIMIT ?`,
    )
    .all(fromDay, endDay, limit) as Array<{ domain: string; n: number }>;
}

/** Network names by id: the live name, else the name kept with the statistics (a deleted network). */
export function statsNetworkNameRows(db: Db): Array<{ id: number; name: string }> {
  return db
    .prepare(
      `SELECT network_id AS id, name FROM stats_networks WHERE network_id NOT IN (SELECT id FROM networks)
       UNION ALL SELECT id, name FROM networks`,
    )
    .all() as Array<{ id: number; name: string }>;
}
