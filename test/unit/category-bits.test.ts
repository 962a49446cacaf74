import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Config } from '../../resolver/src/config/config-schema.js';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { categories, WELL_KNOWN_CATEGORIES } from '../../resolver/src/lists/categories.js';
import { ListManager } from '../../resolver/src/lists/list-manager.js';
import { ListSourceRepository } from '../../resolver/src/store/list-source-repository.js';
import { PolicyService } from '../../resolver/src/policy/policy-service.js';
import { policyProblems } from '../../resolver/src/policy/policy-validation.js';
import { Action, Decision } from '../../resolver/src/policy/policy-types.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { countBlock } from '../../resolver/src/stats/network-counters.js';
import { StatsRecorder } from '../../resolver/src/stats/stats-recorder.js';

// Category bits: validation looks names up and never allocates, snapshots allocate from the
// store, and more categories than one 32-bit word holds filter and count like the first ones.

const silent = pino({ level: 'silent' });
let dir: string;
let db: Db;
const closers: Array<() => unknown> = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-bits-'));
  db = openDatabase(join(dir, 'nestguard.db'));
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

it('validating policies that name unknown categories, again and again, allocates nothing', () => {
  for (let round = 0; round < 50; round++) {
    const names = Array.from({ length: 10 }, (_, i) => `typed-${round}-${i}`);
    const problems = policyProblems({ name: `p${round}`, block: names, schedules: [{ name: 'w', days: ['mon'], from: '07:00', to: '08:00', block: names }] });
    expect(problems).toEqual([]);
  }
  expect(categories.bit('typed-49-9')).toBeUndefined();
  expect(db.prepare('SELECT COUNT(*) FROM category_bits').pluck().get()).toBe(WELL_KNOWN_CATEGORIES.length);
});

it('70 categories from lists and policies block, explain and count by name; bits persist in the store', async () => {
  const cats = Array.from({ length: 70 }, (_, i) => `extra-${i}`);
  const blocklists: Config['blocklists'] = cats.map((c) => {
    const file = join(dir, `${c}.txt`);
    writeFileSync(file, `${c}.example.org\n`);
    return { name: c, category: c, source: file };
  });
  const config: Config = { ...structuredClone(DEFAULTS), data_dir: join(dir, 'data'), blocklists };
  config.lists = { ...config.lists, bundled: false };
  config.policies = [{ name: 'many', block: ['extra-69', 'extra-40'], schedules: [{ name: 'late', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00', block: ['extra-33'] }] }];
  config.networks = [{ name: 'n', policy: 'many', cidrs: ['127.0.0.0/8'] }];

  const lists = new ListManager({ sources: new ListSourceRepository(db), config, baseDir: dir, logger: silent });
  closers.push(() => lists.stop());
  await lists.start();
  let now = Date.parse('2026-12-02T10:00:00Z');
  const stats = new StatsRecorder(db, { flushIntervalS: 3600, domainThreshold: 10, hourlyRetentionDays: 90, dailyRetentionDays: 730, now: () => now });
  const policy = new PolicyService({ db, config, lists: () => lists.matcher, logger: silent });

  const bit69 = categories.bit('extra-69')!;
  expect(bit69).toBeGreaterThanOrEqual(64); // a third word of mask
  const stored = new Map((db.prepare('SELECT name, bit FROM category_bits').all() as Array<{ name: string; bit: number }>).map((r) => [r.name, r.bit]));
  expect(stored.get('extra-69')).toBe(bit69);
  WELL_KNOWN_CATEGORIES.forEach((c, i) => expect(stored.get(c)).toBe(i));
  expect(new Set(stored.values()).size).toBe(stored.size);

  const net = policy.networkForAddress('127.0.0.1')!;
  const out = new Decision();
  const decideName = (n: string) => {
    const w = WireName.fromText(n);
    return policy.decide(net, w.buf, w.labelOffsets, w.labelCount, 1, now, out);
  };
  expect(decideName('a.extra-69.example.org')).toBe(Action.Block);
  expect(categories.name(out.category)).toBe('extra-69');
  expect(decideName('extra-40.example.org')).toBe(Action.Block);
  expect(categories.name(out.category)).toBe('extra-40');
  expect(decideName('extra-33.example.org')).toBe(Action.Block);
  expect(decideName('extra-32.example.org')).toBe(Action.Allow);
  expect(decideName('extra-0.example.org')).toBe(Action.Allow);
  expect(policy.explain('n', 'extra-33.example.org', 1, new Date(now))).toMatchObject({ action: 'block', category: 'extra-33', schedule: 'late' });
  expect(policy.explain('n', 'extra-32.example.org', 1, new Date(now))).toMatchObject({ action: 'allow', category: 'extra-32', detail: 'category not blocked now' });

  // the query path counts a block by its bit; the flush stores it under the category's name
  const counters = stats.countersFor(net.id);
  const w = WireName.fromText('x.extra-69.example.org');
  for (let i = 0; i < 3; i++) {
    policy.decide(net, w.buf, w.labelOffsets, w.labelCount, 1, now, out);
    countBlock(counters, out.category);
  }
  now += 1000;
  stats.flush();
  expect(db.prepare("SELECT SUM(blocked) FROM stats_category_hourly WHERE category = 'extra-69'").pluck().get()).toBe(3);
});
