/**
 * `report weekly` for people: headline on spend and where unit cost, model mix, prompt length and
 * margins moved; tables per section; charts of spend over both weeks, top tenants, and the model
 * mix before and after.
 */
import type { WeeklyReport } from '../analysis/report/weekly.js';
import { lowerBoundNotes } from './costs.js';
import { formatUnitUsd, formatUsd } from './money.js';
import { foldShares, limitRows, pct, plural, points, signedPct, table, unpricedNote, type ReportView, type ViewOptions } from './report-view.js';
import type { Row } from './model.js';

function headline(r: WeeklyReport): string[] {
  const t = r.totals;
  const lines = [`Week ${r.week}: ${formatUsd(t.cost_usd)} spent, ${signedPct(t.delta_pct)} vs the week before (${formatUsd(t.previous_usd)}).`];
  const unit = r.outcomes.filter((o) => o.cost_per_run_change !== null).sort((a, b) => Math.abs(b.cost_per_run_change ?? 0) - Math.abs(a.cost_per_run_change ?? 0))[0];
  if (unit) lines.push(`Cost per run on route ${unit.route} moved ${signedPct(unit.cost_per_run_change)} (${formatUnitUsd(unit.previous_cost_per_run ?? 0)} → ${formatUnitUsd(unit.cost_per_run ?? 0)}).`);
  const shift = [...r.model_mix].sort((a, b) => Math.abs(b.spend_share_shift) - Math.abs(a.spend_share_shift))[0];
  if (shift && shift.spend_share_shift !== 0 && t.previous_usd > 0) lines.push(`Model mix: ${shift.model} ${points(shift.spend_share_shift)} of spend (${pct(shift.previous_spend_share)} → ${pct(shift.spend_share)}).`);
  const prompt = r.prompt_trend.filter((p) => p.change !== null).sort((a, b) => Math.abs(b.change ?? 0) - Math.abs(a.change ?? 0))[0];
  if (prompt) lines.push(`Prompt length on route ${prompt.route} ${signedPct(prompt.change)} week over week.`);
  if (r.margin_moves === null) lines.push('Margin movement needs revenue: pass --revenue FILE.');
  else {
    const move = r.margin_moves[0];
    if (move) lines.push(`Largest margin move: tenant ${move.tenant}, ${points(move.change)} (${pct(move.previous_margin)} → ${pct(move.margin)}).`);
  }
  if (t.unattributed_usd > 0) lines.push(`${formatUsd(t.unattributed_usd)} of spend has no tenant.`);
  lines.push(...unpricedNote(r.unpriced));
  return lines;
}

function promptRows(r: WeeklyReport): Row[] {
  return r.prompt_trend.map((p) => {
    const row: Row = { route: p.route, change: p.change };
    p.weeks.forEach((w, i) => { row[`w${i}`] = w.avg_prompt_tokens; });
    return row;
  });
}

export function weeklyView(r: WeeklyReport, options: ViewOptions): ReportView {
  const t = r.totals;
  const anyOutcomes = r.outcomes.some((o) => o.successes !== null);
  const outcomeTag = r.outcome_attribute ?? 'outcome';
  const tables = [
    limitRows(table('Cost per outcome by route', [
      { key: 'route', header: 'route', kind: 'text' },
      { key: 'runs', header: 'runs', kind: 'int' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
      { key: 'cost_per_run', header: 'per run', kind: 'unit_money' },
      { key: 'previous_cost_per_run', header: 'per run before', kind: 'unit_money' },
      { key: 'cost_per_run_change', header: 'Δ per run', kind: 'rate' },
      ...(anyOutcomes ? [
        { key: 'successes', header: 'successes', kind: 'int' as const },
        { key: 'cost_per_success', header: 'per success', kind: 'unit_money' as const },
        { key: 'previous_cost_per_success', header: 'per success before', kind: 'unit_money' as const },
        { key: 'cost_per_success_change', header: 'Δ per success', kind: 'rate' as const },
      ] : []),
    ], r.outcomes.map((o) => ({ ...o })), anyOutcomes ? [`a success is a run whose ${outcomeTag} tag says so (success, ok, resolved, …)`] : [`no run carries an ${outcomeTag} tag: the outcome is the run`]), options),
    limitRows(table('Model mix shift', [
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'calls', header: 'calls', kind: 'int' },
      { key: 'previous_call_share', header: 'calls before', kind: 'rate' },
      { key: 'call_share', header: 'calls now', kind: 'rate' },
      { key: 'previous_spend_share', header: 'spend before', kind: 'rate' },
      { key: 'spend_share', header: 'spend now', kind: 'rate' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
    ], r.model_mix.map((m) => ({ ...m }))), options),
    limitRows(table('Prompt tokens per call by route (4 weeks)', [
      { key: 'route', header: 'route', kind: 'text' },
      ...(r.prompt_trend[0]?.weeks ?? []).map((w, i) => ({ key: `w${i}`, header: `from ${w.since.slice(5)}`, kind: 'number' as const })),
      { key: 'change', header: 'change', kind: 'rate' },
    ], promptRows(r)), options),
  ];
  if (options.full) {
    tables.push(table('Top tenants by spend', [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
      { key: 'previous_usd', header: 'week before', kind: 'money' },
      { key: 'share', header: 'share', kind: 'rate' },
    ], r.top_tenants.map((t) => ({ ...t }))));
  }
  if (r.margin_moves !== null) {
    tables.push(limitRows(table('Tenants whose margin moved most', [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'previous_margin', header: 'margin before', kind: 'rate' },
      { key: 'margin', header: 'margin now', kind: 'rate' },
      { key: 'change', header: 'change (pts)', kind: 'rate' },
      { key: 'revenue_usd', header: 'revenue (prorated)', kind: 'money' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
    ], r.margin_moves.map((m) => ({ ...m })), ['weekly revenue is the month’s revenue prorated by day']), options));
  }
  if (r.unpriced.length > 0) {
    tables.push(table('Unpriced models', [
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'spans', header: 'spans', kind: 'int' },
      { key: 'token_share', header: 'of tokens', kind: 'rate' },
    ], r.unpriced.map((u) => ({ ...u })), lowerBoundNotes(r.unpriced)));
  }
  const mix = (key: 'previous_spend_share' | 'spend_share') => foldShares(r.model_mix.map((m) => ({ name: m.model, share: m[key] })));
  return {
    title: `Weekly cost report — ${r.week}`,
    subtitle: `${r.since} to ${r.until} (exclusive, ${r.timezone}) against the 7 days before`,
    headline: headline(r),
    figures: [
      { label: 'Spend', value: formatUsd(t.cost_usd), detail: `${signedPct(t.delta_pct)} vs week before`, tone: (t.delta_pct ?? 0) > 0.1 ? 'bad' : 'neutral' },
      { label: 'Routes', value: String(r.outcomes.length), detail: plural(r.outcomes.reduce((s, o) => s + o.runs, 0), 'run') },
      { label: 'Models', value: String(r.model_mix.filter((m) => m.calls > 0).length) },
      { label: 'Unattributed', value: formatUsd(t.unattributed_usd) },
    ],
    charts: [
      { kind: 'line', id: 'chart-spend-trend', title: 'Spend per day (both weeks)', labels: r.trend.map((d) => d.day.slice(5)), series: [{ name: 'spend', values: r.trend.map((d) => d.cost_usd) }], references: [] },
      { kind: 'bars', id: 'chart-top-tenants', title: 'Top tenants by spend this week', format: 'money', bars: r.top_tenants.map((row) => ({ label: row.tenant, value: row.cost_usd })) },
      { kind: 'stack', id: 'chart-model-mix', title: 'Model mix (share of spend)', rows: [{ label: 'week before', parts: mix('previous_spend_share') }, { label: 'this week', parts: mix('spend_share') }] },
    ],
    tables,
  };
}
