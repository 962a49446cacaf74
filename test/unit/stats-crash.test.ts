import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A process killed with SIGKILL gets no chance to flush: what reached the file is what the
// interval timer wrote, and at most one interval's worth is lost.

const repo = resolve(import.meta.dirname, '../..');
const PER_TICK = 100; // counts recorded every 20 ms
const FLUSH_S = 0.3;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ng-stats-crash-'));
  // the child runs plain JS: compile just what it imports (no type check, ~2 s)
  execFileSync(process.execPath, [
    join(repo, 'node_modules/typescript/bin/tsc'), '--outDir', join(dir, 'build'), '--rootDir', repo,
    '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--noCheck',
    join(repo, 'resolver/src/stats/stats-recorder.ts'), join(repo, 'resolver/src/store/database.ts'),
  ], { cwd: repo, stdio: 'pipe' });
  symlinkSync(join(repo, 'node_modules'), join(dir, 'build/node_modules'));
  writeFileSync(join(dir, 'build/child.mjs'), `
import { openDatabase } from './resolver/src/store/database.js';
import { StatsRecorder } from './resolver/src/stats/stats-recorder.js';
const db = openDatabase(process.argv[2]);
const r = new StatsRecorder(db, { flushIntervalS: ${FLUSH_S}, domainThreshold: 10, hourlyRetentionDays: 90, dailyRetentionDays: 730 });
r.start();
const c = r.countersFor(1, 'school-a');
let n = 0;
setInterval(() => { for (let i = 0; i < ${PER_TICK}; i++) { c.totals[0]++; n++; } process.stdout.write(n + '\\n'); }, 20);
`);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a process killed with SIGKILL loses at most one flush interval', async () => {
  const file = join(dir, 'nestguard.db');
  const child = spawn(process.execPath, [join(dir, 'build/child.mjs'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const closed = new Promise<void>((done) => child.on('close', () => done()));
  await new Promise<void>((done) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const last = Number(out.trimEnd().split('\n').pop());
      // several intervals in: the timer has flushed more than once
      if (last >= 4000 && child.exitCode === null && !child.killed) {
        child.kill('SIGKILL');
        done();
      }
    });
  });
  await closed;
  expect(child.signalCode).toBe('SIGKILL');
  // stdout to a pipe is synchronous on Linux: the last line is what was counted
  const counted = Number(out.trimEnd().split('\n').pop());

  const db = new Database(file, { readonly: true });
  const stored = (db.prepare('SELECT COALESCE(SUM(total), 0) AS n FROM stats_hourly WHERE network_id = 1').get() as { n: number }).n;
  db.close();
  expect(stored).toBeGreaterThan(0);
  expect(stored % PER_TICK).toBe(0); // a flush is all or nothing
  expect(stored).toBeLessThanOrEqual(counted);
  // one interval holds at most FLUSH_S / 20 ms ticks, plus one for timer phase, plus the
  // tick in progress when the signal landed
  const oneInterval = (Math.ceil((FLUSH_S * 1000) / 20) + 2) * PER_TICK;
  expect(counted - stored).toBeLessThanOrEqual(oneInterval);
});
