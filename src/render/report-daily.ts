/**
 * `report daily` for people: the headline says how much was spent, which tenant moved most, the
 * worst anomaly and route spike, and what is missing (unpriced, unattributed); then the tables and
 * the charts (spend over the week, top tenants, the day's model mix).
 */
import type { DailyReport } from '../analysis/report/daily.js';
import { LOW_CACHE_HIT_RATE, SPIKE_Z } from '../analysis/report/daily.js';
import { anomaliesTable } from './anomalies.js';
import { lowerBoundNotes } from './costs.js';
import { formatSignedUsd, formatUsd } from './money.js';
import { foldShares, limitRows, pct, plural, signedPct, table, unpricedNote, type ReportView, type ViewOptions } from './report-view.js';

function headline(r: DailyReport): string[] {
  const t = r.totals;
  const lines = [`${r.day}: ${formatUsd(t.cost_usd)} spent across ${plural(t.tenants, 'tenant')} and ${plural(t.runs, 'run')}, ${signedPct(t.delta_pct)} vs the day before (${formatUsd(t.previous_usd)}).`];
  const mover = [...r.top_tenants].sort((a, b) => b.delta_usd - a.delta_usd)[0];
  if (mover && mover.delta_usd > 0) {
    lines.push(`Biggest mover: tenant ${mover.tenant}, ${formatSignedUsd(mover.delta_usd)} (${signedPct(mover.delta_pct)}) to ${formatUsd(mover.cost_usd)}.`);
  }
  const first = r.anomalies[0];
  if (first) {
    const critical = r.anomalies.filter((a) => a.severity === 'critical').length;
    lines.push(`${plural(r.anomalies.length, 'anomaly', 'anomalies')} (${critical} critical); worst: ${first.summary}`);
  } else lines.push('No anomaly findings.');
  const spike = r.route_spikes[0];
  if (spike) lines.push(`Route ${spike.route} spent ${formatUsd(spike.cost_usd)}, z = ${spike.z.toFixed(1)} against its trailing 7 days (mean ${formatUsd(spike.baseline_mean_usd)})${r.route_spikes.length > 1 ? `; ${r.route_spikes.length - 1} more route(s) over z ${SPIKE_Z}` : ''}.`);
  if (r.low_cache.length > 0) lines.push(`${plural(r.low_cache.length, 'tenant or route', 'tenants or routes')} under ${pct(LOW_CACHE_HIT_RATE)} cache hit rate.`);
  if (t.unattributed_usd > 0) lines.push(`${formatUsd(t.unattributed_usd)} (${pct(t.cost_usd > 0 ? t.unattributed_usd / t.cost_usd : 0)}) of spend has no tenant.`);
  lines.push(...unpricedNote(r.unpriced));
  return lines;
}

export function dailyView(r: DailyReport, options: ViewOptions): ReportView {
  const t = r.totals;
  const tables = [
    limitRows(table('Top tenants by spend', [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
      { key: 'previous_usd', header: 'day before', kind: 'money' },
      { key: 'delta_usd', header: 'change', kind: 'money_delta' },
      { key: 'delta_pct', header: 'change %', kind: 'rate' },
      { key: 'runs', header: 'runs', kind: 'int' },
      { key: 'share', header: 'share', kind: 'rate' },
    ], r.top_tenants.map((row) => ({ ...row }))), options),
  ];
  if (r.route_spikes.length > 0) {
    tables.push(limitRows(table(`Routes with spend z-score over ${SPIKE_Z} (trailing 7 days)`, [
      { key: 'route', header: 'route', kind: 'text' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
      { key: 'baseline_mean_usd', header: '7-day mean', kind: 'money' },
      { key: 'baseline_sd_usd', header: '7-day sd', kind: 'money' },
      { key: 'z', header: 'z', kind: 'number' },
    ], r.route_spikes.map((row) => ({ ...row }))), options));
  }
  if (r.low_cache.length > 0) {
    tables.push(limitRows(table(`Cache hit rate under ${pct(LOW_CACHE_HIT_RATE)}`, [
      { key: 'grain', header: 'what', kind: 'text' },
      { key: 'name', header: 'name', kind: 'text' },
      { key: 'cache_hit_rate', header: 'hit rate', kind: 'rate' },
      { key: 'cost_usd', header: 'spend', kind: 'money' },
      { key: 'cache_read_tokens', header: 'cache read', kind: 'int' },
      { key: 'input_tokens', header: 'uncached input', kind: 'int' },
    ], r.low_cache.map((row) => ({ ...row }))), options));
  }
  if (r.anomalies.length > 0) {
    const anomalies = anomaliesTable({ anomalies: r.anomalies });
    tables.push(limitRows({ ...anomalies, title: 'Anomalies', columns: anomalies.columns.filter((c) => c.key !== 'traces' && c.key !== 'window') }, options, 5));
  }
  if (r.unpriced.length > 0) {
    tables.push(table('Unpriced models', [
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'reason', header: 'reason', kind: 'text' },
      { key: 'spans', header: 'spans', kind: 'int' },
      { key: 'tokens', header: 'tokens', kind: 'int' },
      { key: 'token_share', header: 'of tokens', kind: 'rate' },
    ], r.unpriced.map((u) => ({ ...u })), lowerBoundNotes(r.unpriced)));
  }
  return {
    title: `Daily cost report — ${r.day}`,
    subtitle: `${r.day} (${r.timezone}); baselines over the 7 days before`,
    headline: headline(r),
    figures: [
      { label: 'Spend', value: formatUsd(t.cost_usd), detail: `${signedPct(t.delta_pct)} vs day before`, tone: (t.delta_pct ?? 0) > 0.2 ? 'bad' : 'neutral' },
      { label: 'Runs', value: t.runs.toLocaleString('en-US'), detail: plural(t.tenants, 'tenant') },
      { label: 'Anomalies', value: String(r.anomalies.length), detail: `${r.anomalies.filter((a) => a.severity === 'critical').length} critical`, tone: r.anomalies.length > 0 ? 'bad' : 'good' },
      { label: 'Unattributed', value: formatUsd(t.unattributed_usd), detail: t.unpriced_spans > 0 ? `${plural(t.unpriced_spans, 'unpriced span')}` : 'all spans priced' },
    ],
    charts: [
      { kind: 'line', id: 'chart-spend-trend', title: 'Spend per day', labels: r.trend.map((d) => d.day.slice(5)), series: [{ name: 'spend', values: r.trend.map((d) => d.cost_usd) }], references: [] },
      { kind: 'bars', id: 'chart-top-tenants', title: 'Top tenants by spend', format: 'money', bars: r.top_tenants.map((row) => ({ label: row.tenant, value: row.cost_usd })) },
      { kind: 'stack', id: 'chart-model-mix', title: 'Model mix (share of spend)', rows: [{ label: r.day, parts: foldShares(r.model_mix.map((m) => ({ name: m.model, share: m.spend_share }))) }] },
    ],
    tables,
  };
}
