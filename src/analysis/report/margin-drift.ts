/**
 * The tenants whose margin moved most between two consecutive 7-day windows. Revenue is contracted
 * per month, so each day earns its month's revenue ÷ the days of that month (a week straddling two
 * months takes its share of each); cost is the tenant's priced spend on those days (in --timezone).
 * margin = (revenue − cost) / revenue per window; only tenants with revenue in both windows have a
 * movement. Largest absolute movement first.
 */
import type { Database } from '../../db/database.js';
import { usdTextSql } from '../../db/money.js';
import { num } from '../../db/values.js';
import { baseRelation } from '../span-filter.js';
import { addDays } from './dates.js';
import { revenueRelation } from './revenue.js';
import type { DayWindow } from './series.js';

export const MARGIN_MOVERS = 10;

export interface MarginMove {
  tenant: string;
  revenue_usd: number;
  cost_usd: number;
  margin: number;
  previous_revenue_usd: number;
  previous_cost_usd: number;
  previous_margin: number;
  /** margin − previous margin, in fraction points (−0.12 = 12 points down). */
  change: number;
}

interface MoveRow extends Record<string, unknown> {
  tenant: string;
  revenue: string;
  cost: string;
  previous_revenue: string;
  previous_cost: string;
}

export async function marginMoves(db: Database, week: DayWindow): Promise<MarginMove[]> {
  const previousSince = addDays(week.since, -7);
  const base = baseRelation({ period: { since: previousSince, until: week.until, timezone: week.timezone } });
  const rows = await db.all<MoveRow>(
    `WITH base AS (${base.sql}),
     income AS (${await revenueRelation(db)}),
     days AS (
       SELECT CAST(unnest(generate_series(CAST($since AS TIMESTAMP), CAST($until AS TIMESTAMP) - INTERVAL 1 DAY, INTERVAL 1 DAY)) AS DATE) AS day
     ),
     earned AS (
       SELECT i.tenant, d.day >= CAST($week_since AS DATE) AS current, sum(i.revenue_usd / dayofmonth(last_day(d.day))) AS revenue
       FROM income i JOIN days d ON i.month = strftime(d.day, '%Y-%m') GROUP BY ALL
     ),
     spent AS (
       SELECT tenant, CAST(local_time AS DATE) >= CAST($week_since AS DATE) AS current, sum(cost_usd) AS cost
       FROM base WHERE tenant IS NOT NULL GROUP BY ALL
     ),
     windows AS (
       SELECT e.tenant, e.current, e.revenue, coalesce(s.cost, 0) AS cost
       FROM earned e LEFT JOIN spent s ON s.tenant = e.tenant AND s.current = e.current
       WHERE e.revenue > 0
     )
     SELECT c.tenant, ${usdTextSql('c.revenue')} AS revenue, ${usdTextSql('c.cost')} AS cost,
            ${usdTextSql('p.revenue')} AS previous_revenue, ${usdTextSql('p.cost')} AS previous_cost
     FROM windows c JOIN windows p ON p.tenant = c.tenant AND p.current = false
     WHERE c.current`,
    { ...base.params, week_since: week.since },
  );
  const margin = (revenue: number, cost: number) => (revenue - cost) / revenue;
  return rows
    .map((row): MarginMove => {
      const [revenue, cost, previousRevenue, previousCost] = [num(row.revenue), num(row.cost), num(row.previous_revenue), num(row.previous_cost)];
      const now = margin(revenue, cost);
      const before = margin(previousRevenue, previousCost);
      return {
        tenant: row.tenant,
        revenue_usd: revenue,
        cost_usd: cost,
        margin: round4(now),
        previous_revenue_usd: previousRevenue,
        previous_cost_usd: previousCost,
        previous_margin: round4(before),
        change: round4(now - before),
      };
    })
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0))
    .slice(0, MARGIN_MOVERS);
}

function round4(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
