import type { ReportData } from './report-data.js';
import { REPORT_STRINGS, type ReportLang } from './report-strings.js';
import type { Total } from './suppression.js';

// Long format, one number per line, so spreadsheets and scripts read it without a layout
// to learn: date (or "all" for the range), measure, category, count ("<k" when suppressed,
// 0 for none), and a note on a total that left suppressed values out, saying so. The header
// and the note are in the report's language; measure and category stay identifiers (the
// same in every language), as in the API.

function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function line(cols: string[]): string {
  return cols.map(field).join(',') + '\r\n';
}

export function reportCsv(r: ReportData, lang: ReportLang): string {
  const s = REPORT_STRINGS[lang];
  const partial = s.csvPartial(r.suppressBelow);
  const totalCols = (t: Total): [string, string] => [String(t.value), t.partial ? partial : ''];
  let out = line(s.csvHeader);
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
