import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CategoryRegistry } from '../../resolver/src/lists/categories.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { Counter, countBlock } from '../../resolver/src/stats/network-counters.js';
import { RULE_CATEGORY, StatsRecorder, UNMATCHED_NETWORK_ID, type StatsRecorderOptions } from '../../resolver/src/stats/stats-recorder.js';
import { HOUR_MS } from '../../resolver/src/stats/time-buckets.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';

/** One blocked query of network `net` for `name`, handed over as the query path does: wire labels. */
function block(r: { recordBlockedName(net: number, b: Uint8Array, o: Int32Array, n: number): void }, name: string, net = 1): void {
  const w = WireName.fromText(name);
  r.recordBlockedName(net, w.buf, w.labelOffsets, w.labelCount);
}

const T0 = Date.UTC(2026, 10, 2, 9, 15); // 2026-11-02 09:15Z
const H0 = T0 / HOUR_MS - 0.25;

let dir: string;
let db: Db;
let now: number;
let recorder: StatsRecorder | undefined;

function make(extra: Partial<StatsRecorderOptions> = {}): StatsRecorder {
  recorder = new StatsRecorder(db, {
    flushIntervalS: 10,
    domainThreshold: 3,
    hourlyRetentionDays: 90,
    dailyRetentionDays: 730,
    categories: new CategoryRegistry(),
    now: () => now,
    ...extra,
  });
  return recorder;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ng-stats-'));
  db = openDatabase(join(dir, 'nestguard.db'));
  now = T0;
});
afterEach(() => {
  recorder?.stop();
  recorder = undefined;
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const hourly = () => db.prepare('SELECT * FROM stats_hourly ORDER BY hour, network_id').all();
const byCategory = () => db.prepare('SELECT hour, network_id, category, blocked FROM stats_category_hourly ORDER BY hour, network_id, category').all();

describe('StatsRecorder', () => {
  it('returns one stable counters object per network id', () => {
    const r = make();
    expect(r.countersFor(7)).toBe(r.countersFor(7, 'school-a'));
    expect(r.countersFor(7)).not.toBe(r.countersFor(8));
    expect(r.unmatched).toBe(r.countersFor(UNMATCHED_NETWORK_ID));
  });

  it('flushes counters into the current hour in one transaction and adds up across flushes', () => {
    const r = make();
    const c = r.countersFor(1, 'school-a');
    c.totals[Counter.Total] += 10;
    countBlock(c, 0); // adult
    countBlock(c, 0);
    countBlock(c, -1); // a policy's own deny rule
    c.totals[Counter.CacheHit] += 4;
    r.unmatched.totals[Counter.Refused] += 2;

    let commits = 0;
    const realTx = db.transaction.bind(db);
    (db as { transaction: typeof db.transaction }).transaction = ((fn: never) => {
      const tx = realTx(fn);
      return (...a: unknown[]) => { commits++; return (tx as (...x: unknown[]) => unknown)(...a); };
    }) as typeof db.transaction;
    r.flush();
    expect(commits).toBe(1);
    expect(c.totals.every((v) => v === 0)).toBe(true);
    expect(c.blockedByCategory.every((v) => v === 0)).toBe(true);

    c.totals[Counter.Total] += 5;
    countBlock(c, 0);
    now += 5000;
    r.flush();

    expect(hourly()).toEqual([
      { hour: H0, network_id: 0, total: 0, blocked: 0, rewritten: 0, cache_hits: 0, upstream_errors: 0, refused: 2, rate_limited: 0 },
      { hour: H0, network_id: 1, total: 15, blocked: 4, rewritten: 0, cache_hits: 4, upstream_errors: 0, refused: 0, rate_limited: 0 },
    ]);
    expect(byCategory()).toEqual([
      { hour: H0, network_id: 1, category: RULE_CATEGORY, blocked: 1 },
      { hour: H0, network_id: 1, category: 'adult', blocked: 3 },
    ]);
    expect(db.prepare('SELECT network_id, name FROM stats_networks ORDER BY network_id').all()).toEqual([
      { network_id: 0, name: 'unmatched' },
      { network_id: 1, name: 'school-a' },
    ]);
  });

  it('puts counts in the hour they were counted in, and a new hour in a new row', () => {
    const r = make();
    const c = r.countersFor(1);
    c.totals[Counter.Total] = 3;
    now = T0 + HOUR_MS; // the boundary flush runs just after 10:00
    r.flush();
    c.totals[Counter.Total] = 4;
    now += 1000;
    r.flush();
    expect(hourly().map((x) => [(x as { hour: number }).hour, (x as { total: number }).total])).toEqual([[H0, 3], [H0 + 1, 4]]);
  });

  it('stop() writes everything still in memory', () => {
    const r = make();
    r.start();
    const c = r.countersFor(3);
    for (let i = 0; i < 1234; i++) c.totals[Counter.Total]++;
    for (let i = 0; i < 10; i++) block(r, 'ads.example.org', 1 + (i % 3));
    r.stop();
    recorder = undefined;
    expect((hourly()[0] as { total: number }).total).toBe(1234);
    expect(db.prepare('SELECT domain, blocked FROM stats_blocked_domains').all()).toEqual([{ domain: 'ads.example.org', blocked: 10 }]);
  });

  it('keeps the counts in memory when a flush fails, and writes them on the next one', () => {
    const errors: Error[] = [];
    const r = make({ onError: (e) => errors.push(e) });
    const c = r.countersFor(1);
    c.totals[Counter.Total] = 5;
    db.exec('ALTER TABLE stats_hourly RENAME TO stats_hourly_away');
    r.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/^stats: /);
    expect(c.totals[Counter.Total]).toBe(5);
    db.exec('ALTER TABLE stats_hourly_away RENAME TO stats_hourly');
    c.totals[Counter.Total] += 1;
    r.flush();
    expect((hourly()[0] as { total: number }).total).toBe(6);
  });
});

describe('blocked domains', () => {
  const domains = () => db.prepare('SELECT day, domain, blocked FROM stats_blocked_domains ORDER BY day, domain').all();

  it('never writes a name blocked for fewer than k distinct networks, and adds up once k is reached', () => {
    const r = make({ domainThreshold: 3 });
    block(r, 'rare.example.org', 1);
    block(r, 'Often.Example.org.', 1);
    block(r, 'often.example.org', 2);
    r.flush();
    expect(domains()).toEqual([]);
    block(r, 'often.example.org', 3); // a 3rd network today: reaches k
    block(r, 'rare.example.org', 1);
    r.flush();
    const day = Math.floor(T0 / 86_400_000);
    expect(domains()).toEqual([{ day, domain: 'often.example.org', blocked: 3 }]);
    block(r, 'often.example.org', 1);
    r.flush();
    r.flush();
    expect(domains()).toEqual([{ day, domain: 'often.example.org', blocked: 4 }]);
  });

  it('one network alone never reaches k, however often it retries a name', () => {
    const r = make({ domainThreshold: 3 });
    for (let i = 0; i < 500; i++) block(r, 'child-retrying.example.org', 7);
    block(r, 'child-retrying.example.org', 8);
    r.flush();
    for (let i = 0; i < 500; i++) block(r, 'child-retrying.example.org', 8);
    r.flush();
    expect(domains()).toEqual([]);
    block(r, 'child-retrying.example.org', 9);
    r.flush();
    expect(domains()).toEqual([{ day: Math.floor(T0 / 86_400_000), domain: 'child-retrying.example.org', blocked: 1002 }]);
  });

  it('forgets names below k at the end of the day', () => {
    const r = make({ domainThreshold: 3 });
    block(r, 'late.example.org', 1);
    block(r, 'late.example.org', 2);
    now = Date.UTC(2026, 10, 3, 0, 0, 1);
    r.flush(); // the midnight flush
    block(r, 'late.example.org', 3);
    r.flush();
    expect(domains()).toEqual([]);
  });

  it('bounds the number of distinct names kept per day', () => {
    const r = make({ domainThreshold: 2, maxDomainsPerDay: 100 });
    for (let i = 0; i < 1000; i++) block(r, `n${i}.example.org`, 1);
    r.flush();
    for (let i = 0; i < 1000; i++) block(r, `n${i}.example.org`, 2);
    expect(r.droppedDomainBlocks).toBe(1800);
    r.flush();
    expect((db.prepare('SELECT COUNT(*) AS n FROM stats_blocked_domains').get() as { n: number }).n).toBe(100);
  });
});
