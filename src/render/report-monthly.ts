/**
 * `report monthly` for people (a finance lead): headline on spend, revenue and margin, the invoice
 * (reconciled, or said to be missing), the month-end forecast against the budget, segments, cache
 * savings and the top driver; tables for segments, the invoice by provider and by cause
 * (report-invoice.ts), tenants, cohorts, cache economics, the forecast (with how it was fitted) and drivers;
 * charts of cumulative spend with the forecast and budget, top tenants, model mix, margin by segment.
 */
import type { MonthlyReport } from '../analysis/report/monthly.js';
import { lowerBoundNotes } from './costs.js';
import type { Chart } from './html/charts.js';
import type { Row } from './model.js';
import { formatSignedUsd, formatUsd } from './money.js';
import { invoiceFigure, invoiceHeadline, invoiceTables } from './report-invoice.js';
import { foldShares, limitRows, pct, plural, signedPct, table, unpricedNote, type ReportView, type ViewOptions } from './report-view.js';

function headline(r: MonthlyReport): string[] {
  const p = r.portfolio;
  const f = r.forecast;
  const before = r.totals.previous_usd > 0 ? `${signedPct(r.totals.delta_pct)} vs ${formatUsd(r.totals.previous_usd)} the month before` : 'no spend the month before';
  const lines = [`${r.month}: ${formatUsd(r.totals.cost_usd)} spent (${before})${p.revenue_usd > 0 ? ` against ${formatUsd(p.revenue_usd)} revenue: ${p.margin === null ? 'no' : pct(p.margin)} margin` : ''}.`];
  lines.push(...invoiceHeadline(r.reconcile));
  if (f.remaining_days > 0) {
    const budget = f.budget_usd === null ? 'no budget given'
      : f.over_budget_usd !== null && f.over_budget_usd > 0 ? `${formatUsd(f.over_budget_usd)} over the ${formatUsd(f.budget_usd)} budget` : `within the ${formatUsd(f.budget_usd)} budget`;
    lines.push(`Forecast month-end spend ${formatUsd(f.forecast_usd)} (${budget}).`);
  } else if (f.budget_usd !== null) {
    lines.push(`Month closed at ${formatUsd(f.forecast_usd)}: ${f.over_budget_usd !== null && f.over_budget_usd > 0 ? `${formatUsd(f.over_budget_usd)} over` : 'within'} the ${formatUsd(f.budget_usd)} budget.`);
  }
  const weak = r.segments.filter((s) => s.segment === 'runaway' || s.segment === 'power_user');
  for (const s of weak.filter((x) => x.tenants > 0)) {
    const names = r.tenants.filter((t) => t.segment === s.segment).slice(0, 3).map((t) => t.tenant);
    lines.push(`${plural(s.tenants, `${s.segment.replace('_', ' ')} tenant`)} at ${s.margin === null ? 'unknown' : pct(s.margin)} margin: ${names.join(', ')}${s.tenants > names.length ? ', …' : '.'}`);
  }
  if (r.cache.savings_usd > 0) lines.push(`Caching saved ${formatUsd(r.cache.savings_usd)} (hit rate ${pct(r.cache.hit_rate ?? 0)}).`);
  const driver = r.drivers[0];
  if (driver) lines.push(`Top cost driver: route ${driver.route} on ${driver.model}, ${formatUsd(driver.cost_usd)} (${pct(driver.share)} of spend).`);
  if (r.portfolio.unattributed_usd > 0) lines.push(`${formatUsd(r.portfolio.unattributed_usd)} of spend has no tenant.`);
  lines.push(...unpricedNote(r.unpriced));
  return lines;
}

const MARGIN_COLUMNS = [
  { key: 'revenue_usd', header: 'revenue', kind: 'money' },
  { key: 'cost_usd', header: 'spend', kind: 'money' },
  { key: 'margin', header: 'margin', kind: 'rate' },
] as const;

function cohortTable(r: MonthlyReport, by: 'plan' | 'first_month', title: string) {
  return table(title, [
    { key: 'cohort', header: by === 'plan' ? 'plan' : 'first seen', kind: 'text' },
    { key: 'tenants', header: 'tenants', kind: 'int' },
    ...MARGIN_COLUMNS,
    { key: 'runs', header: 'runs', kind: 'int' },
    { key: 'cost_per_run', header: 'per run', kind: 'unit_money' },
    { key: 'revenue_per_tenant', header: 'revenue/tenant', kind: 'money' },
    { key: 'cost_per_tenant', header: 'spend/tenant', kind: 'money' },
  ], r.cohorts.filter((c) => c.by === by).map((c) => ({ ...c })));
}

/** Cumulative spend to date, the forecast line on to month end, and the budget. */
function burnChart(r: MonthlyReport): Chart {
  const f = r.forecast;
  const days = f.days_in_month;
  const labels = Array.from({ length: days }, (_v, i) => `${r.month.slice(5)}-${String(i + 1).padStart(2, '0')}`);
  const actual: Array<number | null> = labels.map(() => null);
  let sum = 0;
  r.trend.forEach((d, i) => { sum += d.cost_usd; actual[i] = Math.round(sum * 100) / 100; });
  const projected: Array<number | null> = labels.map(() => null);
  if (f.remaining_days > 0 && f.days_used > 0) {
    let running = f.actual_to_date_usd;
    projected[f.days_used - 1] = running;
    for (let x = f.days_used + 1; x <= days; x++) {
      running += Math.max(0, f.intercept_usd + f.slope_usd_per_day * x);
      projected[x - 1] = Math.round(running * 100) / 100;
    }
  }
  return {
    kind: 'line', id: 'chart-spend-trend', title: 'Cumulative spend, forecast and budget', labels,
    series: [{ name: 'spend to date', values: actual }, ...(f.remaining_days > 0 ? [{ name: 'forecast', values: projected, dashed: true }] : [])],
    references: f.budget_usd === null ? [] : [{ name: 'budget', value: f.budget_usd }],
  };
}

export function monthlyView(r: MonthlyReport, options: ViewOptions): ReportView {
  const p = r.portfolio;
  const f = r.forecast;
  const segments: Row[] = r.segments.map((s) => ({ ...s }));
  segments.push({ segment: 'portfolio (incl. unattributed)', tenants: r.tenants.length, revenue_usd: p.revenue_usd, cost_usd: p.cost_usd, margin: p.margin });
  const tables = [
    table('Segments', [{ key: 'segment', header: 'segment', kind: 'text' }, { key: 'tenants', header: 'tenants', kind: 'int' }, ...MARGIN_COLUMNS], segments),
    ...invoiceTables(r.reconcile),
    limitRows(table('Tenant profitability', [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'segment', header: 'segment', kind: 'text' },
      { key: 'plan', header: 'plan', kind: 'text' },
      ...MARGIN_COLUMNS,
      { key: 'runs', header: 'runs', kind: 'int' },
    ], r.tenants.map((t) => ({ ...t }))), options),
    cohortTable(r, 'plan', 'Cohorts by plan'),
    limitRows(cohortTable(r, 'first_month', 'Cohorts by first month seen'), options),
    table('Cache economics', [
      { key: 'hit_rate', header: 'hit rate', kind: 'rate' },
      { key: 'naive_usd', header: 'without cache', kind: 'money' },
      { key: 'actual_usd', header: 'actual', kind: 'money' },
      { key: 'savings_usd', header: 'saved', kind: 'money' },
    ], [{ ...r.cache }]),
    table('Month-end forecast', [
      { key: 'actual_to_date_usd', header: 'spend to date', kind: 'money' },
      { key: 'projected_remaining_usd', header: 'projected rest', kind: 'money' },
      { key: 'forecast_usd', header: 'forecast', kind: 'money' },
      { key: 'budget_usd', header: 'budget', kind: 'money' },
      { key: 'over_budget_usd', header: 'over budget', kind: 'money_delta' },
      { key: 'budget_share', header: 'of budget', kind: 'rate' },
    ], [{ ...f }], [`fitted: ${f.fitted}`]),
    limitRows(table('Top cost drivers (route × model)', [
      { key: 'route', header: 'route', kind: 'text' },
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
      { key: 'share', header: 'share', kind: 'rate' },
      { key: 'previous_usd', header: 'month before', kind: 'money' },
      { key: 'delta_usd', header: 'change', kind: 'money_delta' },
    ], r.drivers.map((d) => ({ ...d }))), options),
  ];
  if (r.unpriced.length > 0) {
    tables.push(table('Unpriced models', [
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'spans', header: 'spans', kind: 'int' },
      { key: 'token_share', header: 'of tokens', kind: 'rate' },
    ], r.unpriced.map((u) => ({ ...u })), lowerBoundNotes(r.unpriced)));
  }
  const over = f.over_budget_usd !== null && f.over_budget_usd > 0;
  return {
    title: `Monthly cost report — ${r.month}`,
    subtitle: `${r.month} (${r.timezone}${r.timezone === 'UTC' ? '' : '; margins and cohorts cut in UTC'}) · spend priced at list prices from the spans`,
    headline: headline(r),
    figures: [
      { label: 'Spend', value: formatUsd(r.totals.cost_usd), detail: `${signedPct(r.totals.delta_pct)} vs month before` },
      { label: 'Revenue', value: formatUsd(p.revenue_usd), detail: p.margin === null ? 'no revenue loaded' : `${pct(p.margin)} margin`, tone: p.margin !== null && p.margin < 0.75 ? 'bad' : 'good' },
      invoiceFigure(r.reconcile),
      { label: 'Forecast', value: formatUsd(f.forecast_usd), detail: f.budget_usd === null ? 'no budget' : `${formatSignedUsd(f.over_budget_usd ?? 0)} vs budget`, tone: f.budget_usd === null ? 'neutral' : over ? 'bad' : 'good' },
      { label: 'Cache savings', value: formatUsd(r.cache.savings_usd), detail: `hit rate ${pct(r.cache.hit_rate ?? 0)}`, tone: 'good' },
    ],
    charts: [
      burnChart(r),
      { kind: 'bars', id: 'chart-top-tenants', title: 'Top tenants by spend', format: 'money', bars: r.tenants.slice(0, 10).map((t) => ({ label: t.tenant, value: t.cost_usd })) },
      { kind: 'stack', id: 'chart-model-mix', title: 'Model mix', rows: [
        { label: 'share of spend', parts: foldShares(r.model_mix.map((m) => ({ name: m.model, share: m.spend_share }))) },
        { label: 'share of calls', parts: foldShares(r.model_mix.map((m) => ({ name: m.model, share: m.call_share }))) },
      ] },
      { kind: 'bars', id: 'chart-margin-segments', title: 'Margin by segment', format: 'rate', bars: r.segments.filter((s) => s.margin !== null).map((s) => ({ label: `${s.segment} (${s.tenants})`, value: s.margin ?? 0 })) },
    ],
    tables,
  };
}
