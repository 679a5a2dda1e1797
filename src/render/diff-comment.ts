/**
 * The pull-request comment of `costattr diff --format md`, after Infracost's: a headline with the
 * monthly effect and the volume it assumes, the tripped rules, a table of the routes whose cost
 * moved (baseline, change and new cost a month, cost per run, and why), then the totals, every
 * route and every changed metric folded away, and the provenance of both sides. It starts with a
 * hidden marker so `costattr comment github` can find and update its own comment.
 */
import type { DiffResult } from '../analysis/diff.js';
import { TOTAL_ROUTE } from '../analysis/diff.js';
import {
  changeOf,
  costRows,
  costTable,
  diffHeadline,
  formatPct,
  formatValue,
  metricsTable,
  perRunSentence,
  priceEffectLines,
  pricingNote,
  routeName,
  ruleSentence,
  sideLine,
  volumeText,
  whyText,
} from './diff.js';
import { escapeMarkdown, renderMarkdown } from './md.js';
import type { Row, TableModel } from './model.js';

export const DIFF_COMMENT_MARKER = '<!-- costattr-diff -->';

function icon(result: DiffResult): string {
  if (result.failed) return '❌';
  if (result.tripped.length > 0) return '⚠️';
  return result.base === null ? 'ℹ️' : '✅';
}

/** Per changed route: the month before and after, the change, the cost per run, and why. */
function monthlyTable(result: DiffResult): TableModel {
  return {
    columns: [
      { key: 'route', header: 'Route', kind: 'text' },
      { key: 'base', header: 'Baseline $/month', kind: 'money' },
      { key: 'change', header: 'Change', kind: 'text' },
      { key: 'head', header: 'New $/month', kind: 'money' },
      { key: 'per_run', header: '$/run', kind: 'text' },
      { key: 'why', header: 'Why', kind: 'text' },
    ],
    rows: costRows(result, true).map((c): Row => {
      const monthly = changeOf(result, c.route, 'monthly_usd');
      const change = monthly?.delta == null ? c.status : `${formatValue('monthly_usd', monthly.delta, true)}${monthly.delta_pct === null ? '' : ` (${formatPct(monthly.delta_pct)})`}`;
      return {
        route: routeName(c.route),
        base: monthly?.base ?? null,
        change,
        head: monthly?.head ?? null,
        per_run: `${formatValue(c.metric, c.base)} → ${formatValue(c.metric, c.head)}`,
        why: whyText(result, c.route) || (c.status === 'unchanged' ? '' : '–'),
      };
    }),
    notes: [],
  };
}

/** The totals of both sides, and their difference. */
const TOTALS = { runs: 'runs', cost_usd: 'cost of the eval run', cost_per_run: 'cost per run', p95_run_usd: 'p95 cost of a run', monthly_usd: 'monthly estimate', cache_hit_rate: 'cache hit rate' } as const;

function totalsTable(result: DiffResult): TableModel {
  const rows = (Object.keys(TOTALS) as Array<keyof typeof TOTALS>).map((metric): Row => {
    const c = changeOf(result, TOTAL_ROUTE, metric);
    const delta = c?.delta == null ? '–' : `${formatValue(metric, c.delta, true)}${c.delta_pct === null ? '' : ` (${formatPct(c.delta_pct)})`}`;
    return { metric: TOTALS[metric], base: formatValue(metric, c?.base ?? null), head: formatValue(metric, c?.head ?? null), delta };
  });
  return {
    title: 'Totals',
    columns: [
      { key: 'metric', header: '', kind: 'text' },
      { key: 'base', header: 'Base', kind: 'text' },
      { key: 'head', header: 'Head', kind: 'text' },
      { key: 'delta', header: 'Change', kind: 'text' },
    ],
    rows,
    notes: [],
  };
}

/** Without a baseline: the head's routes, runs, cost per run and cost a month. */
function headTable(result: DiffResult): TableModel {
  return {
    columns: [
      { key: 'route', header: 'Route', kind: 'text' },
      { key: 'runs', header: 'Runs', kind: 'int' },
      { key: 'per_run', header: '$/run', kind: 'text' },
      { key: 'monthly', header: '$/month', kind: 'money' },
    ],
    rows: costRows(result, false).map((c) => ({
      route: routeName(c.route),
      runs: changeOf(result, c.route, 'runs')?.head ?? null,
      per_run: formatValue(c.metric, c.head),
      monthly: changeOf(result, c.route, 'monthly_usd')?.head ?? null,
    })),
    notes: [],
  };
}

function folded(summary: string, tables: readonly TableModel[]): string[] {
  return ['<details><summary>' + summary + '</summary>', '', ...tables.flatMap((t) => [renderMarkdown(t), '']), '</details>', ''];
}

/** The pull-request comment; empty when the diff is skipped. */
export function renderDiffMarkdown(result: DiffResult): string {
  if (result.skipped) return '';
  const parts = [DIFF_COMMENT_MARKER, `### ${icon(result)} costattr: ${escapeMarkdown(diffHeadline(result))}`, ''];
  const monthlyLine = result.base === null
    ? `There is no baseline to compare with, so only level rules were judged. The head on its own, at ${volumeText(result)}:`
    : `Monthly estimate ${formatValue('monthly_usd', result.base.monthly_usd)} → ${formatValue('monthly_usd', result.head.monthly_usd)} at ${volumeText(result)}; ${perRunSentence(result.base, result.head)}.`;
  parts.push(escapeMarkdown(monthlyLine), '');
  for (const t of result.tripped) {
    parts.push(`${t.level === 'fail' ? '❌ **fail**' : '⚠️ **warn**'} ${codeSpan(t.rule)}: ${escapeMarkdown(ruleSentence(t))}  `);
  }
  if (result.tripped.length > 0) parts.push('');
  if (result.base === null) {
    parts.push(renderMarkdown(headTable(result)), '');
  } else {
    parts.push(renderMarkdown(monthlyTable(result)), '');
    const cost = costTable(result, false);
    const metrics = metricsTable(result);
    parts.push(...folded('Totals, every route and all changed metrics', [totalsTable(result), cost, ...(metrics.rows.length > 0 ? [metrics] : [])]));
  }
  const footer = [...priceEffectLines(result), pricingNote(result), ...result.notes, ...(result.base ? [sideLine('base', result.base)] : []), sideLine('head', result.head)];
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
