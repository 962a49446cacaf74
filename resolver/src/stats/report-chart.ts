// A trend line as inline SVG: prints crisply, needs no script, and renders the same in a
// browser, a PDF printer or an e-mail client.

export interface ChartPoint {
  label: string;
  value: number;
  /** the value is a lower bound (suppressed values left out): said in the point's tooltip */
  partial: boolean;
}

export interface ChartOptions {
  title: string;
  width?: number;
  height?: number;
  formatNumber?: (n: number) => string;
  /** a lower bound in words ("at least 12"); default "≥ 12" */
  formatLowerBound?: (n: number) => string;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2, 5 x 10^n at or above `max`, so the axis reads in round numbers. */
function niceCeil(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

export function trendChartSvg(points: readonly ChartPoint[], opts: ChartOptions): string {
  const w = opts.width ?? 680;
  const h = opts.height ?? 240;
  const fmt = opts.formatNumber ?? String;
  const lowerBound = opts.formatLowerBound ?? ((n: number) => `≥ ${fmt(n)}`);
  const left = 56, right = 12, top = 16, bottom = 40;
  const pw = w - left - right;
  const ph = h - top - bottom;
  const yMax = niceCeil(Math.max(0, ...points.map((p) => p.value)));
  const x = (i: number) => left + (points.length <= 1 ? pw / 2 : (i * pw) / (points.length - 1));
  const y = (v: number) => top + ph - (v / yMax) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="trend" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(opts.title)}">`);
  parts.push(`<title>${esc(opts.title)}</title>`);
  for (let t = 0; t <= 4; t++) {
    const v = (yMax * t) / 4;
    const yy = y(v).toFixed(1);
    parts.push(`<line x1="${left}" y1="${yy}" x2="${w - right}" y2="${yy}" stroke="#ccc" stroke-width="0.5"/>`);
    parts.push(`<text x="${left - 6}" y="${yy}" font-size="10" text-anchor="end" dominant-baseline="middle">${esc(fmt(v))}</text>`);
  }
  // at most ~8 date labels whatever the range length
  const every = Math.max(1, Math.ceil(points.length / 8));
  const last = points.length - 1;
  points.forEach((p, i) => {
    // the last label always shows; one that would crowd it is left out
    if (i === last || (i % every === 0 && last - i >= every / 2)) {
      // the end labels are anchored inside the chart so that none is cut at its edge
      const anchor = points.length > 1 && i === 0 ? 'start' : points.length > 1 && i === last ? 'end' : 'middle';
      parts.push(`<text x="${x(i).toFixed(1)}" y="${h - bottom + 16}" font-size="10" text-anchor="${anchor}">${esc(p.label)}</text>`);
    }
  });
  if (points.length > 1) {
    const d = points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${d}" fill="none" stroke="#1f5fa8" stroke-width="1.5"/>`);
  }
  points.forEach((p, i) => {
    parts.push(`<circle cx="${x(i).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="3" fill="#1f5fa8"><title>${esc(p.label)}: ${esc(p.partial ? lowerBound(p.value) : fmt(p.value))}</title></circle>`);
  });
  parts.push(`<line x1="${left}" y1="${top + ph}" x2="${w - right}" y2="${top + ph}" stroke="#333"/>`);
  parts.push('</svg>');
  return parts.join('');
}
