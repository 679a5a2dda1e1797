/**
 * Rendering a `diff` result for the terminal, and the pieces the pull-request comment
 * (diff-comment.ts) shares with it: values in their units, the headline with the monthly effect,
 * the sentence of a tripped rule, the "why" of a route, and the cost tables.
 */
import type { DiffChange, DiffResult, DiffSide, TrippedRule } from '../analysis/diff.js';
import { TOTAL_ROUTE } from '../analysis/diff.js';
import type { DiffMetric } from '../analysis/diff-rules.js';
import type { Driver } from '../analysis/diff-why.js';
import type { TableModel } from './model.js';
import { formatSignedUsd, formatUnitUsd, formatUsd, roundUsd } from './money.js';
import { renderTables, type TableOptions } from './table.js';

/** Per-run costs, shown to the micro-dollar (a cent hides a regression); amounts to the cent. */
const UNIT_METRICS: ReadonlySet<DiffMetric> = new Set(['cost_per_run', 'p50_run_usd', 'p95_run_usd']);
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
/** Drivers shown per route: the rest are in the JSON. */
export const WHY_SHOWN = 3;

export function formatPct(fraction: number, signed = true): string {
  const sign = signed && fraction > 0 ? '+' : '';
  return `${sign}${(fraction * 100).toFixed(1)}%`;
}

/** A metric value in its unit: money, a rate (as %), or a count per run. */
export function formatValue(metric: DiffMetric, value: number | null, signed = false): string {
  if (value === null) return '–';
  if (UNIT_METRICS.has(metric)) return formatUnitUsd(value, { signed });
  if (metric === 'cost_usd' || metric === 'monthly_usd') return signed ? formatSignedUsd(value) : formatUsd(value);
  if (metric === 'cache_hit_rate') return signed ? `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)} pts` : formatPct(value, false);
  return `${signed && value > 0 ? '+' : ''}${COUNT.format(value)}`;
}

export function routeName(route: string): string {
  return route === TOTAL_ROUTE ? 'total' : route;
}

export function changeOf(result: DiffResult, route: string, metric: DiffMetric): DiffChange | undefined {
  return result.changes.find((c) => c.route === route && c.metric === metric);
}

/** "510 runs a month (observed: 51 runs over 3 days in the head, 30-day month)". */
export function volumeText(result: DiffResult): string {
  const m = result.monthly;
  const runs = `${COUNT.format(m.runs_per_month)} runs a month`;
  if (m.observed === null) return `${runs} (--runs-per-month)`;
  const days = `${m.observed.days} day${m.observed.days === 1 ? '' : 's'}`;
  return `${runs} (observed: ${COUNT.format(m.observed.runs)} head runs over ${days} × 30; set --runs-per-month for production volume)`;
}

/** "+$4.03/month (+83.0%) at 510 runs a month"; "no change in cost ($8.89/month …)"; "no baseline: …". */
export function diffHeadline(result: DiffResult): string {
  const runs = `${COUNT.format(result.monthly.runs_per_month)} runs a month`;
  if (result.base === null) return `no baseline: the head costs ${formatUsd(result.head.monthly_usd)}/month at ${runs}`;
  const monthly = changeOf(result, TOTAL_ROUTE, 'monthly_usd');
  const delta = roundUsd(result.head.monthly_usd - result.base.monthly_usd);
  if (delta === 0) return `no change in cost (${formatUsd(result.head.monthly_usd)}/month at ${runs})`;
  const pct = monthly?.delta_pct == null ? '' : ` (${formatPct(monthly.delta_pct)})`;
  return `${formatSignedUsd(delta)}/month${pct} at ${runs}`;
}

/** "cost per run $0.009531 → $0.017441 (+$0.00791)". */
export function perRunSentence(base: DiffSide, head: DiffSide): string {
  const delta = roundUsd(head.cost_per_run - base.cost_per_run);
  return `cost per run ${formatUnitUsd(base.cost_per_run)} → ${formatUnitUsd(head.cost_per_run)} (${delta === 0 ? 'unchanged' : formatUnitUsd(delta, { signed: true })})`;
}

export function ruleSentence(t: TrippedRule): string {
  const change = t.delta_pct !== null ? `, ${formatPct(t.delta_pct)}` : t.delta !== null ? `, ${formatValue(t.metric, t.delta, true)}` : '';
  return `${routeName(t.route)} ${t.metric.replaceAll('_', ' ')} ${formatValue(t.metric, t.base)} → ${formatValue(t.metric, t.head)}${change}`;
}

const DRIVER_NAMES = {
  spans_per_run: 'model calls per run',
  input_tokens_per_run: 'input tokens per run',
  response_tokens_per_run: 'output tokens per run',
  cache_hit_rate: 'cache hit rate',
} as const;

/** "input tokens per run 3,600 → 4,200 (+16.7%; prompt layer +600)", "model a → b". */
export function driverText(d: Driver): string {
  if (d.metric === 'model') return `model ${d.base} → ${d.head}`;
  const name = DRIVER_NAMES[d.metric];
  if (d.metric === 'cache_hit_rate') return `${name} ${formatPct(d.base, false)} → ${formatPct(d.head, false)}`;
  const details = [d.delta_pct === null ? 'new' : formatPct(d.delta_pct), ...(d.layer ? [`${d.layer.name} layer ${formatValue('input_tokens_per_run', d.layer.delta, true)}`] : [])];
  return `${name} ${COUNT.format(d.base)} → ${COUNT.format(d.head)} (${details.join('; ')})`;
}

/** The route's drivers, at most WHY_SHOWN, joined; empty when nothing explains the move. */
export function whyText(result: DiffResult, route: string): string {
  return result.why.filter((d) => d.route === route).slice(0, WHY_SHOWN).map(driverText).join('; ');
}

export function pricingNote(result: DiffResult): string {
  if (result.base === null) return `priced with the head's price book (${result.head.price_book.hash})`;
  return result.pricing === 'base'
    ? `both sides priced with the base price book (${result.base.price_book.hash}); --reprice shows the effect of price changes`
    : `each side priced with its own price book (base ${result.base.price_book.hash}, head ${result.head.price_book.hash})`;
}

export function priceEffectLines(result: DiffResult): string[] {
  const total = result.price_effect?.find((p) => p.route === TOTAL_ROUTE);
  if (!total) return [];
  return [`price effect on the head: ${formatUnitUsd(total.delta, { signed: true })} per run (${formatUnitUsd(total.head_at_base_prices)} at base prices → ${formatUnitUsd(total.head_at_head_prices)} at head prices)`];
}

export function sideLine(name: string, side: DiffSide): string {
  const label = side.label ? ` "${side.label}"` : '';
  return `${name}${label}: ${side.runs} runs, ${side.spans} spans, ${side.first_span ?? '?'} … ${side.last_span ?? '?'}, price book ${side.price_book.hash}${side.price_book.date ? ` (${side.price_book.date})` : ''}, costattr ${side.costattr_version}`;
}

/** Cost-per-run rows: the total first, then every route (or only those whose cost per run moved). */
export function costRows(result: DiffResult, onlyChanged: boolean): DiffChange[] {
  return result.changes.filter((c) => c.metric === 'cost_per_run' && (!onlyChanged || c.route === TOTAL_ROUTE || c.status !== 'unchanged'));
}

/** Per route: runs and cost per run on each side, the change, the monthly change. */
export function costTable(result: DiffResult, onlyChanged: boolean): TableModel {
  return {
    title: 'Cost per run by route',
    columns: [
      { key: 'route', header: 'Route', kind: 'text' },
      { key: 'status', header: 'Status', kind: 'text' },
      { key: 'base_runs', header: 'Runs (base)', kind: 'int' },
      { key: 'head_runs', header: 'Runs (head)', kind: 'int' },
      { key: 'base', header: 'Base $/run', kind: 'text' },
      { key: 'head', header: 'Head $/run', kind: 'text' },
      { key: 'delta', header: 'Δ $/run', kind: 'text' },
      { key: 'delta_pct', header: 'Δ %', kind: 'text' },
      { key: 'monthly', header: 'Δ $/month', kind: 'text' },
    ],
    rows: costRows(result, onlyChanged).map((c) => {
      const runs = changeOf(result, c.route, 'runs');
      const monthly = changeOf(result, c.route, 'monthly_usd');
      return {
        route: routeName(c.route),
        status: c.status,
        base_runs: runs?.base ?? null,
        head_runs: runs?.head ?? null,
        base: formatValue(c.metric, c.base),
        head: formatValue(c.metric, c.head),
        delta: c.delta === null ? '–' : formatValue(c.metric, c.delta, true),
        delta_pct: c.delta_pct === null ? '–' : formatPct(c.delta_pct),
        monthly: monthly?.delta == null ? '–' : formatValue('monthly_usd', monthly.delta, true),
      };
    }),
    notes: [],
  };
}

export function metricsTable(result: DiffResult): TableModel {
  return {
    title: 'Changed metrics',
    columns: [
      { key: 'route', header: 'Route', kind: 'text' },
      { key: 'metric', header: 'Metric', kind: 'text' },
      { key: 'base', header: 'Base', kind: 'text' },
      { key: 'head', header: 'Head', kind: 'text' },
      { key: 'delta', header: 'Δ', kind: 'text' },
      { key: 'delta_pct', header: 'Δ %', kind: 'text' },
      { key: 'status', header: 'Status', kind: 'text' },
    ],
    rows: result.changes
      .filter((c) => c.status !== 'unchanged' && (c.base !== null || c.head !== null))
      .map((c) => ({
        route: routeName(c.route),
        metric: c.metric,
        base: formatValue(c.metric, c.base),
        head: formatValue(c.metric, c.head),
        delta: c.delta === null ? '–' : formatValue(c.metric, c.delta, true),
        delta_pct: c.delta_pct === null ? '–' : formatPct(c.delta_pct),
        status: c.status,
      })),
    notes: [],
  };
}

/** Terminal output: headline, tables, why, rule verdicts and notes; empty when the diff is skipped. */
export function renderDiffTable(result: DiffResult, options: TableOptions): string {
  if (result.skipped) return '';
  const cost = costTable(result, false);
  cost.title = `costattr diff: ${diffHeadline(result)}`;
  const why = costRows(result, false).flatMap((c) => {
    const text = whyText(result, c.route);
    return text ? [`why ${routeName(c.route)}: ${text}`] : [];
  });
  cost.notes = [...(result.base ? [perRunSentence(result.base, result.head)] : []), `monthly volume: ${volumeText(result)}`, ...why];
  const metrics = metricsTable(result);
  metrics.notes = [
    ...result.tripped.map((t) => `${t.level === 'fail' ? 'FAIL' : 'WARN'} ${t.rule}: ${ruleSentence(t)}`),
    ...priceEffectLines(result),
    pricingNote(result),
    ...result.notes,
  ];
  return renderTables(metrics.rows.length > 0 ? [cost, metrics] : [{ ...cost, notes: [...cost.notes, ...metrics.notes] }], options);
}
