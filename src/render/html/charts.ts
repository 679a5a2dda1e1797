/**
 * Charts as inline SVG, drawn from plain data (no script, no network): a line chart over day labels
 * with optional dashed series and horizontal reference lines (axis ticks from d3-scale), horizontal
 * bars (negative values drawn left of a zero axis), and 100% stacked bars for mixes. Every label is
 * escaped.
 *
 * Sized for a phone first: the drawing is WIDTH units wide and text is FONT_SIZE units, so on a
 * 390 px phone (a chart about 340 px wide) text is still at least 12 px, and wider screens scale it
 * up. Names sit above their bars rather than beside them, so a long name never squeezes the bar.
 */
import { scaleLinear } from 'd3-scale';
import { formatUsd, formatUsdCompact } from '../money.js';
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
/** Drawing width in SVG units (the svg scales to its card). */
export const WIDTH = 380;
/** Text size in SVG units: 14 × 340/380 ≈ 12.5 px on a 390 px phone. */
export const FONT_SIZE = 14;
/** Average advance of a character at FONT_SIZE, for fitting labels. */
const CHAR_W = 7.8;
const FONT = `font-family="system-ui, sans-serif" font-size="${FONT_SIZE}" fill="#475569"`;

/** A figure beside a mark: money to the cent, rates as percentages. */
export function formatValue(value: number, format: ValueFormat): string {
  if (format === 'rate') return `${(value * 100).toFixed(1)}%`;
  return formatUsd(value);
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();

/** A label cut (with …) to fit `width` units. */
function fit(label: string, width: number): string {
  const max = Math.max(4, Math.floor(width / CHAR_W));
  const chars = [...label];
  return chars.length <= max ? label : `${chars.slice(0, max - 1).join('')}…`;
}

function text(x: number, y: number, label: string, attrs = ''): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}"${attrs ? ` ${attrs}` : ''} ${FONT}>${escapeHtml(label)}</text>`;
}

function svgOpen(id: string, title: string, height: number): string {
  return `<svg id="${escapeHtml(id)}" class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${fmt(height)}"><title>${escapeHtml(title)}</title>`;
}

/** Legend items laid out in rows that wrap at WIDTH; returns the marks and the height used. */
function legend(names: readonly string[], top: number, dashed: ReadonlySet<string> = new Set()): { svg: string; height: number } {
  const rowH = 22;
  let [x, y] = [0, top + 12];
  const items = names.map((name, i) => {
    const label = fit(name, WIDTH - 24);
    const width = 24 + [...label].length * CHAR_W + 14;
    if (x > 0 && x + width > WIDTH) [x, y] = [0, y + rowH];
    const color = PALETTE[i % PALETTE.length] ?? '#000';
    const item = `<line x1="${fmt(x)}" y1="${fmt(y - 5)}" x2="${fmt(x + 16)}" y2="${fmt(y - 5)}" stroke="${color}" stroke-width="3"${dashed.has(name) ? ' stroke-dasharray="5 3"' : ''}/>${text(x + 20, y, label)}`;
    x += width;
    return item;
  });
  return { svg: items.join(''), height: names.length === 0 ? 0 : y - top + 8 };
}

function lineSvg(chart: LineChart): string {
  const [left, right, top, plotH] = [58, 12, 10, 170];
  const plotW = WIDTH - left - right;
  const values = [...chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null)), ...chart.references.map((r) => r.value)];
  const y = scaleLinear().domain([0, Math.max(0, ...values) || 1]).range([top + plotH, top]).nice(4);
  const n = chart.labels.length;
  const x = (i: number) => left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const parts: string[] = [];
  for (const tick of y.ticks(4)) {
    parts.push(`<line x1="${left}" y1="${fmt(y(tick))}" x2="${WIDTH - right}" y2="${fmt(y(tick))}" stroke="#e2e8f0"/>`);
    parts.push(text(left - 6, y(tick) + 5, formatUsdCompact(tick), 'text-anchor="end"'));
  }
  // as many day labels as fit side by side
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 52))));
  chart.labels.forEach((label, i) => {
    if (i % every === 0) parts.push(text(x(i), top + plotH + 20, label, 'text-anchor="middle"'));
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
  const keys = legend(names, top + plotH + 30, new Set(chart.series.filter((s) => s.dashed).map((s) => s.name)));
  return [svgOpen(chart.id, chart.title, top + plotH + 30 + keys.height), ...parts, keys.svg, '</svg>'].join('');
}

function barsSvg(chart: BarChart): string {
  const rowH = 42;
  const height = Math.max(1, chart.bars.length) * rowH + 4;
  const lo = Math.min(0, ...chart.bars.map((b) => b.value));
  const hi = Math.max(0, ...chart.bars.map((b) => b.value));
  const x = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi]).range([0, WIDTH]);
  const parts: string[] = [svgOpen(chart.id, chart.title, height)];
  parts.push(`<line x1="${fmt(x(0))}" y1="20" x2="${fmt(x(0))}" y2="${height}" stroke="#94a3b8"/>`);
  chart.bars.forEach((bar, i) => {
    const yTop = i * rowH;
    const value = formatValue(bar.value, chart.format);
    const [from, to] = bar.value >= 0 ? [x(0), x(bar.value)] : [x(bar.value), x(0)];
    parts.push(text(0, yTop + 16, fit(bar.label, WIDTH - ([...value].length + 2) * CHAR_W)));
    parts.push(text(WIDTH, yTop + 16, value, 'text-anchor="end"'));
    parts.push(`<rect x="${fmt(from)}" y="${yTop + 22}" width="${fmt(Math.max(1, to - from))}" height="14" rx="3" fill="${bar.value < 0 ? '#ef4444' : PALETTE[0]}"><title>${escapeHtml(`${bar.label}: ${value}`)}</title></rect>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function stackSvg(chart: StackChart): string {
  const rowH = 50;
  const names = [...new Set(chart.rows.flatMap((r) => r.parts.map((p) => p.name)))];
  const color = (name: string) => PALETTE[names.indexOf(name) % PALETTE.length] ?? '#000';
  const parts: string[] = [];
  chart.rows.forEach((row, i) => {
    const yTop = i * rowH;
    parts.push(text(0, yTop + 16, fit(row.label, WIDTH)));
    let x = 0;
    for (const part of row.parts) {
      const w = part.share * WIDTH;
      const share = formatValue(part.share, 'rate');
      parts.push(`<rect x="${fmt(x)}" y="${yTop + 22}" width="${fmt(Math.max(0, w))}" height="24" fill="${color(part.name)}"><title>${escapeHtml(`${part.name}: ${share}`)}</title></rect>`);
      if (w > ([...share].length + 1) * CHAR_W) parts.push(`<text x="${fmt(x + w / 2)}" y="${yTop + 39}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="${FONT_SIZE}" fill="#fff">${escapeHtml(share)}</text>`);
      x += w;
    }
  });
  // the legend in two columns (one for a single name), with each part's share when there is one row
  const only = chart.rows.length === 1 ? chart.rows[0] : undefined;
  const top = chart.rows.length * rowH + 4;
  const columns = names.length === 1 ? 1 : 2;
  names.forEach((name, i) => {
    const lx = (i % columns) * (WIDTH / columns);
    const ly = top + Math.floor(i / columns) * 22;
    const share = only?.parts.find((p) => p.name === name)?.share;
    const label = share === undefined ? name : `${name} ${formatValue(share, 'rate')}`;
    parts.push(`<rect x="${fmt(lx)}" y="${ly + 3}" width="10" height="10" fill="${color(name)}"/>${text(lx + 14, ly + 13, fit(label, WIDTH / columns - 20))}`);
  });
  const height = top + Math.ceil(names.length / columns) * 22 + 4;
  return [svgOpen(chart.id, chart.title, height), ...parts, '</svg>'].join('');
}

export function renderChart(chart: Chart): string {
  switch (chart.kind) {
    case 'line': return lineSvg(chart);
    case 'bars': return barsSvg(chart);
    case 'stack': return stackSvg(chart);
    default: return (chart satisfies never) as string;
  }
}
