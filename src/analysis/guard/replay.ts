/**
 * `guard --policy`: replay the period's inference spans against a policy, per tenant in time order.
 * Set-based where the question is (per-minute request/token counts and the rate limit are window
 * functions; daily spend, the kill-switch baseline, the cap from the contracted ceiling and the
 * fallback repricing are joins); the sequential part — a day on which a cap or kill-switch threshold
 * may be reached, where each request sees the guarded spend before it — is walked in JS
 * (walk.ts), and only for the tenant-days whose spend reaches their lowest threshold.
 *
 * Definitions: a minute or day is cut in `--timezone`; the rate limit admits a request while the
 * minute's count (tokens: running total of input + output, all attempts) including it stays within
 * the limit; the kill-switch baseline is the tenant's observed daily spend over the trailing
 * `baseline_days` (days without spend count as $0 from its first day), sd_used =
 * max(sample sd, min_stddev_fraction × mean), and it trips when the day's spend so far reaches
 * mean + z × sd_used. Tenant-less spans are not replayed (no tenant to limit).
 */
import { listValue } from '../../db/duckdb.js';
import type { Database, JsonRow } from '../../db/database.js';
import { num } from '../../db/values.js';
import { CostattrError } from '../../errors.js';
import { hasRevenueTable } from '../../db/schema.js';
import { formatUsd, roundUsd } from '../../render/money.js';
import { baseRelation, type SpanFilter } from '../span-filter.js';
import { repricedSpans, type ModelSwap } from '../whatif-reprice.js';
import { rulesFor, type Policy, type RuleSet } from './policy.js';
import type { GuardEvent, GuardResult, GuardTenant } from './types.js';
import { walkDay, type WalkDay, type WalkSpan } from './walk.js';

export interface GuardSpec {
  filter: SpanFilter;
  policy: Policy;
  /** Policy file name, for errors about its content. */
  policyFile: string;
}

/** A day is normal for a tenant when it spent at most this multiple of its median day. */
export const NORMAL_DAY_MULTIPLE = 2;

const RULES = 'costattr_guard_rules';
const SPANS = 'costattr_guard_spans';
const DAYS = 'costattr_guard_days';
const TIME_FORMAT = `'%Y-%m-%dT%H:%M:%S'`;

/** One row of limits per tenant; an absent limit travels as '' (a list's type is read from its items) and lands as NULL. */
async function installRules(db: Database, policy: Policy, tenants: readonly string[]): Promise<void> {
  const column = (pick: (rules: RuleSet) => number | null | undefined) =>
    listValue(tenants.map((t) => {
      const value = pick(rulesFor(policy, t));
      return value === null || value === undefined ? '' : String(value);
    }));
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${RULES} AS
     SELECT unnest($tenant) AS tenant, CAST(NULLIF(unnest($rpm), '') AS BIGINT) AS rpm, CAST(NULLIF(unnest($tpm), '') AS BIGINT) AS tpm,
            CAST(NULLIF(unnest($cap_usd), '') AS DOUBLE) AS cap_usd, CAST(NULLIF(unnest($cap_multiple), '') AS DOUBLE) AS cap_multiple,
            CAST(NULLIF(unnest($z), '') AS DOUBLE) AS z, CAST(NULLIF(unnest($min_base), '') AS INTEGER) AS min_base, CAST(NULLIF(unnest($base_days), '') AS INTEGER) AS base_days,
            CAST(NULLIF(unnest($min_sd), '') AS DOUBLE) AS min_sd, CAST(NULLIF(unnest($first_share), '') AS DOUBLE) AS first_share`,
    {
      tenant: listValue([...tenants]),
      rpm: column((r) => r.rate_limit?.requests_per_minute),
      tpm: column((r) => r.rate_limit?.tokens_per_minute),
      cap_usd: column((r) => r.daily_cap?.usd),
      cap_multiple: column((r) => r.daily_cap?.ceiling_multiple),
      z: column((r) => r.kill_switch?.z),
      min_base: column((r) => r.kill_switch?.min_baseline_days),
      base_days: column((r) => r.kill_switch?.baseline_days),
      min_sd: column((r) => r.kill_switch?.min_stddev_fraction),
      first_share: column((r) => (r.daily_cap ? Math.min(1, ...r.degrade.map((s) => s.at_share)) : null)),
    },
  );
}

const spansSql = (replay: string): string => `
CREATE OR REPLACE TEMP TABLE ${SPANS} AS
WITH s AS (
  SELECT trace_id, span_id, tenant, route, start_time, local_time, CAST(local_time AS DATE) AS day,
         date_trunc('minute', local_time) AS minute, cost_usd, total_input_tokens + output_tokens AS tokens, priced
  FROM (${replay}) WHERE tenant IS NOT NULL
),
w AS (
  SELECT s.*, row_number() OVER m AS nth, sum(tokens) OVER m AS tokens_so_far,
         count(*) OVER (PARTITION BY tenant, minute) AS minute_requests, sum(tokens) OVER (PARTITION BY tenant, minute) AS minute_tokens
  FROM s
  WINDOW m AS (PARTITION BY tenant, minute ORDER BY start_time, trace_id, span_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT w.*,
       CASE WHEN r.rpm IS NOT NULL AND w.nth > r.rpm THEN 'requests'
            WHEN r.tpm IS NOT NULL AND w.tokens_so_far > r.tpm THEN 'tokens' END AS rate_blocked_by
FROM w JOIN ${RULES} r USING (tenant)`;

const daysSql = (history: string, revenue: boolean): string => `
CREATE OR REPLACE TEMP TABLE ${DAYS} AS
WITH hist AS (
  SELECT tenant, CAST(local_time AS DATE) AS day, sum(cost_usd) AS spend FROM (${history}) WHERE tenant IS NOT NULL GROUP BY ALL
),
last_day AS (SELECT max(day) AS day FROM hist),
series AS (
  SELECT f.tenant, CAST(g.day AS DATE) AS day, coalesce(h.spend, 0) AS spend
  FROM (SELECT tenant, min(day) AS first_day FROM hist GROUP BY tenant) f
  CROSS JOIN last_day l
  CROSS JOIN LATERAL (SELECT unnest(generate_series(CAST(f.first_day AS TIMESTAMP), CAST(l.day AS TIMESTAMP), INTERVAL 1 DAY)) AS day) g
  LEFT JOIN hist h ON h.tenant = f.tenant AND h.day = CAST(g.day AS DATE)
),
replay_days AS (
  SELECT tenant, day, sum(cost_usd) AS spend, coalesce(sum(cost_usd) FILTER (WHERE rate_blocked_by IS NULL), 0) AS admitted
  FROM ${SPANS} GROUP BY ALL
),
baselined AS (
  SELECT d.tenant, d.day, count(b.day) AS base_n, coalesce(avg(CAST(b.spend AS DOUBLE)), 0) AS mean,
         coalesce(stddev_samp(CAST(b.spend AS DOUBLE)), 0) AS sd
  FROM replay_days d JOIN ${RULES} r USING (tenant)
  LEFT JOIN series b ON b.tenant = d.tenant AND b.day < d.day AND b.day >= d.day - coalesce(r.base_days, 0)
  GROUP BY ALL
),
ceilings AS (${revenue ? 'SELECT tenant, month, ceiling_usd FROM revenue' : 'SELECT NULL::VARCHAR AS tenant, NULL::VARCHAR AS month, NULL::DECIMAL(18,6) AS ceiling_usd WHERE false'}),
medians AS (SELECT tenant, quantile_cont(CAST(spend AS DOUBLE), 0.5) AS median FROM replay_days GROUP BY tenant),
limits AS (
  SELECT d.tenant, d.day, d.spend, d.admitted, m.median,
         coalesce(r.cap_usd, r.cap_multiple * CAST(c.ceiling_usd AS DOUBLE) / dayofmonth(last_day(d.day))) AS cap,
         r.cap_multiple IS NOT NULL AND c.ceiling_usd IS NULL AS cap_without_ceiling,
         b.mean, greatest(b.sd, r.min_sd * b.mean) AS sd_used,
         CASE WHEN r.z IS NOT NULL AND b.base_n >= r.min_base AND b.mean > 0 THEN b.mean + r.z * greatest(b.sd, r.min_sd * b.mean) END AS trip,
         r.first_share
  FROM replay_days d JOIN ${RULES} r USING (tenant)
  JOIN baselined b ON b.tenant = d.tenant AND b.day = d.day
  JOIN medians m ON m.tenant = d.tenant
  LEFT JOIN ceilings c ON c.tenant = d.tenant AND c.month = strftime(d.day, '%Y-%m')
)
SELECT *, CAST(admitted AS DOUBLE) >= least(coalesce(trip, 'Infinity'::DOUBLE), coalesce(cap * first_share, 'Infinity'::DOUBLE)) - 1e-9 AS walk
FROM limits`;

interface RateEventRow extends JsonRow {
  tenant: string;
  kind: 'requests' | 'tokens';
  time: string;
  retry: number;
  blocked: string;
  observed: string;
  lim: string;
}

const RATE_EVENTS = `
SELECT s.tenant, s.rate_blocked_by AS kind, strftime(min(s.local_time), ${TIME_FORMAT}) AS time,
       CAST(ceil(epoch(s.minute + INTERVAL 1 MINUTE) - epoch(min(s.local_time))) AS INTEGER) AS retry,
       count(*)::VARCHAR AS blocked,
       any_value(CASE s.rate_blocked_by WHEN 'requests' THEN s.minute_requests ELSE s.minute_tokens END)::VARCHAR AS observed,
       any_value(CASE s.rate_blocked_by WHEN 'requests' THEN r.rpm ELSE r.tpm END)::VARCHAR AS lim
FROM ${SPANS} s JOIN ${RULES} r USING (tenant)
WHERE s.rate_blocked_by IS NOT NULL
GROUP BY s.tenant, s.minute, s.rate_blocked_by`;

const TENANT_TOTALS = `
SELECT tenant, count(*)::VARCHAR AS requests, CAST(sum(cost_usd) AS DOUBLE) AS spend,
       count(*) FILTER (WHERE rate_blocked_by IS NOT NULL)::VARCHAR AS rate_blocked,
       coalesce(CAST(sum(cost_usd) FILTER (WHERE rate_blocked_by IS NOT NULL) AS DOUBLE), 0) AS rate_blocked_usd,
       count(*) FILTER (WHERE NOT priced)::VARCHAR AS unpriced
FROM ${SPANS} GROUP BY tenant ORDER BY tenant`;

const walkSpansSql = (fallback: string | null): string => `
${fallback ? `WITH fb AS (${fallback})` : ''}
SELECT s.tenant, strftime(s.day, '%Y-%m-%d') AS day, strftime(s.local_time, ${TIME_FORMAT}) AS time,
       strftime(s.minute, ${TIME_FORMAT}) AS minute, s.route, CAST(s.cost_usd AS DOUBLE) AS cost,
       ${fallback ? 'CASE WHEN fb.priced THEN CAST(fb.cost_usd AS DOUBLE) END' : 'CAST(NULL AS DOUBLE)'} AS fallback_cost,
       s.rate_blocked_by IS NOT NULL AS rate_blocked,
       CAST(ceil(epoch(CAST(s.day + 1 AS TIMESTAMP)) - epoch(s.local_time)) AS INTEGER) AS secs_to_day_end
FROM ${SPANS} s JOIN ${DAYS} d ON d.tenant = s.tenant AND d.day = s.day AND d.walk
${fallback ? 'LEFT JOIN fb ON fb.trace_id = s.trace_id AND fb.span_id = s.span_id AND fb.to_model IS NOT NULL' : ''}
ORDER BY s.tenant, s.day, s.start_time, s.trace_id, s.span_id`;

/** Fallback model pairs per tenant (the union of its ladder's maps; a later step wins a conflict). */
function fallbackSwaps(policy: Policy, tenants: readonly string[]): ModelSwap[] {
  return tenants.flatMap((tenant) => {
    const map = new Map<string, string>();
    for (const step of rulesFor(policy, tenant).degrade) {
      if (step.action === 'fallback') for (const [from, to] of Object.entries(step.model_map)) map.set(from, to);
    }
    return [...map].map(([from, to]) => ({ tenant, from, to }));
  });
}

/** Every model a fallback names must be in the price book; the error names the policy field. */
async function checkFallbackModels(db: Database, spec: GuardSpec): Promise<void> {
  const blocks: Array<[string, RuleSet]> = [['$.defaults', spec.policy.defaults], ...Object.entries(spec.policy.tenants).map(([t, r]) => [`$.tenants.${t}`, r] as [string, RuleSet])];
  for (const [path, rules] of blocks) {
    for (const [i, step] of rules.degrade.entries()) {
      if (step.action !== 'fallback') continue;
      for (const [from, to] of Object.entries(step.model_map)) {
        for (const name of [from, to]) {
          if (!(await db.one(`SELECT 1 AS hit FROM model_aliases WHERE alias = lower($name)`, { name }))) {
            throw new CostattrError('BAD_INPUT', `${spec.policyFile}: field ${path}.degrade[${i}].model_map.${from}: model ${name} is not in the price book`, { hint: 'see `costattr pricing list`' });
          }
        }
      }
    }
  }
}

interface DayRow extends JsonRow {
  tenant: string;
  day: string;
  spend: number;
  median: number;
  cap: number | null;
  cap_without_ceiling: boolean;
  trip: number | null;
  mean: number;
  sd_used: number;
  walk: boolean;
}

export async function replayGuard(db: Database, spec: GuardSpec): Promise<GuardResult> {
  await checkFallbackModels(db, spec);
  const replay = baseRelation(spec.filter);
  const history = baseRelation({ period: { ...spec.filter.period, since: undefined } });
  const tenants = (await db.all<{ tenant: string }>(`SELECT DISTINCT tenant FROM (${replay.sql}) WHERE tenant IS NOT NULL ORDER BY tenant`, replay.params)).map((r) => r.tenant);
  const notes: string[] = [];
  const unattributed = await db.one(`SELECT count(*)::VARCHAR AS n, CAST(coalesce(sum(cost_usd), 0) AS DOUBLE) AS usd FROM (${replay.sql}) WHERE tenant IS NULL`, replay.params);
  if (num(unattributed?.n) > 0) notes.push(`${num(unattributed?.n)} tenant-less spans (${formatUsd(num(unattributed?.usd))}) are not replayed: no tenant to limit.`);
  if (tenants.length === 0) return { events: [], tenants: [], blocked_usd: 0, saved_usd: 0, spend_usd: 0, critical_events: 0, notes };
  try {
    await installRules(db, spec.policy, tenants);
    await db.exec(spansSql(replay.sql), replay.params);
    await db.exec(daysSql(history.sql, await hasRevenueTable(db)), history.params);
    return await summarise(db, spec, tenants, notes);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${RULES}; DROP TABLE IF EXISTS ${SPANS}; DROP TABLE IF EXISTS ${DAYS};`);
  }
}

async function summarise(db: Database, spec: GuardSpec, tenants: readonly string[], notes: string[]): Promise<GuardResult> {
  const events: GuardEvent[] = (await db.all<RateEventRow>(RATE_EVENTS)).map((row) => ({
    time: row.time,
    tenant: row.tenant,
    rule: 'rate_limit',
    observed: num(row.observed),
    limit: num(row.lim),
    action: '429',
    unit: row.kind === 'requests' ? 'requests/min' : 'tokens/min',
    retry_after_s: row.retry,
    step: null,
    requests: num(row.blocked),
    severity: 'warn',
  }));
  const days = await db.all<DayRow>(`SELECT tenant, strftime(day, '%Y-%m-%d') AS day, CAST(spend AS DOUBLE) AS spend, median, cap, cap_without_ceiling, trip, mean, sd_used, walk FROM ${DAYS}`);
  const swaps = fallbackSwaps(spec.policy, tenants);
  const fallback = swaps.length > 0 ? repricedSpans(baseRelation(spec.filter), { swaps, batchShare: [], cacheHit: [] }) : null;
  const spans = await db.all<WalkSpan & { tenant: string; day: string } & JsonRow>(walkSpansSql(fallback?.sql ?? null), fallback?.params);
  const walked = new Map<string, { blocked: number; blocked_usd: number; degraded: number; saved: number }>();
  const dayKey = (tenant: string, day: string): string => `${tenant}\u0000${day}`;
  const spansByDay = new Map<string, WalkSpan[]>();
  for (const span of spans) {
    const key = dayKey(span.tenant, span.day);
    const list = spansByDay.get(key);
    if (list) list.push(span);
    else spansByDay.set(key, [span]);
  }
  for (const day of days.filter((d) => d.walk)) {
    const walkInput: WalkDay = { tenant: day.tenant, cap_usd: day.cap, trip_usd: day.trip, mean_usd: day.mean, sd_used_usd: day.sd_used };
    const outcome = walkDay(walkInput, rulesFor(spec.policy, day.tenant), spansByDay.get(dayKey(day.tenant, day.day)) ?? []);
    events.push(...outcome.events);
    const acc = walked.get(day.tenant) ?? { blocked: 0, blocked_usd: 0, degraded: 0, saved: 0 };
    acc.blocked += outcome.blocked;
    acc.blocked_usd += outcome.blocked_usd;
    acc.degraded += outcome.degraded;
    acc.saved += outcome.degraded_saved_usd;
    walked.set(day.tenant, acc);
  }
  events.sort((a, b) => a.time.localeCompare(b.time) || a.tenant.localeCompare(b.tenant) || a.rule.localeCompare(b.rule) || (a.step ?? '').localeCompare(b.step ?? ''));
  const noCeiling = [...new Set(days.filter((d) => d.cap_without_ceiling).map((d) => d.tenant))];
  if (noCeiling.length > 0) notes.push(`no contracted ceiling (--revenue ceiling_usd) for ${noCeiling.join(', ')}: their ceiling-multiple daily cap did not apply on those days.`);

  const totals = await db.all(TENANT_TOTALS);
  const unpriced = totals.reduce((n, t) => n + num(t.unpriced), 0);
  if (unpriced > 0) notes.push(`${unpriced} replayed spans could not be priced: their spend is missing, so caps and the kill switch may fire later than they would have.`);
  const result: GuardTenant[] = totals.map((t) => {
    const tenant = String(t.tenant);
    const w = walked.get(tenant) ?? { blocked: 0, blocked_usd: 0, degraded: 0, saved: 0 };
    const blockedUsd = num(t.rate_blocked_usd) + w.blocked_usd;
    const tenantEvents = events.filter((e) => e.tenant === tenant);
    const firedDays = [...new Set(tenantEvents.map((e) => e.time.slice(0, 10)))].sort();
    const normal = new Set(days.filter((d) => d.tenant === tenant && d.spend <= NORMAL_DAY_MULTIPLE * d.median).map((d) => d.day));
    return {
      tenant,
      requests: num(t.requests),
      requests_blocked: num(t.rate_blocked) + w.blocked,
      requests_degraded: w.degraded,
      spend_usd: roundUsd(num(t.spend)),
      blocked_usd: roundUsd(blockedUsd),
      saved_usd: roundUsd(blockedUsd + w.saved),
      guarded_usd: roundUsd(num(t.spend) - blockedUsd - w.saved),
      events: tenantEvents.length,
      days_fired: firedDays,
      false_positive_days: firedDays.filter((d) => normal.has(d)),
    };
  });
  return {
    events,
    tenants: result,
    blocked_usd: roundUsd(result.reduce((s, t) => s + t.blocked_usd, 0)),
    saved_usd: roundUsd(result.reduce((s, t) => s + t.saved_usd, 0)),
    spend_usd: roundUsd(result.reduce((s, t) => s + t.spend_usd, 0)),
    critical_events: events.filter((e) => e.severity === 'critical').length,
    notes,
  };
}
