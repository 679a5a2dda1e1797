/**
 * `guard --recommend`: a policy derived from the period's traffic, following the guide's margin
 * protection rules, each number next to the figure it came from (a `<field>_why` sibling):
 *   - rate limits at 3× the tenant's p99 per-minute peak (requests, and input + output tokens),
 *     over the minutes it sent anything (p99 by linear interpolation, rounded up to a whole number);
 *   - daily caps at 2× the contracted ceiling spread over its month (revenue `ceiling_usd` ÷ days
 *     in the month, the latest month with a ceiling), else 2× the p95 of its daily spend over the
 *     days it spent anything; rounded up to the cent;
 *   - the kill switch at the guide's defaults (z > 4 over a baseline of at least 7 days).
 * The result is a valid policy file for `guard --policy` (parsePolicy accepts it).
 */
import type { Database, JsonRow } from '../../db/database.js';
import { num } from '../../db/values.js';
import { hasRevenueTable } from '../../db/schema.js';
import { formatUnitUsd, formatUsd } from '../../render/money.js';
import { baseRelation, type SpanFilter } from '../span-filter.js';
import { KILL_SWITCH_DEFAULTS } from './policy.js';

export const RATE_LIMIT_MULTIPLE = 3;
export const CEILING_MULTIPLE = 2;
export const P95_SPEND_MULTIPLE = 2;

export interface RecommendSpec {
  filter: SpanFilter;
}

/** A policy document (JSON-ready), with `_why` fields. */
export interface RecommendedPolicy {
  version: 1;
  _why: string;
  defaults: Record<string, unknown>;
  tenants: Record<string, Record<string, unknown>>;
}

interface TenantFacts extends JsonRow {
  tenant: string;
  minutes: string;
  p99_requests: number;
  p99_tokens: number;
  days: string;
  p95_day_usd: number;
  ceiling_usd: string | null;
  ceiling_month: string | null;
  month_days: number | null;
}

const factsSql = (base: string, revenue: boolean): string => `
WITH s AS (SELECT tenant, local_time, total_input_tokens + output_tokens AS tokens, cost_usd FROM (${base}) WHERE tenant IS NOT NULL),
minutes AS (SELECT tenant, date_trunc('minute', local_time) AS minute, count(*) AS requests, sum(tokens) AS tokens FROM s GROUP BY ALL),
per_minute AS (
  SELECT tenant, count(*)::VARCHAR AS minutes, quantile_cont(CAST(requests AS DOUBLE), 0.99) AS p99_requests,
         quantile_cont(CAST(tokens AS DOUBLE), 0.99) AS p99_tokens
  FROM minutes GROUP BY tenant
),
days AS (SELECT tenant, CAST(local_time AS DATE) AS day, sum(cost_usd) AS spend FROM s GROUP BY ALL),
per_day AS (
  SELECT tenant, count(*)::VARCHAR AS days, quantile_cont(CAST(spend AS DOUBLE), 0.95) AS p95_day_usd, max(day) AS last_day
  FROM days GROUP BY tenant
),
ceilings AS (
  ${revenue
    ? `SELECT tenant, arg_max(ceiling_usd, month) AS ceiling_usd, max(month) AS month FROM revenue WHERE ceiling_usd IS NOT NULL GROUP BY tenant`
    : `SELECT NULL::VARCHAR AS tenant, NULL::DECIMAL(18,6) AS ceiling_usd, NULL::VARCHAR AS month WHERE false`}
)
SELECT m.tenant, m.minutes, m.p99_requests, m.p99_tokens, d.days, d.p95_day_usd,
       c.ceiling_usd::VARCHAR AS ceiling_usd, c.month AS ceiling_month,
       dayofmonth(last_day(CAST(c.month || '-01' AS DATE))) AS month_days
FROM per_minute m JOIN per_day d USING (tenant) LEFT JOIN ceilings c USING (tenant)
ORDER BY m.tenant`;

const fmt = (value: number, digits = 2): string => String(Math.round(value * 10 ** digits) / 10 ** digits);
/** Rounded before ceil so float noise (49.51 × 1100 = 54461.00000000001) cannot add one. */
const ceilClean = (value: number): number => Math.ceil(Math.round(value * 1e6) / 1e6);
const centsUp = (usd: number): number => ceilClean(usd * 100) / 100;

function tenantRules(f: TenantFacts): Record<string, unknown> {
  const rpm = Math.max(1, ceilClean(RATE_LIMIT_MULTIPLE * f.p99_requests));
  const tpm = Math.max(1, ceilClean(RATE_LIMIT_MULTIPLE * f.p99_tokens));
  const rate = {
    requests_per_minute: rpm,
    requests_per_minute_why: `${RATE_LIMIT_MULTIPLE} × p99 per-minute peak of ${fmt(f.p99_requests)} requests over ${num(f.minutes)} active minutes`,
    tokens_per_minute: tpm,
    tokens_per_minute_why: `${RATE_LIMIT_MULTIPLE} × p99 per-minute peak of ${fmt(f.p99_tokens, 0)} tokens`,
  };
  if (f.ceiling_usd !== null && f.month_days !== null) {
    const perDay = Number(f.ceiling_usd) / f.month_days;
    return {
      rate_limit: rate,
      daily_cap: {
        usd: centsUp(CEILING_MULTIPLE * perDay),
        usd_why: `${CEILING_MULTIPLE} × contracted ceiling ${formatUsd(f.ceiling_usd)} for ${f.ceiling_month ?? ''} ÷ ${f.month_days} days = ${formatUnitUsd(perDay)}/day`,
      },
    };
  }
  return {
    rate_limit: rate,
    daily_cap: {
      usd: centsUp(P95_SPEND_MULTIPLE * f.p95_day_usd),
      usd_why: `${P95_SPEND_MULTIPLE} × p95 daily spend of ${formatUnitUsd(f.p95_day_usd)} over ${num(f.days)} active days (no contracted ceiling)`,
    },
  };
}

export async function recommendPolicy(db: Database, spec: RecommendSpec): Promise<RecommendedPolicy> {
  const base = baseRelation(spec.filter);
  const facts = await db.all<TenantFacts>(factsSql(base.sql, await hasRevenueTable(db)), base.params);
  return {
    version: 1,
    _why: 'recommended by costattr guard --recommend from observed traffic; replay it with costattr guard --policy before turning it on',
    defaults: {
      kill_switch: {
        z: KILL_SWITCH_DEFAULTS.z,
        min_baseline_days: KILL_SWITCH_DEFAULTS.min_baseline_days,
        _why: 'pause a tenant whose daily spend scores z > 4 against at least 7 days of its own history (cost-attribution guide)',
      },
    },
    tenants: Object.fromEntries(facts.map((f) => [f.tenant, tenantRules(f)])),
  };
}
