import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CategoryRegistry } from '../../resolver/src/lists/categories.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { Counter, countBlock } from '../../resolver/src/stats/network-counters.js';
import { reportCsv } from '../../resolver/src/stats/report-csv.js';
import { buildReport, type ReportData } from '../../resolver/src/stats/report-data.js';
import { reportHtml } from '../../resolver/src/stats/report-html.js';
import { StatsRecorder } from '../../resolver/src/stats/stats-recorder.js';

let dir: string;
let db: Db;
let report: ReportData;

// two networks, three days of traffic, recorded the way the resolver records it
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ng-report-'));
  db = openDatabase(join(dir, 'nestguard.db'));
  let now = Date.parse('2026-11-01T08:00Z');
  const r = new StatsRecorder(db, { flushIntervalS: 10, domainThreshold: 10, hourlyRetentionDays: 90, dailyRetentionDays: 730, categories: new CategoryRegistry(), now: () => now });
  const a = r.countersFor(1, 'school-a');
  const b = r.countersFor(2, 'school-b');
  // the recorder flushes at every hour boundary, then on its interval
  const day = (n: number, f: () => void) => { now = Date.parse(`2026-11-0${n}T08:00Z`); r.flush(); f(); now += 1000; r.flush(); };
  day(1, () => { a.totals[Counter.Total] += 500; for (let i = 0; i < 40; i++) countBlock(a, 0); for (let i = 0; i < 3; i++) countBlock(a, 1); });
  day(2, () => { a.totals[Counter.Total] += 300; for (let i = 0; i < 12; i++) countBlock(a, 0); a.totals[Counter.Rewritten] += 2; });
  day(3, () => { b.totals[Counter.Total] += 200; for (let i = 0; i < 7; i++) countBlock(b, 1); });
  r.stop();
  report = buildReport(db, { from: '2026-11-01', to: '2026-11-03', suppressBelow: 5, hourlyRetentionDays: 90, generatedAtMs: Date.parse('2026-12-01T06:30:00Z') });
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report data', () => {
  it('covers the inclusive day range and rejects a reversed one', () => {
    expect(report.blocked.buckets.map((b) => b.label)).toEqual(['2026-11-01', '2026-11-02', '2026-11-03']);
    expect(() => buildReport(db, { from: '2026-11-03', to: '2026-11-01', suppressBelow: 5, hourlyRetentionDays: 90 })).toThrow(/^report: /);
    expect(() => buildReport(db, { from: '2026-11-31', to: '2026-12-01', suppressBelow: 5, hourlyRetentionDays: 90 })).toThrow(/not a date/);
  });

  it('filters networks and names them', () => {
    const onlyB = buildReport(db, { from: '2026-11-01', to: '2026-11-03', networkIds: [2], suppressBelow: 5, hourlyRetentionDays: 90 });
    expect(onlyB.networks).toEqual(['school-b']);
    // days 1 and 2 are empty for school-b: a true zero is shown, so the totals are whole
    expect(onlyB.blocked.rows.find((r) => r.key === 'gambling')!.cells.map((c) => c.display)).toEqual(['0', '0', '7']);
    expect(onlyB.blocked.rows.find((r) => r.key === 'gambling')!.total.display).toBe('7');
    expect(onlyB.blocked.rows.find((r) => r.key === 'adult')!.total.display).toBe('0');
  });
});

describe('report CSV', () => {
  it('speaks the language asked for in its header and notes', () => {
    const lines = reportCsv(report, 'vi').trimEnd().split('\r\n');
    expect(lines[0]).toBe('ngày,chỉ số,danh mục,số lượng,ghi chú');
    expect(lines).toContain('all,blocked,gambling,7,chưa đủ: không cộng các ngày có dưới 5');
  });

  it('has one number per line, suppressed cells as "<k" and partial totals marked', () => {
    const csv = reportCsv(report, 'en');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('date,measure,category,count,note');
    expect(lines).toContain('2026-11-01,blocked,adult,40,');
    expect(lines).toContain('2026-11-01,blocked,gambling,<5,');
    expect(lines).toContain('2026-11-02,blocked,adult,12,');
    expect(lines).toContain('2026-11-03,blocked,gambling,7,');
    expect(lines).toContain('2026-11-01,total,,500,');
    expect(lines).toContain('2026-11-02,rewritten,,<5,');
    expect(lines).toContain('2026-11-03,blocked,adult,0,'); // none: a true zero
    expect(lines).toContain('all,blocked,adult,52,');
    // 3 gambling blocks on day 1 were suppressed: the totals leave them out, and say so
    expect(lines).toContain('all,blocked,gambling,7,partial: days under 5 not added');
    expect(lines).toContain('all,blocked,,59,partial: days under 5 not added');
    expect(lines).toContain('all,total,,1000,');
    // the blocked counter itself is never published beside the categories
    expect(lines.some((l) => /^[^,]+,blocked,,/.test(l) && !l.startsWith('all,blocked,,'))).toBe(false);
    expect(csv).not.toContain('62');
  });
});

describe('report HTML', () => {
  const vi = () => reportHtml(report, 'vi');
  const en = () => reportHtml(report, 'en');

  it('is a printable A4 page with an inline SVG trend chart and no script', () => {
    for (const html of [vi(), en()]) {
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('@page { size: A4;');
      expect(html).toContain('@media print');
      expect(html).toMatch(/<svg [^>]*class="trend"/);
      expect((html.match(/<circle /g) ?? []).length).toBe(3);
      expect(html).not.toMatch(/<script|<link|src=/i);
    }
  });

  it('speaks Vietnamese and English, states the range, the generation time, the suppression rule and the hotline 111', () => {
    const v = vi();
    expect(v).toContain('<html lang="vi">');
    expect(v).toContain('Báo cáo lọc nội dung bảo vệ trẻ em');
    expect(v).toContain('từ 2026-11-01 đến 2026-11-03 (ngày theo giờ UTC)');
    expect(v).toContain('Lập lúc: 2026-12-01 06:30 (UTC)');
    expect(v).toContain('các số liệu nhỏ hơn 5 được hiển thị là “&lt;5”');
    expect(v).toContain('Tổng đài quốc gia bảo vệ trẻ em 111');
    expect(v).toContain('Nội dung người lớn');
    expect(v).toContain('Tất cả các mạng');

    const e = en();
    expect(e).toContain('<html lang="en">');
    expect(e).toContain('Child-protection filtering report');
    expect(e).toContain('2026-11-01 to 2026-11-03 (days in UTC)');
    expect(e).toContain('Generated at: 2026-12-01 06:30 (UTC)');
    expect(e).toContain('counts below 5 are shown as “&lt;5”');
    expect(e).toContain('national child protection hotline 111');
    expect(e).toContain('Adult content');
    expect(e).toContain('at least 59');
    expect(e).not.toContain('≥');
  });
});
