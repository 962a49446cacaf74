import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CategoryRegistry } from '../../resolver/src/lists/categories.js';
import { buildReport, type ReportData } from '../../resolver/src/stats/report-data.js';
import { reportHtml } from '../../resolver/src/stats/report-html.js';
import { Counter, countBlock } from '../../resolver/src/stats/network-counters.js';
import { StatsRecorder } from '../../resolver/src/stats/stats-recorder.js';
import { importConfig } from '../../resolver/src/store/config-import.js';
import { openDatabase, type Db } from '../../resolver/src/store/database.js';
import { loadNetworks } from '../../resolver/src/store/network-repository.js';
import { launchChromium } from '../helpers/chromium.js';
import { removeOnExit } from '../helpers/test-cleanup.js';

// The printable report as its readers see it: rendered by Chromium, its chart measured, its
// days counted in the network's time zone (Asia/Ho_Chi_Minh, UTC+7). The screenshot is kept
// under the temp dir for a person to look at.

let db: Db;
let browser: Browser;
let report: ReportData;
export const SCREENSHOT = join(tmpdir(), `nestguard-report-${process.pid}.png`);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ng-report-render-'));
  removeOnExit(dir);
  db = openDatabase(join(dir, 'nestguard.db'));
  importConfig(db, { policies: [{ name: 'school' }], networks: [{ name: 'school-a', cidrs: ['10.1.0.0/16'], policy: 'school', timezone: 'Asia/Ho_Chi_Minh' }] });
  const id = loadNetworks(db).find((n) => n.name === 'school-a')!.id;
  let now = 0;
  const r = new StatsRecorder(db, { flushIntervalS: 10, domainThreshold: 10, hourlyRetentionDays: 90, dailyRetentionDays: 730, categories: new CategoryRegistry(), now: () => now });
  const c = r.countersFor(id, 'school-a');
  const at = (iso: string, f: () => void) => { now = Date.parse(iso); r.flush(); f(); now += 1000; r.flush(); };
  // 01:00 on 1 November in Hanoi is still 31 October in UTC
  at('2026-10-31T18:00Z', () => { c.totals[Counter.Total] += 40; for (let i = 0; i < 11; i++) countBlock(c, 0); });
  for (let d = 1; d <= 30; d++) {
    const day = String(d).padStart(2, '0');
    at(`2026-11-${day}T02:00Z`, () => {
      c.totals[Counter.Total] += 300 + d * 10;
      for (let i = 0; i < 20 + (d % 7) * 9; i++) countBlock(c, 0);
      if (d % 3 === 0) for (let i = 0; i < 3; i++) countBlock(c, 1); // under the threshold: hidden
      if (d % 5 === 0) for (let i = 0; i < 12; i++) countBlock(c, 5);
    });
  }
  // 01:00 on 1 December in Hanoi: outside the period although it is 30 November in UTC
  at('2026-11-30T18:00Z', () => { c.totals[Counter.Total] += 1000; for (let i = 0; i < 500; i++) countBlock(c, 0); });
  r.stop();
  report = buildReport(db, { from: '2026-11-01', to: '2026-11-30', networkIds: [id], suppressBelow: 5, hourlyRetentionDays: 90, generatedAtMs: Date.parse('2026-12-01T03:00Z') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  db?.close();
});

describe('the printable report', () => {
  it("counts days in the network's time zone and says so", () => {
    expect(report.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(report.blocked.buckets.map((b) => b.label)).toHaveLength(30);
    const adult = report.blocked.rows.find((r) => r.key === 'adult')!;
    expect(adult.cells[0].value).toBe(11 + 20 + 9); // 1 November in Hanoi includes 31 October 18:00 UTC
    expect(adult.cells[29].value).toBe(20 + 2 * 9); // and 30 November leaves out 30 November 18:00 UTC
    expect(reportHtml(report, 'en')).toContain('Period: 2026-11-01 to 2026-11-30 (days in Vietnam time, UTC+7)');
    expect(reportHtml(report, 'vi')).toContain('(ngày theo giờ Việt Nam, UTC+7)');
  });

  it('renders in Chromium: whole chart labels, filled points, totals in words', async () => {
    const page = await browser.newPage({ viewport: { width: 820, height: 1200 } });
    try {
      await page.setContent(reportHtml(report, 'en'));
      const chart = await page.evaluate(() => {
        const svg = document.querySelector('svg.trend') as SVGSVGElement;
        const box = svg.getBoundingClientRect();
        const labels = [...svg.querySelectorAll('text')].map((t) => {
          const b = t.getBoundingClientRect();
          return { text: t.textContent, left: b.left - box.left, right: b.right - box.left };
        });
        const fills = [...svg.querySelectorAll('circle')].map((c) => getComputedStyle(c).fill);
        return { width: box.width, labels, fills };
      });
      const dates = chart.labels.filter((l) => /^2026-/.test(l.text ?? ''));
      expect(dates.at(-1)?.text).toBe('2026-11-30');
      for (const l of chart.labels) {
        expect(l.left, `${l.text} starts inside the chart`).toBeGreaterThanOrEqual(0);
        expect(l.right, `${l.text} ends inside the chart`).toBeLessThanOrEqual(chart.width + 0.5);
      }
      // date labels never overlap
      for (let i = 1; i < dates.length; i++) expect(dates[i].left).toBeGreaterThan(dates[i - 1].right);
      expect(chart.fills).toHaveLength(30);
      for (const f of chart.fills) expect(f).toBe('rgb(31, 95, 168)');
      const body = await page.evaluate(() => document.body.innerText);
      expect(body).not.toContain('≥');
      expect(body).toMatch(/Gambling\s+under 5 a day/);
      expect(body).toMatch(/Total\s+at least [\d,]+/);
      expect(body).toMatch(/Phishing\s+72/);
      expect(body).toMatch(/Violence\s+0\n/);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    } finally {
      await page.close();
    }
  });
});
