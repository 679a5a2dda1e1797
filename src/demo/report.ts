/**
 * What `costattr demo` prints: the guide's segment table with the portfolio line, the tool-loop
 * tenants by name, unattributed spend and the ground-truth check line, as table models (table, md)
 * or the JSON object. Money in JSON is USD rounded to 6 decimals; margins are fractions.
 */
import type { MarginSegment, SegmentMargin, TenantMargin } from '../analysis/margins.js';
import type { TableModel } from '../render/model.js';
import { formatUsd, roundUsd } from '../render/money.js';
import type { DemoResult } from './run.js';

const SEGMENT_LABEL: Readonly<Record<MarginSegment, string>> = {
  healthy: 'Healthy',
  power_user: 'Power users (should upgrade tier)',
  runaway: 'Runaway (tool-call loop)',
  free_tier_drain: 'Free-tier drain',
  no_revenue: 'No revenue on record',
};

function loopTenants(result: DemoResult): TenantMargin[] {
  return result.margins.tenants.filter((t) => t.segment === 'runaway');
}

/** "per-tenant costs match generator ground truth: 40/40 to the cent" — from the check, never assumed. */
export function checkLine(result: DemoResult): string {
  const c = result.check;
  const verdict = `per-tenant costs match generator ground truth: ${c.matched}/${c.tenants} to the cent`;
  const misses = c.mismatches.slice(0, 5).map((m) => `${m.tenant} (truth ${formatUsd(m.truth_usd)}, attributed ${m.attributed_usd === null ? 'none' : formatUsd(m.attributed_usd)})`);
  return misses.length > 0 ? `${verdict}; mismatches: ${misses.join(', ')}` : verdict;
}

function unattributedLine(result: DemoResult): string {
  const m = result.margins;
  const share = Number(m.portfolio.cost_usd) > 0 ? Number(m.unattributed_usd) / Number(m.portfolio.cost_usd) : 0;
  const matches = result.check.unattributed_matches ? 'matches ground truth' : 'DOES NOT match ground truth';
  return `unattributed spend (runs without acme.tenant_id): ${formatUsd(m.unattributed_usd)} (${(share * 100).toFixed(2)}% of spend; ${matches})`;
}

function invoiceLine(result: DemoResult): string {
  const i = result.invoice;
  const share = i.invoice_usd > 0 ? i.untraced_usd / i.invoice_usd : 0;
  const matches = i.untraced_matches ? 'matches ground truth' : `DOES NOT match ground truth ${formatUsd(i.truth_untraced_usd)}`;
  return `invoices ${formatUsd(i.invoice_usd)} vs spans ${formatUsd(i.span_usd)}: untraced spend ${formatUsd(i.untraced_usd)} (${(share * 100).toFixed(2)}% of the invoice; ${matches})`;
}

function anomaliesLine(result: DemoResult): string {
  if (result.anomalies.length === 0) return 'anomalies: none';
  const parts = result.anomalies.map((a) => `${a.kind} ×${a.findings} (${a.tenants.join(', ') || 'no tenant'})`);
  return `anomalies (costattr anomalies): ${parts.join('; ')}`;
}

export function demoTables(result: DemoResult): TableModel[] {
  const m = result.margins;
  const segmentRow = (label: string, s: Pick<SegmentMargin, 'revenue_usd' | 'cost_usd' | 'margin'>, tenants: number) => ({
    segment: label,
    tenants,
    revenue: roundUsd(s.revenue_usd),
    spend: roundUsd(s.cost_usd),
    margin: s.margin,
  });
  const segments: TableModel = {
    title: `Worked example: B2B inbox-triage agent, ${result.month} (seed ${result.seed})`,
    columns: [
      { key: 'segment', header: 'Tenant segment', kind: 'text' },
      { key: 'tenants', header: 'Count', kind: 'int' },
      { key: 'revenue', header: 'Revenue', kind: 'money' },
      { key: 'spend', header: 'Token spend', kind: 'money' },
      { key: 'margin', header: 'Gross margin', kind: 'rate' },
    ],
    rows: [
      ...m.segments.map((s) => segmentRow(SEGMENT_LABEL[s.segment], s, s.tenants)),
      segmentRow('Portfolio (incl. unattributed)', m.portfolio, m.tenants.length),
    ],
    notes: [],
  };
  const loops: TableModel = {
    title: 'Tenants with a tool-call loop',
    columns: [
      { key: 'tenant', header: 'Tenant', kind: 'text' },
      { key: 'loop_traces', header: 'Looping traces', kind: 'int' },
      { key: 'loop_calls', header: 'Repeated tool calls', kind: 'int' },
      { key: 'loop_cost', header: 'Loop spend', kind: 'money' },
      { key: 'cost', header: 'Tenant spend', kind: 'money' },
      { key: 'margin', header: 'Gross margin', kind: 'rate' },
    ],
    rows: loopTenants(result).map((t) => ({
      tenant: t.tenant,
      loop_traces: t.loop_traces,
      loop_calls: t.loop_calls,
      loop_cost: roundUsd(t.loop_cost_usd),
      cost: roundUsd(t.cost_usd),
      margin: t.margin,
    })),
    notes: [
      unattributedLine(result),
      invoiceLine(result),
      anomaliesLine(result),
      ...(m.unpriced_spans > 0 ? [`${m.unpriced_spans} spans could not be priced: spend is a lower bound`] : []),
      checkLine(result),
      ...(result.dir ? [`files kept in ${result.dir}`] : []),
    ],
  };
  return [segments, loops];
}

export function demoJson(result: DemoResult): object {
  const m = result.margins;
  return {
    month: result.month,
    seed: result.seed,
    segments: m.segments.map((s) => ({ segment: s.segment, tenants: s.tenants, revenue_usd: roundUsd(s.revenue_usd), cost_usd: roundUsd(s.cost_usd), margin_pct: s.margin })),
    portfolio: { revenue_usd: roundUsd(m.portfolio.revenue_usd), cost_usd: roundUsd(m.portfolio.cost_usd), margin_pct: m.portfolio.margin },
    unattributed_usd: roundUsd(m.unattributed_usd),
    invoice: {
      invoice_usd: result.invoice.invoice_usd,
      span_usd: result.invoice.span_usd,
      untraced_usd: result.invoice.untraced_usd,
      untraced_matches: result.invoice.untraced_matches,
    },
    unpriced_spans: m.unpriced_spans,
    anomalies: result.anomalies,
    loop_tenants: loopTenants(result).map((t) => ({
      tenant: t.tenant,
      loop_traces: t.loop_traces,
      loop_calls: t.loop_calls,
      loop_cost_usd: roundUsd(t.loop_cost_usd),
      cost_usd: roundUsd(t.cost_usd),
    })),
    tenants: m.tenants.map((t) => ({ tenant: t.tenant, revenue_usd: roundUsd(t.revenue_usd), cost_usd: roundUsd(t.cost_usd), margin_pct: t.margin, segment: t.segment, runs: t.runs })),
    check: result.check,
    spans: result.spans,
    files: result.files,
  };
}
