/**
 * The generator's ground truth (truth.json): what every tenant's traces cost at the demo's own list
 * prices, computed exactly in femto-dollars while the runs were made. The integration test and
 * `costattr demo` check the real ingest → price → attribute path against it.
 */
import type { InvoiceLine } from './invoice.js';
import { DEMO_MODELS, femtoToUsd } from './prices.js';
import { SEGMENT_TARGETS, type DemoSegment, type DemoTenant } from './tenants.js';

export interface TenantTally {
  costFemto: bigint;
  runs: number;
  loopTraces: number;
  loopCalls: number;
}

export interface TruthTenant {
  tenant: string;
  segment: DemoSegment;
  revenue_usd: number;
  /** Exact cost, 6 decimals. */
  cost_usd: string;
  runs: number;
  loop_traces: number;
  loop_calls: number;
}

export interface TruthSegment {
  segment: DemoSegment;
  tenants: number;
  revenue_usd: number;
  cost_usd: string;
}

export interface DemoTruth {
  seed: number;
  month: string;
  namespace: string;
  prices_usd_per_mtok: Record<string, Record<string, string>>;
  tenants: TruthTenant[];
  segments: TruthSegment[];
  unattributed: { cost_usd: string; runs: number };
  totals: { revenue_usd: number; span_cost_usd: string; invoice_usd: string; untraced_usd: string; runs: number; spans: number };
}

export function buildTruth(input: {
  seed: number;
  month: string;
  tenants: readonly DemoTenant[];
  tallies: ReadonlyMap<string, TenantTally>;
  unattributed: TenantTally;
  spanCount: number;
  invoice: readonly InvoiceLine[];
}): DemoTruth {
  const tenants = input.tenants.map((t): TruthTenant & { femto: bigint } => {
    const tally = input.tallies.get(t.id) ?? { costFemto: 0n, runs: 0, loopTraces: 0, loopCalls: 0 };
    return {
      tenant: t.id,
      segment: t.segment,
      revenue_usd: t.revenueUsd,
      cost_usd: femtoToUsd(tally.costFemto),
      runs: tally.runs,
      loop_traces: tally.loopTraces,
      loop_calls: tally.loopCalls,
      femto: tally.costFemto,
    };
  });
  const segments = (Object.keys(SEGMENT_TARGETS) as DemoSegment[]).map((segment): TruthSegment => {
    const members = tenants.filter((t) => t.segment === segment);
    return {
      segment,
      tenants: members.length,
      revenue_usd: members.reduce((s, t) => s + t.revenue_usd, 0),
      cost_usd: femtoToUsd(members.reduce((s, t) => s + t.femto, 0n)),
    };
  });
  const spanFemto = tenants.reduce((s, t) => s + t.femto, 0n) + input.unattributed.costFemto;
  const invoiceFemto = input.invoice.reduce((s, l) => s + l.costFemto, 0n);
  return {
    seed: input.seed,
    month: input.month,
    namespace: 'acme',
    prices_usd_per_mtok: Object.fromEntries(Object.entries(DEMO_MODELS).map(([model, facts]) => [model, { ...facts.perMtok }])),
    tenants: tenants.map(({ femto: _femto, ...rest }) => rest),
    segments,
    unattributed: { cost_usd: femtoToUsd(input.unattributed.costFemto), runs: input.unattributed.runs },
    totals: {
      revenue_usd: tenants.reduce((s, t) => s + t.revenue_usd, 0),
      span_cost_usd: femtoToUsd(spanFemto),
      invoice_usd: femtoToUsd(invoiceFemto),
      untraced_usd: femtoToUsd(invoiceFemto - spanFemto),
      runs: tenants.reduce((s, t) => s + t.runs, 0) + input.unattributed.runs,
      spans: input.spanCount,
    },
  };
}
