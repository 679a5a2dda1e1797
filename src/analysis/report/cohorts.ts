/**
 * Cohort unit economics for one month: tenants grouped by revenue plan (`bundled`, `pass_through`,
 * `outcome_based`; `unspecified` when the revenue row names none; `no_revenue` for spend without a
 * revenue row) and by the month each tenant was first seen in the spans (any span, any month).
 * Per cohort: tenants, revenue, priced spend, margin, runs, cost per run, revenue and cost per
 * tenant. Months are cut in UTC like margins.ts, so the cohorts add up to its tenant lines.
 */
import type { Database } from '../../db/database.js';
import { usdTextSql } from '../../db/money.js';
import { num } from '../../db/values.js';
import { monthRollup, tenantSpendSql } from '../tenant-spend.js';
import { revenueRelation } from './revenue.js';
import { ratioOrNull, round6 } from './series.js';

export const COHORT_KINDS = ['plan', 'first_month'] as const;
export type CohortKind = (typeof COHORT_KINDS)[number];

export interface Cohort {
  by: CohortKind;
  cohort: string;
  tenants: number;
  revenue_usd: number;
  cost_usd: number;
  margin: number | null;
  runs: number;
  cost_per_run: number | null;
  revenue_per_tenant: number;
  cost_per_tenant: number;
}

export interface TenantCohorts {
  /** tenant → its plan and first month seen. */
  members: Map<string, { plan: string; first_month: string }>;
  cohorts: Cohort[];
}

interface MemberRow extends Record<string, unknown> {
  tenant: string;
  plan: string;
  first_month: string;
  revenue: string;
  cost: string;
  runs: string;
}

export async function tenantCohorts(db: Database, month: string): Promise<TenantCohorts> {
  const spend = tenantSpendSql(await monthRollup(db, month));
  const rows = await db.all<MemberRow>(
    `WITH income AS (SELECT * FROM (${await revenueRelation(db)}) WHERE month = $month),
     spend AS (${spend.sql}),
     first_seen AS (SELECT tenant, strftime(min(start_time), '%Y-%m') AS first_month FROM spans WHERE tenant IS NOT NULL GROUP BY tenant)
     SELECT coalesce(i.tenant, s.tenant) AS tenant,
            CASE WHEN i.tenant IS NULL THEN 'no_revenue' ELSE coalesce(i.plan, 'unspecified') END AS plan,
            coalesce(f.first_month, 'no spans') AS first_month,
            ${usdTextSql('coalesce(i.revenue_usd, 0)')} AS revenue, ${usdTextSql('coalesce(s.cost, 0)')} AS cost,
            coalesce(s.runs, 0)::VARCHAR AS runs
     FROM income i FULL JOIN spend s ON s.tenant = i.tenant
     LEFT JOIN first_seen f ON f.tenant = coalesce(i.tenant, s.tenant)
     ORDER BY tenant`,
    { month, ...spend.params },
  );
  const members = new Map(rows.map((r) => [r.tenant, { plan: r.plan, first_month: r.first_month }]));
  const cohorts = COHORT_KINDS.flatMap((by) => cohortsBy(by, rows));
  return { members, cohorts };
}

function cohortsBy(by: CohortKind, rows: readonly MemberRow[]): Cohort[] {
  const groups = new Map<string, MemberRow[]>();
  for (const row of rows) {
    const key = by === 'plan' ? row.plan : row.first_month;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([cohort, members]): Cohort => {
      // micro-dollars as integers: exact sums of the 6-decimal figures
      const micro = (key: 'revenue' | 'cost') => members.reduce((sum, m) => sum + Math.round(num(m[key]) * 1e6), 0);
      const revenue = micro('revenue') / 1e6;
      const cost = micro('cost') / 1e6;
      const runs = members.reduce((sum, m) => sum + num(m.runs), 0);
      const margin = ratioOrNull(revenue - cost, revenue);
      const perRun = ratioOrNull(cost, runs);
      return {
        by,
        cohort,
        tenants: members.length,
        revenue_usd: revenue,
        cost_usd: cost,
        margin: margin === null ? null : Math.round(margin * 1e4) / 1e4,
        runs,
        cost_per_run: perRun === null ? null : round6(perRun),
        revenue_per_tenant: round6(revenue / members.length),
        cost_per_tenant: round6(cost / members.length),
      };
    });
}
