import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { blockedView, counterView, networkIdsByName, networkNames, topBlockedDomains } from '../../resolver/src/stats/stats-query.js';
import { rollUp } from '../../resolver/src/stats/stats-retention.js';
import { sumShown, suppress } from '../../resolver/src/stats/suppression.js';
import { DAY_MS, HOUR_MS } from '../../resolver/src/stats/time-buckets.js';

let dir: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ng-stats-q-'));
  db = openDatabase(join(dir, 'nestguard.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const D = (iso: string) => Date.parse(iso);
const hourOf = (iso: string) => D(iso) / HOUR_MS;

function addHourly(iso: string, net: number, total: number, category?: string, blocked = 0): void {
  db.prepare(`INSERT INTO stats_hourly (hour, network_id, total, blocked) VALUES (?, ?, ?, ?)
    ON CONFLICT (hour, network_id) DO UPDATE SET total = total + excluded.total, blocked = blocked + excluded.blocked`).run(hourOf(iso), net, total, blocked);
  if (category) db.prepare('INSERT INTO stats_category_hourly VALUES (?, ?, ?, ?)').run(hourOf(iso), net, category, blocked);
}

describe('suppression', () => {
  it('shows counts from 1 to k-1 as "<k", and a true zero as 0', () => {
    expect(suppress(0, 5)).toEqual({ value: 0, suppressed: false, display: '0' });
    expect(suppress(1, 5)).toEqual({ value: null, suppressed: true, display: '<5' });
    expect(suppress(4, 5)).toEqual({ value: null, suppressed: true, display: '<5' });
    expect(suppress(5, 5)).toEqual({ value: 5, suppressed: false, display: '5' });
  });

  it('totals only what is shown, so a suppressed cell cannot be recovered by subtraction', () => {
    const cells = [suppress(40, 5), suppress(3, 5), suppress(7, 5)];
    const t = sumShown(cells);
    expect(t).toEqual({ value: 47, partial: true, display: '≥ 47' });
    expect(t.value - 40 - 7).toBe(0);
    expect(sumShown([suppress(9, 5)])).toEqual({ value: 9, partial: false, display: '9' });
    expect(sumShown([suppress(9, 5), suppress(0, 5)])).toEqual({ value: 9, partial: false, display: '9' });
  });
});

describe('blockedView', () => {
  it('gives a day series by category with suppressed cells and consistent totals', () => {
    addHourly('2026-11-01T08:00Z', 1, 100, 'adult', 30);
    addHourly('2026-11-01T09:00Z', 1, 100, 'adult', 12);
    addHourly('2026-11-01T09:00Z', 2, 50, 'adult', 2);
    addHourly('2026-11-02T10:00Z', 1, 100, 'gambling', 3);
    addHourly('2026-11-03T10:00Z', 2, 100, 'gambling', 9);
    const v = blockedView(db, { fromMs: D('2026-11-01T00:00Z'), toMs: D('2026-11-04T00:00Z'), granularity: 'day', suppressBelow: 5, categories: ['adult', 'gambling'] });
    expect(v.buckets.map((b) => b.label)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    const adult = v.rows.find((r) => r.key === 'adult')!;
    const gambling = v.rows.find((r) => r.key === 'gambling')!;
    expect(adult.cells.map((c) => c.display)).toEqual(['44', '0', '0']);
    expect(adult.total.display).toBe('44'); // true zeros hide nothing
    expect(gambling.cells.map((c) => c.display)).toEqual(['0', '<5', '9']);
    expect(gambling.total.display).toBe('≥ 9');
    // every total is the sum of shown cells: day 2's 3 blocks appear nowhere
    expect(v.bucketTotals.map((t) => t.display)).toEqual(['44', '≥ 0', '9']);
    expect(v.total).toEqual({ value: 53, partial: true, display: '≥ 53' });
    // well-known categories get rows even when empty, so a row's presence reveals nothing
    const all = blockedView(db, { fromMs: D('2026-11-01T00:00Z'), toMs: D('2026-11-04T00:00Z'), granularity: 'day', suppressBelow: 5 });
    expect(all.rows.map((r) => r.key)).toContain('violence');
  });

  it('splits by network and filters networks; hour granularity reads hourly rows', () => {
    addHourly('2026-11-01T09:00Z', 1, 100, 'adult', 12);
    addHourly('2026-11-01T09:00Z', 2, 50, 'adult', 6);
    const sel = { fromMs: D('2026-11-01T08:30Z'), toMs: D('2026-11-01T10:00Z'), granularity: 'hour' as const, suppressBelow: 5, categories: ['adult'] };
    const split = blockedView(db, { ...sel, byNetwork: true });
    expect(split.buckets.map((b) => b.label)).toEqual(['2026-11-01T08:00Z', '2026-11-01T09:00Z']);
    expect(split.rows.map((r) => [r.networkId, r.key, r.cells.map((c) => c.display)])).toEqual([
      [1, 'adult', ['0', '12']],
      [2, 'adult', ['0', '6']],
    ]);
    const only2 = blockedView(db, { ...sel, networkIds: [2] });
    expect(only2.total.value).toBe(6);
    const combined = blockedView(db, { ...sel, byCategory: false });
    expect(combined.rows.map((r) => [r.networkId, r.key, r.total.display])).toEqual([[null, null, '18']]);
  });
});

describe('days in a network\'s time zone', () => {
  it('sums the hourly rows into local days (Asia/Ho_Chi_Minh, UTC+7)', () => {
    addHourly('2026-11-01T16:00Z', 1, 10, 'adult', 20); // 23:00 on 1 November in Hanoi
    addHourly('2026-11-01T17:00Z', 1, 10, 'adult', 30); // 00:00 on 2 November in Hanoi
    const sel = { fromMs: D('2026-10-31T17:00Z'), toMs: D('2026-11-02T17:00Z'), granularity: 'day' as const, suppressBelow: 5, categories: ['adult'] };
    const utc = blockedView(db, { fromMs: D('2026-11-01T00:00Z'), toMs: D('2026-11-03T00:00Z'), granularity: 'day', suppressBelow: 5, categories: ['adult'] });
    expect(utc.rows[0].cells.map((c) => c.display)).toEqual(['50', '0']);
    const local = blockedView(db, { ...sel, timeZone: 'Asia/Ho_Chi_Minh' });
    expect(local.buckets.map((b) => b.label)).toEqual(['2026-11-01', '2026-11-02']);
    expect(local.rows[0].cells.map((c) => c.display)).toEqual(['20', '30']);
  });

  it('a day where clocks change has its own length (Europe/Berlin, 25 October 2026: 25 hours)', () => {
    addHourly('2026-10-25T22:00Z', 1, 10, 'adult', 7); // 23:00 local, still 25 October (the 25th hour)
    const v = blockedView(db, { fromMs: D('2026-10-24T22:00Z'), toMs: D('2026-10-25T23:00Z'), granularity: 'day', suppressBelow: 5, categories: ['adult'], timeZone: 'Europe/Berlin' });
    expect(v.buckets.map((b) => b.label)).toEqual(['2026-10-25']);
    expect(v.rows[0].cells[0].display).toBe('7');
  });
});

describe('counterView', () => {
  it('sums counters per bucket and suppresses small ones', () => {
    addHourly('2026-11-01T09:00Z', 1, 100);
    addHourly('2026-11-01T23:00Z', 2, 3);
    const v = counterView(db, { fromMs: D('2026-11-01T00:00Z'), toMs: D('2026-11-02T00:00Z'), granularity: 'day', suppressBelow: 5, counters: ['total', 'blocked', 'refused'] });
    expect(v.rows.map((r) => [r.key, r.cells[0].display])).toEqual([['total', '103'], ['blocked', '0'], ['refused', '0']]);
    addHourly('2026-11-01T23:00Z', 2, 0, undefined, 3);
    expect(counterView(db, { fromMs: D('2026-11-01T00:00Z'), toMs: D('2026-11-02T00:00Z'), granularity: 'day', suppressBelow: 5, counters: ['blocked'] }).rows[0].cells[0].display).toBe('<5');
  });
});

describe('rollUp', () => {
  it('moves hourly rows older than the hourly retention into daily rows and drops old daily rows', () => {
    const now = D('2026-11-30T12:00Z');
    addHourly('2026-08-01T05:00Z', 1, 10, 'adult', 6); // older than 90 days: rolled up
    addHourly('2026-08-01T17:00Z', 1, 20, 'adult', 4);
    addHourly('2026-11-29T05:00Z', 1, 7, 'adult', 7); // recent: stays hourly
    db.prepare('INSERT INTO stats_daily (day, network_id, total) VALUES (?, 1, 99)').run(D('2024-01-01T00:00Z') / DAY_MS); // older than 730 days
    db.prepare('INSERT INTO stats_blocked_domains VALUES (?, ?, ?)').run(D('2026-08-01T00:00Z') / DAY_MS, 'old.example.org', 50);
    db.prepare('INSERT INTO stats_blocked_domains VALUES (?, ?, ?)').run(D('2026-11-29T00:00Z') / DAY_MS, 'new.example.org', 50);

    const sel = { fromMs: D('2026-07-01T00:00Z'), toMs: D('2026-12-01T00:00Z'), granularity: 'day' as const, suppressBelow: 1, categories: ['adult'] };
    const before = blockedView(db, sel);
    const r = rollUp(db, now, { hourlyRetentionDays: 90, dailyRetentionDays: 730 });
    expect(r).toEqual({ hourlyRowsMoved: 4, dailyRowsDeleted: 1, domainRowsDeleted: 1 });

    expect(db.prepare('SELECT day, network_id, total, blocked FROM stats_daily').all()).toEqual([
      { day: D('2026-08-01T00:00Z') / DAY_MS, network_id: 1, total: 30, blocked: 10 },
    ]);
    expect(db.prepare('SELECT category, blocked FROM stats_category_daily').all()).toEqual([{ category: 'adult', blocked: 10 }]);
    expect(db.prepare('SELECT hour FROM stats_hourly').pluck().all()).toEqual([hourOf('2026-11-29T05:00Z')]);
    expect(db.prepare('SELECT domain FROM stats_blocked_domains').pluck().all()).toEqual(['new.example.org']);
    // day views read the same before and after: each count lives in exactly one table
    expect(blockedView(db, sel).total).toEqual(before.total);
    expect(blockedView(db, sel).total.value).toBe(17);
    // running it again changes nothing
    expect(rollUp(db, now, { hourlyRetentionDays: 90, dailyRetentionDays: 730 })).toEqual({ hourlyRowsMoved: 0, dailyRowsDeleted: 0, domainRowsDeleted: 0 });
  });
});

describe('names and domains', () => {
  it('names networks from the networks table, else from the snapshot kept with the stats', () => {
    db.prepare("INSERT INTO policies (id, name) VALUES (1, 'default')").run();
    db.prepare('INSERT INTO networks (id, name, policy_id) VALUES (1, ?, 1)').run('school-a');
    db.prepare('INSERT INTO stats_networks VALUES (1, ?), (2, ?)').run('old-name', 'deleted-school');
    expect([...networkNames(db)]).toEqual([[0, 'unmatched'], [2, 'deleted-school'], [1, 'school-a']]);
    expect(networkIdsByName(db, ['school-a', 'unmatched'])).toEqual([1, 0]);
    expect(() => networkIdsByName(db, ['nope'])).toThrow(/^stats: unknown network "nope"/);
  });

  it('lists the most blocked names over a range', () => {
    const day = D('2026-11-02T00:00Z') / DAY_MS;
    db.prepare('INSERT INTO stats_blocked_domains VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)').run(day, 'a.example.org', 10, day + 1, 'a.example.org', 12, day, 'b.example.org', 30);
    expect(topBlockedDomains(db, { fromMs: D('2026-11-01T00:00Z'), toMs: D('2026-11-04T00:00Z'), suppressBelow: 5 }).map((d) => [d.domain, d.blocked.display])).toEqual([
      ['b.example.org', '30'],
      ['a.example.org', '22'],
    ]);
  });
});
