import { trendChartSvg } from './report-chart.js';
import type { ReportData } from './report-data.js';
import { REPORT_STRINGS, type ReportLang } from './report-strings.js';
import type { Total } from './suppression.js';

// A self-contained printable page (A4, print stylesheet, no script, no external resource)
// that an admin prints or saves as PDF for the authorities. The per-day detail is in the CSV;
// the page shows the range totals and the daily trend.

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const STYLE = `
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans", "Segoe UI", Arial, sans-serif; font-size: 11pt; color: #111; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 17pt; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; }
.meta { color: #444; margin: 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 0.5pt solid #bbb; padding: 3pt 6pt; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: bold; border-top: 1pt solid #333; }
.note { font-size: 9.5pt; color: #333; }
.hotline { border: 1pt solid #1f5fa8; padding: 6pt 8pt; margin-top: 12pt; }
svg.trend { width: 100%; height: auto; }
@media print { section { break-inside: avoid; } a { color: inherit; text-decoration: none; } }
`;

export function reportHtml(r: ReportData, lang: ReportLang): string {
  const s = REPORT_STRINGS[lang];
  const nf = new Intl.NumberFormat(s.locale);
  const total = (t: Total) => (!t.partial ? nf.format(t.value) : t.value === 0 ? s.onlySmall(r.suppressBelow) : s.atLeast(nf.format(t.value)));
  const categoryName = (k: string | null) => (k === null ? s.total : s.categories[k] ?? k);

  const chart = trendChartSvg(
    r.blocked.buckets.map((b, i) => ({ label: b.label, value: r.blocked.bucketTotals[i].value, partial: r.blocked.bucketTotals[i].partial })),
    { title: s.trend, formatNumber: (n) => nf.format(n), formatLowerBound: (n) => s.atLeast(nf.format(n)) },
  );
  const categoryRows = r.blocked.rows
    .map((row) => `<tr><td>${esc(categoryName(row.key))}</td><td class="n">${esc(total(row.total))}</td></tr>`)
    .join('\n');
  const queryRows = r.queries.rows
    .map((row) => `<tr><td>${esc(s.counters[row.key] ?? row.key)}</td><td class="n">${esc(total(row.total))}</td></tr>`)
    .join('\n');

  return `<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<title>${esc(s.title)} ${esc(r.from)} – ${esc(r.to)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${esc(s.title)}</h1>
<p class="meta">${esc(s.range(r.from, r.to, r.timeZone))}</p>${r.utcReason ? `\n<p class="meta">${esc(s.utcReason[r.utcReason])}</p>` : ''}
<p class="meta">${esc(s.networks)}: ${esc(r.networks ? r.networks.join(', ') : s.allNetworks)}</p>
<p class="meta">${esc(s.generatedAt(r.generatedAt, r.timeZone))}</p>
</header>
<section>
<h2>${esc(s.trend)}</h2>
${chart}
<p class="note">${esc(s.trendCaption)}</p>
</section>
<section>
<h2>${esc(s.blockedByCategory)}</h2>
<table>
<thead><tr><th>${esc(s.category)}</th><th class="n">${esc(s.blocked)}</th></tr></thead>
<tbody>
${categoryRows}
</tbody>
<tfoot><tr><td>${esc(s.total)}</td><td class="n">${esc(total(r.blocked.total))}</td></tr></tfoot>
</table>
</section>
<section>
<h2>${esc(s.queries)}</h2>
<table>
<thead><tr><th>${esc(s.measure)}</th><th class="n">${esc(s.count)}</th></tr></thead>
<tbody>
${queryRows}
</tbody>
</table>
</section>
<section>
<p class="note">${esc(s.suppression(r.suppressBelow))}</p>
<p class="note">${esc(s.privacy)}</p>
<p class="hotline">${esc(s.hotline)}</p>
</section>
</body>
</html>
`;
}
