/**
 * Per-tenant P&L for one month: priced spend against contracted revenue (the `revenue` table), the
 * margin, and a segment read from the data alone. Tenant-less spend stays `unattributed` or, with
 * `share` (share-unattributed.ts), is handed to the tenants with spend; a tenant's cost is then its
 * attributed spend plus its share, and margins and segments use that cost. Segments, in order:
 *   - no_revenue:      spend from a tenant with no revenue row for the month (margin unknown);
 *   - free_tier_drain: plan `free` or revenue 0, with cost above `freeTierDrainUsd` (default $10);
 *   - healthy:         margin ≥ 75% (and free/zero-revenue tenants within that allowance);
 *   - runaway:         below 75% and driven by tool loops: at least half of the tenant's attributed
 *                      spend is in traces holding a loop — the same tool called ≥ 5 times with the
 *                      same normalised arguments (lowercased, whitespace dropped, digit runs read as
 *                      one placeholder, so `"attempt": 7` matches `"attempt":8`);
 *   - power_user:      below 75% with spend spread over normal traffic: should move up a tier.
 * The portfolio's cost is the tenants' costs plus what stayed unallocated, so segments plus
 * unallocated add up to it exactly. Money stays DECIMAL in SQL and micro-dollar BigInt after
 * (6-decimal strings); margins are fractions.
 */
import type { Dialect } from '../db/dialect.js';
import type { EngineParams, SqlEngine } from '../db/engine.js';
import { usdTextSql } from '../db/money.js';
import { num } from '../db/values.js';
import { rollupRelation, toolCallRelation } from './cost-rollup.js';
import { microOf, sumUsd, usdOf } from './micro-usd.js';
import { parsePeriod } from './period.js';
import { shareUnattributed, type ShareMode } from './share-unattributed.js';
import { monthRollup, tenantSpendSql } from './tenant-spend.js';
import { TOOL_LOOP_MIN_CALLS } from './tool-calls.js';

export const HEALTHY_MARGIN = 0.75;
/** Share of a tenant's attributed spend in loop traces from which its low margin reads as runaway. */
export const RUNAWAY_LOOP_SHARE = 0.5;
export const FREE_TIER_DRAIN_USD = 10;

export const MARGIN_SEGMENTS = ['healthy', 'power_user', 'runaway', 'free_tier_drain', 'no_revenue'] as const;
export type MarginSegment = (typeof MARGIN_SEGMENTS)[number];

export interface MarginSpec {
  /** `YYYY-MM`: revenue rows of that month, spans starting in it (UTC). */
  month: string;
  /** How tenant-less spend reaches tenants; default `none`. */
  share?: ShareMode | undefined;
  /** Monthly cost above which a free (or zero-revenue) tenant is a drain; default FREE_TIER_DRAIN_USD. */
  freeTierDrainUsd?: number | undefined;
}

export interface TenantMargin {
  tenant: string;
  revenue_usd: string;
  /** Attributed spend plus the tenant's share of unattributed spend. */
  cost_usd: string;
  attributed_cost_usd: string;
  /** The tenant's share of unattributed spend (0 under `none`). */
  shared_usd: string;
  plan: string | null;
  /** Fraction (0.2 = 20%); null when none was given. */
  markup: string | null;
  /** (revenue − cost) / revenue; null without revenue. */
  margin: number | null;
  segment: MarginSegment;
  runs: number;
  loop_traces: number;
  loop_calls: number;
  loop_cost_usd: string;
}

export interface SegmentMargin {
  segment: MarginSegment;
  tenants: number;
  revenue_usd: string;
  cost_usd: string;
  margin: number | null;
}

export interface MarginReport {
  month: string;
  tenants: TenantMargin[];
  segments: SegmentMargin[];
  portfolio: { revenue_usd: string; cost_usd: string; margin: number | null };
  /** Tenant-less spend of the month. */
  unattributed_usd: string;
  share: ShareMode;
  /** Unattributed spend no tenant took (all of it under `none`, or when no tenant has spend). */
  unallocated_usd: string;
  /** Inference spans the price book could not price (their cost is missing, not zero). */
  unpriced_spans: number;
}

/**
 * `spend`: tenantSpendSql's relation; `toolCalls`: the month's tool calls (toolCallRelation);
 * `runCosts`: roll-up rows of all time, whose sum per run is the run's spend (not only the month's).
 */
const tenantsSql = (income: string, d: Dialect, spend: string, toolCalls: string, runCosts: string): string => `
  WITH spend AS (${spend}),
  loops AS (
    SELECT tenant, run, sum(calls) AS calls
    FROM (${toolCalls}) GROUP BY tenant, run, tool_name, args HAVING sum(calls) >= $minCalls
  ),
  loop_runs AS (
    SELECT tenant, run, sum(calls) AS calls FROM loops GROUP BY tenant, run
  ),
  loop_run_costs AS (
    SELECT run, sum(cost_usd) AS cost FROM (${runCosts}) WHERE run IN (SELECT run FROM loop_runs) GROUP BY run
  ),
  loop_spend AS (
    SELECT l.tenant, count(*) AS traces, sum(l.calls) AS calls, sum(t.cost) AS cost
    FROM loop_runs l LEFT JOIN loop_run_costs t ON t.run = l.run
    GROUP BY l.tenant
  ),
  income AS (${income})
  SELECT coalesce(i.tenant, s.tenant) AS tenant,
         ${usdTextSql('coalesce(i.revenue_usd, 0)', d)} AS revenue_usd,
         ${usdTextSql('coalesce(s.cost, 0)', d)} AS cost_usd,
         i.tenant IS NOT NULL AS has_revenue, i.plan, ${d.decimalText('CAST(i.markup AS DECIMAL(18,6))', 6)} AS markup,
         coalesce(s.runs, 0)::VARCHAR AS runs,
         coalesce(l.traces, 0)::VARCHAR AS loop_traces,
         coalesce(l.calls, 0)::VARCHAR AS loop_calls,
         ${usdTextSql('coalesce(l.cost, 0)', d)} AS loop_cost_usd
  FROM income i FULL OUTER JOIN spend s ON s.tenant = i.tenant
  LEFT JOIN loop_spend l ON l.tenant = coalesce(i.tenant, s.tenant)
  ORDER BY coalesce(i.tenant, s.tenant)`;

interface TenantRow extends Record<string, unknown> {
  tenant: string;
  revenue_usd: string;
  cost_usd: string;
  has_revenue: boolean;
  plan: string | null;
  markup: string | null;
  runs: string;
  loop_traces: string;
  loop_calls: string;
  loop_cost_usd: string;
}

interface Relation {
  sql: string;
  params: EngineParams;
}

const revenueOfMonth = (markup: string, month: string): Relation => ({
  sql: `SELECT tenant, revenue_usd, plan, ${markup} AS markup FROM revenue WHERE month = $month`,
  params: { month },
});
const NO_REVENUE: Relation = {
  sql: `SELECT CAST(NULL AS VARCHAR) AS tenant, CAST(NULL AS DECIMAL(18,6)) AS revenue_usd, CAST(NULL AS VARCHAR) AS plan,
  CAST(NULL AS DECIMAL(18,6)) AS markup WHERE false`,
  params: {},
};

/** The revenue relation of the month; databases written before the markup column read it as NULL. */
async function incomeOf(db: SqlEngine, month: string): Promise<Relation> {
  if (!(await db.hasTable('revenue'))) return NO_REVENUE;
  if (db.dialect.name !== 'duckdb') return revenueOfMonth('markup', month); // a lake is written with today's columns
  const column = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM duckdb_columns() WHERE table_name = 'revenue' AND column_name = 'markup' AND NOT internal`);
  return revenueOfMonth(num(column?.n) > 0 ? 'markup' : 'CAST(NULL AS DECIMAL(18,6))', month);
}

interface Costed {
  row: TenantRow;
  cost: bigint;
  margin: number | null;
}

function segmentOf({ row, cost, margin }: Costed, freeTierDrainUsd: number): MarginSegment {
  if (!row.has_revenue) return 'no_revenue';
  if ((row.plan === 'free' || microOf(row.revenue_usd) === 0n) && cost > microOf(freeTierDrainUsd.toFixed(6))) return 'free_tier_drain';
  if (margin === null || margin >= HEALTHY_MARGIN) return 'healthy';
  const attributed = microOf(row.cost_usd);
  const loopShare = attributed > 0n ? Number(microOf(row.loop_cost_usd)) / Number(attributed) : 0;
  return loopShare >= RUNAWAY_LOOP_SHARE ? 'runaway' : 'power_user';
}

function marginOf(revenue: string, cost: string): number | null {
  const r = Number(revenue);
  return r > 0 ? (r - Number(cost)) / r : null;
}

export async function tenantMargins(db: SqlEngine, spec: MarginSpec): Promise<MarginReport> {
  const share = spec.share ?? 'none';
  const month = await monthRollup(db, spec.month);
  const spend = tenantSpendSql(month);
  const toolCalls = await toolCallRelation(db, { period: parsePeriod({ month: spec.month, timezone: 'UTC' }) });
  const runCosts = await rollupRelation(db, { period: { since: undefined, until: undefined, timezone: 'UTC' } }, { pricing: false });
  const income = await incomeOf(db, spec.month);
  const rows = await db.all<TenantRow>(tenantsSql(income.sql, db.dialect, spend.sql, toolCalls.sql, runCosts.sql), {
    ...income.params, ...spend.params, ...toolCalls.params, ...runCosts.params, minCalls: TOOL_LOOP_MIN_CALLS,
  });
  const totals = await db.one<{ unattributed: string; unpriced: string }>(
    `SELECT ${usdTextSql('coalesce(sum(cost_usd) FILTER (WHERE tenant IS NULL), 0)', db.dialect)} AS unattributed,
            coalesce(sum(unpriced_spans), 0)::VARCHAR AS unpriced
     FROM (${month.sql})`,
    month.params,
  );
  const unattributed = microOf(totals?.unattributed ?? '0');
  const shares = shareUnattributed(unattributed, new Map(rows.map((r) => [r.tenant, microOf(r.cost_usd)])), share);
  const tenants = rows.map((row): TenantMargin => {
    const shared = shares.get(row.tenant) ?? 0n;
    const cost = microOf(row.cost_usd) + shared;
    const margin = marginOf(row.revenue_usd, usdOf(cost));
    return {
      tenant: row.tenant,
      revenue_usd: row.revenue_usd,
      cost_usd: usdOf(cost),
      attributed_cost_usd: row.cost_usd,
      shared_usd: usdOf(shared),
      plan: row.plan,
      markup: row.markup,
      margin,
      segment: segmentOf({ row, cost, margin }, spec.freeTierDrainUsd ?? FREE_TIER_DRAIN_USD),
      runs: num(row.runs),
      loop_traces: num(row.loop_traces),
      loop_calls: num(row.loop_calls),
      loop_cost_usd: row.loop_cost_usd,
    };
  });
  const segments = MARGIN_SEGMENTS.map((segment): SegmentMargin => {
    const members = tenants.filter((t) => t.segment === segment);
    const revenue = sumUsd(members.map((t) => t.revenue_usd));
    const cost = sumUsd(members.map((t) => t.cost_usd));
    return { segment, tenants: members.length, revenue_usd: revenue, cost_usd: cost, margin: marginOf(revenue, cost) };
  }).filter((s) => s.tenants > 0 || (s.segment !== 'no_revenue' && s.segment !== 'free_tier_drain'));
  const unallocated = usdOf(unattributed - [...shares.values()].reduce((s, v) => s + v, 0n));
  const revenue = sumUsd(tenants.map((t) => t.revenue_usd));
  const cost = sumUsd([...tenants.map((t) => t.cost_usd), unallocated]);
  return {
    month: spec.month,
    tenants,
    segments,
    portfolio: { revenue_usd: revenue, cost_usd: cost, margin: marginOf(revenue, cost) },
    unattributed_usd: usdOf(unattributed),
    share,
    unallocated_usd: unallocated,
    unpriced_spans: num(totals?.unpriced),
  };
}
