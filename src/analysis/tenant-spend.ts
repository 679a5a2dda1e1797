/**
 * Per tenant, the priced spend and the runs of one month, cut in UTC (revenue is booked per UTC
 * month): the relation margins and cohorts join revenue to, read from the run roll-up (or rolled up
 * from the spans when it is not current, src/analysis/cost-rollup.ts). Tenant-less spend is left out.
 */
import type { EngineParams, SqlEngine } from '../db/engine.js';
import { rollupRelation } from './cost-rollup.js';
import { parsePeriod } from './period.js';
import type { BaseRelation } from './span-filter.js';

/** The run roll-up rows of the UTC month `YYYY-MM`. */
export function monthRollup(db: SqlEngine, month: string): Promise<BaseRelation> {
  return rollupRelation(db, { period: parsePeriod({ month, timezone: 'UTC' }) }, { pricing: false });
}

/** `tenant`, `cost` (exact), `runs` per tenant with spend in the month, over `month` (from `monthRollup`). */
export function tenantSpendSql(month: BaseRelation): { sql: string; params: EngineParams } {
  return {
    sql: `SELECT tenant, sum(cost_usd) AS cost, count(DISTINCT run) AS runs FROM (${month.sql}) WHERE tenant IS NOT NULL GROUP BY tenant`,
    params: month.params,
  };
}
