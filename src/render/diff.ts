/**
 * Rendering a `diff` result: the headline sentence, the tripped rules, a cost-per-run table per
 * route and a table of every changed metric, for the terminal and as a pull-request comment.
 * The comment starts with a hidden marker so a CI job can find and update its own comment.
 */
import type { DiffChange, DiffResult, TrippedRule } from '../analysis/diff.js';
import { TOTAL_ROUTE } from '../analysis/diff.js';
import type { DiffMetric } from '../analysis/diff-rules.js';
import { escapeMarkdown, renderMarkdown } from './md.js';
import type { TableModel } from './model.js';
import { formatSignedUsd, formatUnitUsd, formatUsd, roundUsd } from './money.js';
import { renderTables, type TableOptions } from './table.js';

export const DIFF_COMMENT_MARKER = '<!-- costattr-diff -->';

/** Per-run costs, shown to the micro-dollar (a cent hides a regression); `cost_usd` is an amount, to the cent. */
const UNIT_METRICS: ReadonlySet<DiffMetric> = new Set(['cost_per_run', 'p50_run_usd', 'p95_run_usd']);
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

function formatPct(fraction: number, signed = true): string {
  const sign = signed && fraction > 0 ? '+' : '';
  return `${sign}${(fraction * 100).toFixed(1)}%`;
}

/** A metric value in its unit: money, a rate (as %), or a count per run. */
function formatValue(metric: DiffMetric, value: number | null, signed = false): string {
  if (value === null) return '–';
  if (UNIT_METRICS.has(metric)) return formatUnitUsd(value, { signed });
  if (metric === 'cost_usd') return signed ? formatSignedUsd(value) : formatUsd(value);
  if (metric === 'cache_hit_rate') return signed ? `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)} pts` : formatPct(value, false);
  return `${signed && value > 0 ? '+' : ''}${COUNT.format(value)}`;
}

function routeName(route: string): string {
  return route === TOTAL_ROUTE ? 'total' : route;
}

/** "cost per run up 12.0% (+$0.004)", "cost per run unchanged ($0.0042)". */
function diffHeadline(result: DiffResult): string {
  const base = result.base.cost_per_run;
  const head = result.head.cost_per_run;
  const delta = roundUsd(head - base);
  if (delta === 0) return `cost per run unchanged (${formatUnitUsd(head)})`;
  const direction = delta > 0 ? 'up' : 'down';
  const pct = base === 0 ? '' : ` ${formatPct(Math.abs(delta) / base, false)}`;
  return `cost per run ${direction}${pct} (${formatUnitUsd(delta, { signed: true })})`;
}

function ruleSentence(t: TrippedRule): string {
  const change = t.delta_pct !== null ? `, ${formatPct(t.delta_pct)}` : t.delta !== null ? `, ${formatValue(t.metric, t.delta, true)}` : '';
  return `${routeName(t.route)} ${t.metric.replaceAll('_', ' ')} ${formatValue(t.metric, t.base)} → ${formatValue(t.metric, t.head)}${change}`;
}

function pricingNote(result: DiffResult): string {
  return result.pricing === 'base'
    ? `both sides priced with the base price book (${result.base.price_book.hash}); --reprice shows the effect of price changes`
    : `each side priced with its own price book (base ${result.base.price_book.hash}, head ${result.head.price_book.hash})`;
}

function costRows(result: DiffResult, onlyChanged: boolean): DiffChange[] {
  return result.changes.filter((c) => c.metric === 'cost_per_run' && (!onlyChanged || c.route === TOTAL_ROUTE || c.status !== 'unchanged'));
}

function runsOf(result: DiffResult, route: string): { base: number | null; head: number | null } {
  const runs = result.changes.find((c) => c.route === route && c.metric === 'runs');
  return { base: runs?.base ?? null, head: runs?.head ?? null };
}

function costTable(result: DiffResult, onlyChanged: boolean): TableModel {
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
    ],
    rows: costRows(result, onlyChanged).map((c) => {
      const runs = runsOf(result, c.route);
      return {
        route: routeName(c.route),
        status: c.status,
        base_runs: runs.base,
        head_runs: runs.head,
        base: formatValue(c.metric, c.base),
        head: formatValue(c.metric, c.head),
        delta: c.delta === null ? '–' : formatValue(c.metric, c.delta, true),
        delta_pct: c.delta_pct === null ? '–' : formatPct(c.delta_pct),
      };
    }),
    notes: [],
  };
}

function metricsTable(result: DiffResult): TableModel {
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

function priceEffectLines(result: DiffResult): string[] {
  const total = result.price_effect?.find((p) => p.route === TOTAL_ROUTE);
  if (!total) return [];
  return [`price effect on the head: ${formatUnitUsd(total.delta, { signed: true })} per run (${formatUnitUsd(total.head_at_base_prices)} at base prices → ${formatUnitUsd(total.head_at_head_prices)} at head prices)`];
}

/** Terminal output: headline, tables, rule verdicts and notes; empty when the diff is skipped. */
export function renderDiffTable(result: DiffResult, options: TableOptions): string {
  if (result.skipped) return '';
  const cost = costTable(result, false);
  cost.title = `costattr diff: ${diffHeadline(result)}`;
  const metrics = metricsTable(result);
  metrics.notes = [
    ...result.tripped.map((t) => `${t.level === 'fail' ? 'FAIL' : 'WARN'} ${t.rule}: ${ruleSentence(t)}`),
    ...priceEffectLines(result),
    pricingNote(result),
    ...result.notes,
  ];
  return renderTables(metrics.rows.length > 0 ? [cost, metrics] : [{ ...cost, notes: metrics.notes }], options);
}

/** The pull-request comment; empty when the diff is skipped. */
export function renderDiffMarkdown(result: DiffResult): string {
  if (result.skipped) return '';
  const parts = [DIFF_COMMENT_MARKER, `### ${result.failed ? '❌' : result.tripped.length > 0 ? '⚠️' : '✅'} costattr: ${escapeMarkdown(diffHeadline(result))}`, ''];
  for (const t of result.tripped) {
    parts.push(`${t.level === 'fail' ? '❌ **fail**' : '⚠️ **warn**'} ${codeSpan(t.rule)}: ${escapeMarkdown(ruleSentence(t))}  `);
  }
  if (result.tripped.length > 0) parts.push('');
  const cost = costTable(result, true);
  delete cost.title;
  parts.push(renderMarkdown(cost), '');
  const metrics = metricsTable(result);
  if (metrics.rows.length > 0) {
    delete metrics.title;
    parts.push('<details><summary>All changed metrics</summary>', '', renderMarkdown(metrics), '', '</details>', '');
  }
  const footer = [...priceEffectLines(result), pricingNote(result), ...result.notes, sideLine('base', result.base), sideLine('head', result.head)];
  parts.push(...footer.map((line) => `<sub>${escapeMarkdown(line)}</sub><br>`));
  return `${parts.join('\n')}\n`;
}

/** Inline code that survives backticks in the text (a longer fence, padded with spaces). */
function codeSpan(raw: string): string {
  const text = raw.replace(/\r?\n|\r/g, ' ');
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return longest === 0 ? `${fence}${text}${fence}` : `${fence} ${text} ${fence}`;
}

function sideLine(name: string, side: DiffResult['base']): string {
  const label = side.label ? ` "${side.label}"` : '';
  return `${name}${label}: ${side.runs} runs, ${side.spans} spans, ${side.first_span ?? '?'} … ${side.last_span ?? '?'}, price book ${side.price_book.hash}${side.price_book.date ? ` (${side.price_book.date})` : ''}, costattr ${side.costattr_version}`;
}
