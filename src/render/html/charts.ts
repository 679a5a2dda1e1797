/**
 * Charts as inline SVG, drawn from plain data (no library, no network): a line chart over day
 * labels with optional dashed series and horizontal reference lines, horizontal bars (negative
 * values drawn left of a zero axis), and 100% stacked bars for mixes. Every label is escaped.
 */
import { formatUsdCompact } from '../money.js';
import { escapeHtml } from './escape.js';

export type ValueFormat = 'money' | 'rate';

export interface LineSeries {
  name: string;
  /** Aligned with the chart's labels; null leaves a gap. */
  values: Array<number | null>;
  dashed?: boolean;
}

export interface LineChart {
  kind: 'line';
  id: string;
  title: string;
  labels: string[];
  series: LineSeries[];
  references: Array<{ name: string; value: number }>;
}

export interface BarChart {
  kind: 'bars';
  id: string;
  title: string;
  format: ValueFormat;
  bars: Array<{ label: string; value: number }>;
}

export interface StackChart {
  kind: 'stack';
  id: string;
  title: string;
  /** Each row's parts are shares (0..1) that sum to about 1. */
  rows: Array<{ label: string; parts: Array<{ name: string; share: number }> }>;
}

export type Chart = LineChart | BarChart | StackChart;

const PALETTE = ['#2563eb', '#f97316', '#10b981', '#a855f7', '#ef4444', '#0ea5e9', '#eab308', '#64748b', '#ec4899', '#14b8a6'];
const WIDTH = 640;
const FONT = 'font-family="system-ui, sans-serif" font-size="11" fill="#475569"';

export function formatValue(value: number, format: ValueFormat): string {
  if (format === 'rate') return `${(value * 100).toFixed(1)}%`;
  return formatUsdCompact(value);
}

/** A "nice" upper bound for an axis (1, 2, 2.5, 5 × 10ⁿ). */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * power >= value) ?? 10;
  return step * power;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

function svgOpen(id: string, title: string, height: number): string {
  return `<svg id="${escapeHtml(id)}" class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${height}"><title>${escapeHtml(title)}</title>`;
}

function legend(names: readonly string[], y: number, dashed: ReadonlySet<string> = new Set()): string {
  let x = 48;
  return names.map((name, i) => {
    const color = PALETTE[i % PALETTE.length] ?? '#000';
    const item = `<line x1="${x}" y1="${y}" x2="${x + 16}" y2="${y}" stroke="${color}" stroke-width="3"${dashed.has(name) ? ' stroke-dasharray="5 3"' : ''}/><text x="${x + 20}" y="${y + 4}" ${FONT}>${escapeHtml(name)}</text>`;
    x += 32 + Math.min(name.length, 28) * 6.5;
    return item;
  }).join('');
}

function lineSvg(chart: LineChart): string {
  const height = 260;
  const [left, right, top, bottom] = [56, 16, 16, 58];
  const plotW = WIDTH - left - right;
  const plotH = height - top - bottom;
  const values = [...chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null)), ...chart.references.map((r) => r.value)];
  const max = niceMax(Math.max(0, ...values));
  const n = chart.labels.length;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const parts: string[] = [svgOpen(chart.id, chart.title, height)];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    parts.push(`<line x1="${left}" y1="${fmt(y(v))}" x2="${WIDTH - right}" y2="${fmt(y(v))}" stroke="#e2e8f0"/>`);
    parts.push(`<text x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end" ${FONT}>${escapeHtml(formatValue(v, 'money'))}</text>`);
  }
  const every = Math.max(1, Math.ceil(n / 8));
  chart.labels.forEach((label, i) => {
    if (i % every === 0 || i === n - 1) parts.push(`<text x="${fmt(x(i))}" y="${height - bottom + 16}" text-anchor="middle" ${FONT}>${escapeHtml(label)}</text>`);
  });
  chart.references.forEach((ref, i) => {
    const color = PALETTE[(chart.series.length + i) % PALETTE.length] ?? '#000';
    parts.push(`<line x1="${left}" y1="${fmt(y(ref.value))}" x2="${WIDTH - right}" y2="${fmt(y(ref.value))}" stroke="${color}" stroke-width="1.5" stroke-dasharray="2 3"/>`);
  });
  chart.series.forEach((series, si) => {
    const color = PALETTE[si % PALETTE.length] ?? '#000';
    const segments: string[][] = [[]];
    series.values.forEach((v, i) => {
      if (v === null) segments.push([]);
      else segments[segments.length - 1]?.push(`${fmt(x(i))},${fmt(y(v))}`);
    });
    for (const points of segments.filter((s) => s.length > 0)) {
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2.5" stroke-linejoin="round"${series.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
      if (points.length === 1) parts.push(`<circle cx="${points[0]?.split(',')[0]}" cy="${points[0]?.split(',')[1]}" r="3" fill="${color}"/>`);
    }
  });
  const names = [...chart.series.map((s) => s.name), ...chart.references.map((r) => r.name)];
  const dashed = new Set(chart.series.filter((s) => s.dashed).map((s) => s.name));
  parts.push(legend(names, height - 14, dashed), '</svg>');
  return parts.join('');
}

function barsSvg(chart: BarChart): string {
  const rowH = 26;
  const [labelW, valueW, top] = [170, 70, 8];
  const height = top * 2 + Math.max(1, chart.bars.length) * rowH;
  const plotW = WIDTH - labelW - valueW - 16;
  const lo = Math.min(0, ...chart.bars.map((b) => b.value));
  const hi = Math.max(0, ...chart.bars.map((b) => b.value));
  const span = hi - lo || 1;
  const x = (v: number) => labelW + ((v - lo) / span) * plotW;
  const parts: string[] = [svgOpen(chart.id, chart.title, height)];
  parts.push(`<line x1="${fmt(x(0))}" y1="${top}" x2="${fmt(x(0))}" y2="${height - top}" stroke="#94a3b8"/>`);
  chart.bars.forEach((bar, i) => {
    const yTop = top + i * rowH;
    const [from, to] = bar.value >= 0 ? [x(0), x(bar.value)] : [x(bar.value), x(0)];
    const label = bar.label.length > 26 ? `${bar.label.slice(0, 25)}…` : bar.label;
    parts.push(`<text x="${labelW - 8}" y="${yTop + 17}" text-anchor="end" ${FONT}>${escapeHtml(label)}</text>`);
    parts.push(`<rect x="${fmt(from)}" y="${yTop + 5}" width="${fmt(Math.max(1, to - from))}" height="${rowH - 10}" rx="3" fill="${bar.value < 0 ? '#ef4444' : PALETTE[0]}"><title>${escapeHtml(`${bar.label}: ${formatValue(bar.value, chart.format)}`)}</title></rect>`);
    parts.push(`<text x="${fmt(Math.max(to, x(0)) + 6)}" y="${yTop + 17}" ${FONT}>${escapeHtml(formatValue(bar.value, chart.format))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function stackSvg(chart: StackChart): string {
  const rowH = 34;
  const labelW = 110;
  const names = [...new Set(chart.rows.flatMap((r) => r.parts.map((p) => p.name)))];
  const color = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length] ?? '#000';
  const legendRows = Math.ceil(names.length / 3);
  const height = 12 + chart.rows.length * rowH + legendRows * 18 + 8;
  const plotW = WIDTH - labelW - 16;
  const parts: string[] = [svgOpen(chart.id, chart.title, height)];
  chart.rows.forEach((row, i) => {
    const yTop = 8 + i * rowH;
    parts.push(`<text x="${labelW - 8}" y="${yTop + 19}" text-anchor="end" ${FONT}>${escapeHtml(row.label)}</text>`);
    let x = labelW;
    for (const part of row.parts) {
      const w = part.share * plotW;
      parts.push(`<rect x="${fmt(x)}" y="${yTop + 4}" width="${fmt(Math.max(0, w))}" height="${rowH - 10}" fill="${color(part.name)}"><title>${escapeHtml(`${part.name}: ${formatValue(part.share, 'rate')}`)}</title></rect>`);
      if (w > 44) parts.push(`<text x="${fmt(x + w / 2)}" y="${yTop + 21}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="11" fill="#fff">${escapeHtml(formatValue(part.share, 'rate'))}</text>`);
      x += w;
    }
  });
  names.forEach((name, i) => {
    const lx = 16 + (i % 3) * 205;
    const ly = 12 + chart.rows.length * rowH + Math.floor(i / 3) * 18;
    const label = name.length > 28 ? `${name.slice(0, 27)}…` : name;
    parts.push(`<rect x="${lx}" y="${ly}" width="10" height="10" fill="${color(name)}"/><text x="${lx + 14}" y="${ly + 9}" ${FONT}>${escapeHtml(label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

export function renderChart(chart: Chart): string {
  switch (chart.kind) {
    case 'line': return lineSvg(chart);
    case 'bars': return barsSvg(chart);
    case 'stack': return stackSvg(chart);
    default: return (chart satisfies never) as string;
  }
}
