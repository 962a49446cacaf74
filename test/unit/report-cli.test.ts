import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runReport } from '../../scripts/report.js';
import { CategoryRegistry } from '../../resolver/src/lists/categories.js';
import { DB_FILE_NAME, openDatabase } from '../../resolver/src/store/database.js';
import { Counter, countBlock } from '../../resolver/src/stats/network-counters.js';
import { StatsRecorder } from '../../resolver/src/stats/stats-recorder.js';

let dir: string;
const env = () => ({ NESTGUARD_DATA_DIR: dir });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ng-report-cli-'));
  const db = openDatabase(join(dir, DB_FILE_NAME));
  const now = Date.parse('2026-11-10T12:00Z');
  const r = new StatsRecorder(db, { flushIntervalS: 10, domainThreshold: 10, hourlyRetentionDays: 90, dailyRetentionDays: 730, categories: new CategoryRegistry(), now: () => now });
  const a = r.countersFor(1, 'school-a');
  const b = r.countersFor(2, 'school-b');
  a.totals[Counter.Total] += 100;
  for (let i = 0; i < 20; i++) countBlock(a, 1);
  b.totals[Counter.Total] += 100;
  for (let i = 0; i < 30; i++) countBlock(b, 1);
  r.stop();
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads <data_dir>/nestguard.db and writes CSV for the named networks', () => {
  const out = join(dir, 'nov.csv');
  const res = runReport(['--from', '2026-11-01', '--to', '2026-11-30', '--network', 'school-b', '--format', 'csv', '--out', out], env());
  expect(res.outFile).toBe(out);
  const csv = readFileSync(out, 'utf8');
  expect(csv).toBe(res.text);
  expect(csv).toContain('2026-11-10,blocked,gambling,30,');
  expect(csv).toContain('all,total,,100,');
  const both = runReport(['--from', '2026-11-01', '--to', '2026-11-30', '--network', 'school-a', '--network', 'school-b', '--format', 'csv'], env());
  expect(both.text).toContain('2026-11-10,blocked,gambling,50,');
});

it('renders HTML in the language asked for', () => {
  expect(runReport(['--from', '2026-11-01', '--to', '2026-11-30', '--lang', 'en'], env()).text).toContain('Gambling');
  expect(runReport(['--from', '2026-11-01', '--to', '2026-11-30'], env()).text).toContain('Cờ bạc');
});

it('rejects bad arguments and unknown networks with the stage named', () => {
  expect(() => runReport(['--from', '2026-11-01'], env())).toThrow(/^report: --from and --to are required/);
  expect(() => runReport(['--from', '2026-11-01', '--to', '2026-11-30', '--format', 'pdf'], env())).toThrow(/^report: --format/);
  expect(() => runReport(['--from', '2026-11-01', '--to', '2026-11-30', '--network', 'nowhere'], env())).toThrow(/^report: unknown network "nowhere"; known networks: unmatched, school-a, school-b$/);
  expect(() => runReport(['--from', '2026-11-01', '--to', '2026-11-30'], { NESTGUARD_DATA_DIR: join(dir, 'missing') })).toThrow(/^report: no database at/);
});

it('--help names every option, the defaults and an example', () => {
  const { text } = runReport(['--help']);
  for (const o of ['--from', '--to', '--network', '--format html|csv', '--lang vi|en', '--out']) expect(text).toContain(o);
  expect(text).toContain('html (default)');
  expect(text).toMatch(/example .*\n {2}npm run report -- --from \S+ --to \S+ --network local/);
  expect(text).toMatch(/"partial: days under 5 not added"/);
});
