import type { ReportData } from './report-data.js';
import type { Total } from './suppression.js';

// Long format, one number per line, so spreadsheets and scripts read it without a layout
// to learn: date (or "all" for the range), measure, category, count ("<k" when suppressed),
// and note "partial" on a total that left suppressed values out.

const HEADER = ['date', 'measure', 'category', 'count', 'note'];

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function line(cols: string[]): string {
  return cols.map(field).join(',') + '\r\n';
}

function totalCols(t: Total): [string, string] {
  return [String(t.value), t.partial ? 'partial' : ''];
}

export function reportCsv(r: ReportData): string {
  let out = line(HEADER);
  const { buckets } = r.blocked;
  for (let i = 0; i < buckets.length; i++) {
    for (const row of r.blocked.rows) out += line([buckets[i].label, 'blocked', row.key ?? '', row.cells[i].display, '']);
    for (const row of r.queries.rows) out += line([buckets[i].label, row.key, '', row.cells[i].display, '']);
  }
  for (const row of r.blocked.rows) out += line(['all', 'blocked', row.key ?? '', ...totalCols(row.total)]);
  out += line(['all', 'blocked', '', ...totalCols(r.blocked.total)]);
  for (const row of r.queries.rows) out += line(['all', row.key, '', ...totalCols(row.total)]);
  return out;
}
