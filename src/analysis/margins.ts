/**
 * Per-tenant P&L for one month: priced spend against contracted revenue (the `revenue` table), the
 * margin, and a segment read from the data alone (the full anomaly detector and invoice reconcile
 * live elsewhere; this is the minimal rule the worked example needs):
 *   - healthy:    margin ≥ 75%;
 *   - runaway:    below that, and at least one of its traces holds a tool loop — the same tool
 *                 called ≥ 5 times with the same normalised arguments (lowercased, whitespace
 *                 dropped, digit runs read as one placeholder, so `"attempt": 7` matches `"attempt":8`);
 *   - power_user: below 75% without a loop;
 *   - no_revenue: spend from a tenant with no revenue row for the month (margin unknown).
 * Tenant-less spend is reported as `unattributed_usd`; the portfolio line includes it, so the
 * segments plus unattributed add up to the portfolio's cost. Money stays DECIMAL until the final
 * projection (6-decimal strings); margins are fractions.
 */
import type { Database } from '../db/database.js';
import { num } from '../db/database.js';

export const HEALTHY_MARGIN = 0.75;
export const TOOL_LOOP_MIN_CALLS = 5;

export const MARGIN_SEGMENTS = ['healthy', 'power_user', 'runaway', 'no_revenue'] as const;
export type MarginSegment = (typeof MARGIN_SEGMENTS)[number];

export interface MarginSpec {
  /** `YYYY-MM`: revenue rows of that month, spans starting in it (UTC). */
  month: string;
}

export interface TenantMargin {
  tenant: string;
  revenue_usd: string;
  cost_usd: string;
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
  unattributed_usd: string;
  /** Inference spans the price book could not price (their cost is missing, not zero). */
  unpriced_spans: number;
}

const IN_MONTH = `start_time >= CAST($month || '-01' AS DATE) AND start_time < CAST($month || '-01' AS DATE) + INTERVAL 1 MONTH`;
const MONEY = (expr: string): string => `CAST(round(${expr}, 6) AS DECIMAL(38,6))::VARCHAR`;

const tenantsSql = (income: string): string => `
  WITH spend AS (
    SELECT tenant, sum(cost_usd) AS cost, count(DISTINCT trace_id) AS runs
    FROM priced_spans WHERE tenant IS NOT NULL AND ${IN_MONTH} GROUP BY tenant
  ),
  tool_calls AS (
    SELECT tenant, trace_id, tool_name,
           regexp_replace(regexp_replace(lower(coalesce(tool_arguments, '')), '\\s+', '', 'g'), '\\d+', '#', 'g') AS args
    FROM spans WHERE tool_name IS NOT NULL AND tenant IS NOT NULL AND ${IN_MONTH}
  ),
  loops AS (
    SELECT tenant, trace_id, count(*) AS calls
    FROM tool_calls GROUP BY tenant, trace_id, tool_name, args HAVING count(*) >= $minCalls
  ),
  loop_traces AS (
    SELECT tenant, trace_id, sum(calls) AS calls FROM loops GROUP BY tenant, trace_id
  ),
  loop_spend AS (
    SELECT l.tenant, count(*) AS traces, sum(l.calls) AS calls, sum(t.cost) AS cost
    FROM loop_traces l
    LEFT JOIN (SELECT trace_id, sum(cost_usd) AS cost FROM priced_spans GROUP BY trace_id) t ON t.trace_id = l.trace_id
    GROUP BY l.tenant
  ),
  income AS (${income})
  SELECT coalesce(i.tenant, s.tenant) AS tenant,
         ${MONEY('coalesce(i.revenue_usd, 0)')} AS revenue_usd,
         ${MONEY('coalesce(s.cost, 0)')} AS cost_usd,
         i.tenant IS NOT NULL AS has_revenue,
         CASE WHEN i.revenue_usd > 0 THEN CAST(i.revenue_usd - coalesce(s.cost, 0) AS DOUBLE) / CAST(i.revenue_usd AS DOUBLE) END AS margin,
         coalesce(s.runs, 0)::VARCHAR AS runs,
         coalesce(l.traces, 0)::VARCHAR AS loop_traces,
         coalesce(l.calls, 0)::VARCHAR AS loop_calls,
         ${MONEY('coalesce(l.cost, 0)')} AS loop_cost_usd
  FROM income i FULL OUTER JOIN spend s ON s.tenant = i.tenant
  LEFT JOIN loop_spend l ON l.tenant = coalesce(i.tenant, s.tenant)
  ORDER BY tenant`;

interface TenantRow extends Record<string, unknown> {
  tenant: string;
  revenue_usd: string;
  cost_usd: string;
  has_revenue: boolean;
  margin: number | null;
  runs: string;
  loop_traces: string;
  loop_calls: string;
  loop_cost_usd: string;
}

const REVENUE_OF_MONTH = `SELECT tenant, revenue_usd FROM revenue WHERE month = $month`;
const NO_REVENUE = `SELECT CAST(NULL AS VARCHAR) AS tenant, CAST(NULL AS DECIMAL(18,6)) AS revenue_usd WHERE false`;

/** Without loaded revenue every tenant is `no_revenue` (and a read-only database stays untouched). */
export async function hasRevenueTable(db: Database): Promise<boolean> {
  const row = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM duckdb_tables() WHERE table_name = 'revenue' AND NOT temporary`);
  return num(row?.n) > 0;
}

function segmentOf(row: TenantRow): MarginSegment {
  if (!row.has_revenue) return 'no_revenue';
  if (row.margin === null || row.margin >= HEALTHY_MARGIN) return 'healthy';
  return num(row.loop_traces) > 0 ? 'runaway' : 'power_user';
}

/** Exact sum of 6-decimal strings (micro-dollars as BigInt). */
function sumUsd(values: readonly string[]): string {
  const micro = values.reduce((s, v) => s + BigInt(v.replace('.', '')), 0n);
  const sign = micro < 0n ? '-' : '';
  const abs = micro < 0n ? -micro : micro;
  return `${sign}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

function marginOf(revenue: string, cost: string): number | null {
  const r = Number(revenue);
  return r > 0 ? (r - Number(cost)) / r : null;
}

export async function tenantMargins(db: Database, spec: MarginSpec): Promise<MarginReport> {
  const params = { month: spec.month };
  const rows = await db.all<TenantRow>(tenantsSql(await hasRevenueTable(db) ? REVENUE_OF_MONTH : NO_REVENUE), { ...params, minCalls: TOOL_LOOP_MIN_CALLS });
  const tenants = rows.map((row): TenantMargin => ({
    tenant: row.tenant,
    revenue_usd: row.revenue_usd,
    cost_usd: row.cost_usd,
    margin: row.margin,
    segment: segmentOf(row),
    runs: num(row.runs),
    loop_traces: num(row.loop_traces),
    loop_calls: num(row.loop_calls),
    loop_cost_usd: row.loop_cost_usd,
  }));
  const totals = await db.one<{ unattributed: string; unpriced: string }>(
    `SELECT ${MONEY('coalesce(sum(cost_usd) FILTER (WHERE tenant IS NULL), 0)')} AS unattributed,
            count(*) FILTER (WHERE NOT priced)::VARCHAR AS unpriced
     FROM priced_spans WHERE ${IN_MONTH}`,
    params,
  );
  const segments = MARGIN_SEGMENTS.map((segment): SegmentMargin => {
    const members = tenants.filter((t) => t.segment === segment);
    const revenue = sumUsd(members.map((t) => t.revenue_usd));
    const cost = sumUsd(members.map((t) => t.cost_usd));
    return { segment, tenants: members.length, revenue_usd: revenue, cost_usd: cost, margin: marginOf(revenue, cost) };
  }).filter((s) => s.tenants > 0 || s.segment !== 'no_revenue');
  const unattributed = totals?.unattributed ?? '0.000000';
  const revenue = sumUsd(tenants.map((t) => t.revenue_usd));
  const cost = sumUsd([...tenants.map((t) => t.cost_usd), unattributed]);
  return {
    month: spec.month,
    tenants,
    segments,
    portfolio: { revenue_usd: revenue, cost_usd: cost, margin: marginOf(revenue, cost) },
    unattributed_usd: unattributed,
    unpriced_spans: num(totals?.unpriced),
  };
}
