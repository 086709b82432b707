/** Latency samples in milliseconds and what the report says about them. */

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  // Nearest rank: p99 of 100 samples is the 99th, never an interpolation between two.
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    count: sorted.length,
    min: round(sorted[0] ?? NaN),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1)),
  };
}

/** Log-spaced buckets (ms): latency spreads over orders of magnitude. */
export const BUCKET_EDGES = [0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000, Infinity];

export function histogram(samples: number[]): number[] {
  const counts = BUCKET_EDGES.map(() => 0);
  for (const s of samples) counts[BUCKET_EDGES.findIndex((edge) => s < edge)] += 1;
  return counts;
}

export function bucketLabel(i: number): string {
  const lo = i === 0 ? 0 : BUCKET_EDGES[i - 1];
  const hi = BUCKET_EDGES[i];
  return hi === Infinity ? `≥${lo}` : `<${hi}`;
}

/** A Unicode bar chart of one distribution, for the terminal and the Markdown report. */
export function textHistogram(samples: number[], width = 40): string {
  const counts = histogram(samples);
  const first = counts.findIndex((c) => c > 0);
  const last = counts.length - 1 - [...counts].reverse().findIndex((c) => c > 0);
  if (first < 0) return '(no samples)';
  const max = Math.max(...counts);
  const lines: string[] = [];
  for (let i = first; i <= last; i += 1) {
    const bar = '█'.repeat(Math.round((counts[i] / max) * width)) || (counts[i] > 0 ? '▏' : '');
    lines.push(`${bucketLabel(i).padStart(7)} ms │${bar} ${counts[i]}`);
  }
  return lines.join('\n');
}

/**
 * One SVG with a row per series: the share of its samples in each log-spaced bucket, so
 * distributions of different sizes compare at a glance.
 */
export function svgHistograms(series: { name: string; samples: number[] }[]): string {
  const shown = series.filter((s) => s.samples.length > 0);
  const rowH = 70;
  const left = 230;
  const colW = 26;
  const width = left + BUCKET_EDGES.length * colW + 20;
  const height = 40 + shown.length * rowH + 30;
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Latency distributions (share of samples per bucket, ms, log-spaced)</text>`,
  ];
  shown.forEach((s, row) => {
    const counts = histogram(s.samples);
    const total = s.samples.length;
    const y0 = 40 + row * rowH;
    const summary = summarize(s.samples);
    parts.push(`<text x="10" y="${y0 + 30}">${esc(s.name)}</text>`);
    parts.push(`<text x="10" y="${y0 + 46}" fill="#555">p50 ${summary.p50} · p99 ${summary.p99} (n=${total})</text>`);
    counts.forEach((c, i) => {
      const h = total ? (c / total) * (rowH - 14) : 0;
      parts.push(`<rect x="${left + i * colW}" y="${y0 + rowH - 10 - h}" width="${colW - 3}" height="${h}" fill="#3b6ea8"><title>${esc(bucketLabel(i))} ms: ${c}</title></rect>`);
    });
    parts.push(`<line x1="${left}" x2="${left + BUCKET_EDGES.length * colW}" y1="${y0 + rowH - 10}" y2="${y0 + rowH - 10}" stroke="#999"/>`);
  });
  const yAxis = 40 + shown.length * rowH + 12;
  BUCKET_EDGES.forEach((_, i) => {
    if (i % 2 === 0) parts.push(`<text x="${left + i * colW}" y="${yAxis}" font-size="9">${esc(bucketLabel(i))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
