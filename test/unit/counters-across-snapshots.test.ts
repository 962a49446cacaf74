import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ResponseCache } from '../../resolver/src/cache/response-cache.js';
import { categories } from '../../resolver/src/lists/categories.js';
import { compileRules } from '../../resolver/src/lists/domain-matcher.js';
import { PolicyService } from '../../resolver/src/policy/policy-service.js';
import { QueryHandler, type Responder } from '../../resolver/src/server/query-handler.js';
import { importConfig } from '../../resolver/src/store/config-import.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { StatsRecorder } from '../../resolver/src/stats/stats-recorder.js';
import { buildQuery } from '../helpers/dns-message.js';

// Policy snapshots hold no statistics: the query path finds a network's counters by its id.
// A policy edit builds new network objects; the counts made before and after it must land in
// the same counters and add up in SQLite.

const silent = pino({ level: 'silent' });
const games = compileRules(['game.test'], categories.bit('games')!, 'test').matcher;
const never: Responder<null> = { deliver: () => { throw new Error('a blocked or refused query answers at once'); } };
const noUpstream = { query: () => Promise.reject(new Error('no upstream in this test')) };

let dir: string;
let db: Db;
let policy: PolicyService;
let stats: StatsRecorder;
let handler: QueryHandler;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-counters-'));
  db = openDatabase(join(dir, 'nestguard.db'));
  const config = {
    policies: [{ name: 'school', block: ['games'] }],
    networks: [{ name: 'lab', policy: 'school', cidrs: ['127.0.0.0/8'] }],
  };
  stats = new StatsRecorder(db, { flushIntervalS: 3600, domainThreshold: 1, hourlyRetentionDays: 90, dailyRetentionDays: 730 });
  policy = new PolicyService({ db, config, lists: () => games, logger: silent });
  policy.start();
  const cache = new ResponseCache({ maxEntries: 100, maxBytes: 1 << 20, minTtl: 0, maxTtl: 86400, negativeMaxTtl: 3600, staleWindowS: 0 });
  handler = new QueryHandler(policy, cache, noUpstream, stats,
    { resolveTimeoutMs: 1000, staleAnswerTtl: 30, staleAnswerTimeoutMs: 1800, prefetch: false, maxWaiting: 100 }, silent);
});
afterEach(() => {
  policy.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const rcode = (resp: Buffer | null) => (resp === null ? -1 : resp[3] & 0xf);
const ask = (name: string, client = '127.0.0.1') => rcode(handler.handle(buildQuery({ name }), client, 1232, never, null));

it('counts before and after a policy edit in the same counters, and the flush adds them up', () => {
  const before = policy.networkForAddress('127.0.0.1')!;
  for (let i = 0; i < 3; i++) expect(ask('game.test')).toBe(3); // NXDOMAIN: blocked
  expect(ask('x.test', '192.0.2.1')).toBe(5); // REFUSED: in no network

  // a new snapshot: a new object for the same network, now also blocking one name of its own
  importConfig(db, { policies: [{ name: 'school', block: ['games'], deny: ['own.test'] }], networks: [] });
  const after = policy.networkForAddress('127.0.0.1')!;
  expect(after).not.toBe(before);
  expect(after.id).toBe(before.id);
  for (let i = 0; i < 2; i++) expect(ask('game.test')).toBe(3);
  expect(ask('own.test')).toBe(3);

  const c = stats.countersFor(after.id, after.name);
  expect(Array.from(c.totals.subarray(0, 2))).toEqual([6, 6]); // total, blocked
  stats.flush();
  const row = db.prepare('SELECT SUM(total) AS total, SUM(blocked) AS blocked FROM stats_hourly WHERE network_id = ?').get(after.id);
  expect(row).toEqual({ total: 6, blocked: 6 });
  const byCategory = db.prepare('SELECT category, SUM(blocked) AS n FROM stats_category_hourly WHERE network_id = ? GROUP BY category ORDER BY category').all(after.id);
  expect(byCategory).toHaveLength(2);
  expect(byCategory).toContainEqual({ category: 'games', n: 5 });
  expect(stats.unmatched.totals[0]).toBe(0); // flushed and zeroed with the rest
});
