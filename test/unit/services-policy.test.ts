import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../resolver/src/config/config-schema.js';
import { DEFAULTS } from '../../resolver/src/config/load-config.js';
import { WireName } from '../../resolver/src/dns/wire-name.js';
import { ListManager } from '../../resolver/src/lists/list-manager.js';
import { serviceCatalog } from '../../resolver/src/lists/service-catalog.js';
import { PolicyService } from '../../resolver/src/policy/policy-service.js';
import { Action, Decision } from '../../resolver/src/policy/policy-types.js';
import { importConfig } from '../../resolver/src/store/config-import.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { ListSourceRepository } from '../../resolver/src/store/list-source-repository.js';
import { loadPolicies } from '../../resolver/src/store/policy-repository.js';
import { countBlock } from '../../resolver/src/stats/network-counters.js';
import { blockedView } from '../../resolver/src/stats/stats-query.js';
import { SERVICE_CATEGORY, StatsRecorder } from '../../resolver/src/stats/stats-recorder.js';

// Services toggled in policies and schedules, through the real list snapshot (the catalog is
// compiled with the lists) and the real policy engine over a SQLite store.

const silent = pino({ level: 'silent' });
const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
let dir: string;
let db: Db;
let lists: ListManager;
let engine: PolicyService;
let stats: StatsRecorder;
const NOW = Date.parse('2026-11-30T02:00:00Z');

const policies: Config['policies'] = [
  { name: 'no-tiktok', services: ['tiktok'] },
  { name: 'no-games', services: ['games'] },
  {
    name: 'school',
    block: ['adult'],
    schedules: [
      { name: 'lessons', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '11:30', services: ['tiktok', 'games'] },
      { name: 'bedtime', days: ['sun', 'mon', 'tue', 'wed', 'thu'], from: '21:00', to: '06:00', services: ['youtube'] },
    ],
  },
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nestguard-services-'));
  db = openDatabase(join(dir, 'nestguard.db'));
  const config: Config = { ...structuredClone(DEFAULTS), data_dir: join(dir, 'data') };
  config.lists = { ...config.lists, bundled: false };
  config.policies = policies;
  config.networks = [
    { name: 'tiktok-free', policy: 'no-tiktok', cidrs: ['10.1.0.0/16'] },
    { name: 'game-free', policy: 'no-games', cidrs: ['10.2.0.0/16'] },
    { name: 'school-vn', policy: 'school', cidrs: ['10.3.0.0/16'], timezone: 'Asia/Ho_Chi_Minh' },
    { name: 'school-berlin', policy: 'school', cidrs: ['10.4.0.0/16'], timezone: 'Europe/Berlin' },
  ];
  lists = new ListManager({ sources: new ListSourceRepository(db), config, baseDir: dir, logger: silent });
  await lists.start();
  stats = new StatsRecorder(db, { flushIntervalS: 3600, domainThreshold: 10, hourlyRetentionDays: 90, dailyRetentionDays: 730, now: () => NOW });
  engine = new PolicyService({ db, config, lists: () => lists.matcher, logger: silent });
});
afterAll(async () => {
  await lists.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const out = new Decision();
function decideAt(network: string, name: string, at: string): 'block' | 'allow' {
  const w = WireName.fromText(name);
  const action = engine.decide(engine.network(network)!, w.buf, w.labelOffsets, w.labelCount, 1, Date.parse(at), out);
  expect(engine.explain(network, name, 1, new Date(at)).action).toBe(action === Action.Block ? 'block' : 'allow');
  return action === Action.Block ? 'block' : 'allow';
}
const MONDAY_9_VN = '2026-11-30T02:00:00Z'; // Monday 09:00 in Ho Chi Minh City, 03:00 in Berlin

describe('services: toggles', () => {
  it('a service toggled on blocks its app, API, CDN and sign-in hosts and their subdomains, and nothing else', () => {
    const tiktok = serviceCatalog().byId.get('tiktok')!;
    for (const rule of tiktok.rules) {
      expect(decideAt('tiktok-free', rule, MONDAY_9_VN)).toBe('block');
      expect(decideAt('tiktok-free', `api16-normal-c.${rule}`, MONDAY_9_VN)).toBe('block');
    }
    for (const name of ['v16m.tiktokcdn.com', 'www.tiktok.com', 'log22-normal-alisg.tiktokv.com']) expect(decideAt('tiktok-free', name, MONDAY_9_VN)).toBe('block');
    // every other service's hosts, and look-alikes of TikTok's, are untouched
    for (const s of serviceCatalog().services) {
      if (s.id === 'tiktok') continue;
      for (const rule of s.rules) if (!tiktok.rules.includes(rule)) expect(decideAt('tiktok-free', rule, MONDAY_9_VN), `${s.id}: ${rule}`).toBe('allow');
    }
    for (const name of ['nottiktok.com', 'tiktok.com.example.org', 'example.org']) expect(decideAt('tiktok-free', name, MONDAY_9_VN)).toBe('allow');
  });

  it('a group id means every service of the group', () => {
    const games = serviceCatalog().services.filter((s) => s.group === 'games');
    expect(games.map((s) => s.id)).toEqual(expect.arrayContaining(['roblox', 'minecraft', 'free-fire', 'lien-quan-mobile', 'pubg-mobile', 'genshin-impact', 'steam', 'fortnite']));
    for (const s of games) for (const rule of s.rules) expect(decideAt('game-free', `x.${rule}`, MONDAY_9_VN), `${s.id}: ${rule}`).toBe('block');
    expect(decideAt('game-free', 'www.tiktok.com', MONDAY_9_VN)).toBe('allow');
    expect(decideAt('game-free', 'www.youtube.com', MONDAY_9_VN)).toBe('allow');
  });

  it('schedules switch services on and off, across midnight and in each network\'s time zone', () => {
    // Monday 09:00 in Vietnam: lessons; 03:00 in Berlin: the Sunday-night bedtime window
    expect(decideAt('school-vn', 'www.roblox.com', MONDAY_9_VN)).toBe('block');
    expect(decideAt('school-vn', 'www.youtube.com', MONDAY_9_VN)).toBe('allow');
    expect(decideAt('school-berlin', 'www.roblox.com', MONDAY_9_VN)).toBe('allow');
    expect(decideAt('school-berlin', 'rr3---sn-abc.googlevideo.com', MONDAY_9_VN)).toBe('block');
    // Monday 12:00 in Vietnam: after lessons
    expect(decideAt('school-vn', 'www.roblox.com', '2026-11-30T05:00:00Z')).toBe('allow');
    // Sunday 23:30 and Monday 05:59 in Vietnam: bedtime started on Sunday; Monday 06:00: over
    expect(decideAt('school-vn', 'm.youtube.com', '2026-11-29T16:30:00Z')).toBe('block');
    expect(decideAt('school-vn', 'm.youtube.com', '2026-11-29T22:59:00Z')).toBe('block');
    expect(decideAt('school-vn', 'm.youtube.com', '2026-11-29T23:00:00Z')).toBe('allow');
    // Friday 23:00 in Vietnam: no bedtime window starts on Friday
    expect(decideAt('school-vn', 'm.youtube.com', '2026-12-04T16:00:00Z')).toBe('allow');
  });

  it('explain names the service and the schedule', () => {
    const r = engine.explain('school-vn', 'www.tiktok.com', 1, new Date(MONDAY_9_VN));
    expect(r).toMatchObject({ action: 'block', service: { id: 'tiktok', name: { en: 'TikTok', vi: 'TikTok' }, group: 'social' }, schedule: 'lessons', detail: 'service blocked' });
    expect(r.category).toBeUndefined();
    expect(r.summary).toBe("blocked: TikTok, schedule 'lessons'");
    const later = engine.explain('school-vn', 'www.tiktok.com', 1, new Date('2026-11-30T05:00:00Z'));
    expect(later).toMatchObject({ action: 'allow', service: { id: 'tiktok' }, detail: 'service not blocked now' });
    expect(engine.explain('tiktok-free', 'www.tiktok.com', 1, new Date(MONDAY_9_VN)).summary).toBe('blocked: TikTok');
  });

  it('services are stored as written (groups stay groups) and unknown ids are config errors naming the known ones', () => {
    const school = loadPolicies(db).find((p) => p.name === 'school')!;
    expect(school.services).toEqual([]);
    expect(school.schedules[0].services).toEqual(['games', 'tiktok']);
    expect(() => importConfig(db, { policies: [{ name: 'typo', services: ['tiktok', 'robloks'], schedules: [{ name: 'w', days: [...everyDay], from: '00:00', to: '24:00', services: ['gamez'] }] }], networks: [] }))
      .toThrow(/policies\[0\]\.services\[1\]: unknown service "robloks" \(did you mean "roblox"\?\); known services: .*roblox.*; groups: .*games/s);
    expect(() => importConfig(db, { policies: [{ name: 'typo', schedules: [{ name: 'w', days: [...everyDay], from: '00:00', to: '24:00', services: ['gamez'] }] }], networks: [] }))
      .toThrow(/policies\[0\]\.schedules\[0\]\.services\[0\]: unknown service "gamez"/);
  });

  it('statistics count blocked queries per service, suppressed like categories; category views fold them into one row', () => {
    const block = (network: string, name: string, times: number) => {
      const net = engine.network(network)!;
      const w = WireName.fromText(name);
      for (let i = 0; i < times; i++) {
        expect(engine.decide(net, w.buf, w.labelOffsets, w.labelCount, 1, NOW, out)).toBe(Action.Block);
        countBlock(stats.countersFor(net.id, net.name), out.category); // what the query path does with the decision
      }
    };
    block('tiktok-free', 'www.tiktok.com', 7);
    block('game-free', 'www.roblox.com', 2);
    block('game-free', 'ff.garena.vn', 5);
    stats.flush();
    const sel = { fromMs: NOW - 3_600_000, toMs: NOW + 3_600_000, granularity: 'hour' as const, suppressBelow: 5 };
    const byService = blockedView(db, { ...sel, services: true });
    const row = (id: string) => byService.rows.find((r) => r.key === id)!;
    expect(row('tiktok').total.display).toBe('7');
    expect(row('roblox').cells.some((c) => c.suppressed)).toBe(true);
    expect(row('roblox').total.value).toBe(0);
    expect(row('free-fire').total.value + row('lien-quan-mobile').total.value + row('garena').total.value).toBe(5);
    expect(byService.rows.length).toBe(serviceCatalog().services.length); // every service has a row, blocked or not
    const byCategory = blockedView(db, sel);
    expect(byCategory.rows.find((r) => r.key === SERVICE_CATEGORY)!.total.value).toBe(14);
    expect(byCategory.rows.some((r) => String(r.key).startsWith('service:'))).toBe(false);
  });
});
