/**
 * model_escalation: a route's (or one tenant's on a route) traffic shifting to a more expensive model
 * against the trailing `baselineDays` mix. The mix counts runs, not calls: each run (trace) weighs 1,
 * split over its models by their share of its calls, so a run that loops 30 calls on one model does
 * not look like a model change. For each day: shift = share of runs that moved between models
 * (½ Σ |day share − baseline share|); cost impact = actual − cost at the baseline mix, both at each
 * model's baseline cost per run-share (a model new that day uses its own), so token growth does not
 * count as escalation. Reported when the shift is ≥ `minShift`, the day costs ≥ `minCostIncrease`
 * more than at the baseline mix, with `minRuns` runs that day and `minBaselineRuns` in the baseline
 * (a planned switch on a low-volume route stays quiet). Consecutive days are one finding.
 */
import { keepBestGrain } from './grains.js';
import { formatUsd } from '../../render/money.js';
import { number, inScope, percent, ratio, scopeParams, text, traceIdColumns, traceIds, usd, windowText, type DetectorInput } from './scope.js';
import type { Anomaly } from './types.js';

const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans')}),
run_models AS (
  SELECT tenant, coalesce(route, $unattributed) AS route, day, trace_id, model, sum(cost_usd) AS cost,
         count(*) / sum(count(*)) OVER (PARTITION BY trace_id, tenant, route, day) AS runs
  FROM scoped GROUP BY tenant, route, day, trace_id, model
),
keyed AS (
  SELECT 'route' AS grain, CAST(NULL AS VARCHAR) AS tenant, * EXCLUDE (tenant) FROM run_models
  UNION ALL
  SELECT 'tenant', coalesce(tenant, $unattributed), * EXCLUDE (tenant) FROM run_models
),
daily_model AS (
  SELECT grain, tenant, route, grain || chr(31) || coalesce(tenant, '') || chr(31) || route AS scope_key,
         day, model, sum(runs) AS calls, sum(cost) AS cost
  FROM keyed GROUP BY ALL
),
days AS (SELECT DISTINCT grain, tenant, route, scope_key, day FROM daily_model),
baseline_model AS (
  SELECT d.scope_key, d.day, b.model, sum(b.calls) AS calls, sum(b.cost) AS cost
  FROM days d JOIN daily_model b ON b.scope_key = d.scope_key
                                 AND b.day >= d.day - CAST($baseline_days AS INTEGER) AND b.day < d.day
  GROUP BY ALL
),
mix AS (
  SELECT coalesce(t.scope_key, b.scope_key) AS scope_key, coalesce(t.day, b.day) AS day, coalesce(t.model, b.model) AS model,
         coalesce(t.calls, 0) AS day_calls, coalesce(b.calls, 0) AS base_calls,
         CAST(CASE WHEN coalesce(b.calls, 0) > 0 THEN b.cost / b.calls ELSE t.cost / t.calls END AS DOUBLE) AS cost_per_call
  FROM (SELECT * FROM daily_model WHERE (scope_key, day) IN (SELECT scope_key, day FROM baseline_model)) t
  FULL OUTER JOIN baseline_model b ON b.scope_key = t.scope_key AND b.day = t.day AND b.model = t.model
),
shares AS (
  SELECT *, sum(day_calls) OVER k AS total_day_calls, sum(base_calls) OVER k AS total_base_calls,
         day_calls / sum(day_calls) OVER k - base_calls / sum(base_calls) OVER k AS share_delta
  FROM mix WINDOW k AS (PARTITION BY scope_key, day)
),
daily_shift AS (
  SELECT scope_key, day, any_value(total_day_calls) AS calls, any_value(total_base_calls) AS base_calls,
         sum(abs(share_delta)) / 2 AS shift,
         sum(share_delta * total_day_calls * cost_per_call) AS impact,
         sum(base_calls / total_base_calls * total_day_calls * cost_per_call) AS cost_at_baseline_mix,
         arg_max(model, share_delta) AS to_model, arg_min(model, share_delta) AS from_model,
         json_group_object(model, round(base_calls / total_base_calls, 4)) AS baseline_mix,
         json_group_object(model, round(day_calls / total_day_calls, 4)) AS day_mix
  FROM shares WHERE total_day_calls > 0 AND total_base_calls > 0
  GROUP BY scope_key, day
),
flagged AS (
  SELECT f.*, f.day - CAST(row_number() OVER (PARTITION BY f.scope_key ORDER BY f.day) AS INTEGER) AS island
  FROM daily_shift f
  WHERE f.calls >= $min_calls AND f.base_calls >= $min_base_calls AND f.shift >= $min_shift
    AND f.cost_at_baseline_mix > 0 AND f.impact >= $min_cost_increase * f.cost_at_baseline_mix
    AND f.day >= CAST(CAST($since AS TIMESTAMP) AS DATE) AND CAST(f.day AS TIMESTAMP) < CAST($until AS TIMESTAMP)
),
islands AS (
  SELECT scope_key, island, min(day) AS first_day, max(day) AS last_day, count(*) AS days,
         sum(impact) AS impact, sum(cost_at_baseline_mix) AS cost_at_baseline_mix, sum(calls) AS calls,
         max(shift) AS shift, arg_min(to_model, day) AS to_model, arg_min(from_model, day) AS from_model,
         arg_min(baseline_mix, day) AS baseline_mix, arg_min(day_mix, day) AS day_mix
  FROM flagged GROUP BY scope_key, island
)
SELECT i.scope_key, any_value(k.grain) AS grain, any_value(k.tenant) AS tenant, any_value(k.route) AS route,
       i.first_day, i.days, i.impact, i.cost_at_baseline_mix, i.calls, i.shift, i.to_model, i.from_model,
       i.baseline_mix, i.day_mix,
       ${windowText('i.first_day')} AS start, ${windowText('i.last_day + INTERVAL 1 DAY')} AS "end",
       ${traceIdColumns('k.trace_id', 'k.cost')}
FROM islands i
JOIN keyed k ON k.grain || chr(31) || coalesce(k.tenant, '') || chr(31) || k.route = i.scope_key
            AND k.day BETWEEN i.first_day AND i.last_day AND k.model = i.to_model
GROUP BY ALL
`;

function shares(value: unknown): Record<string, number> {
  return typeof value === 'string' ? (JSON.parse(value) as Record<string, number>) : {};
}

export async function detectModelEscalation(input: DetectorInput): Promise<Anomaly[]> {
  const t = input.thresholds.model_escalation;
  const rows = await input.db.all(query(input), {
    ...scopeParams(input),
    baseline_days: t.baselineDays,
    min_calls: t.minRuns,
    min_base_calls: t.minBaselineRuns,
    min_shift: t.minShift,
    min_cost_increase: t.minCostIncrease,
  });
  const findings = rows.map((row): Anomaly => {
    const impact = usd(row.impact);
    const shift = number(row.shift);
    const atBaseline = number(row.cost_at_baseline_mix);
    const who = row.grain === 'route' ? `route ${text(row.route)}` : `tenant ${text(row.tenant)} on route ${text(row.route)}`;
    return {
      kind: 'model_escalation',
      severity: shift >= t.criticalShift ? 'critical' : 'warn',
      tenant: text(row.tenant),
      route: text(row.route),
      model: text(row.to_model),
      tool: null,
      start: String(row.start),
      end: String(row.end),
      summary: `${who}: ${percent(shift)} of runs moved from ${text(row.from_model)} to ${text(row.to_model)} from ${String(row.start).slice(0, 10)} (${number(row.days)} day${number(row.days) === 1 ? '' : 's'}), ${formatUsd(impact)} over the cost at the baseline mix`,
      evidence: {
        impact_usd: impact,
        trace_count: number(row.trace_count),
        shift: ratio(shift),
        cost_increase: ratio(atBaseline > 0 ? number(row.impact) / atBaseline : 0),
        cost_at_baseline_mix_usd: usd(atBaseline),
        from_model: text(row.from_model),
        baseline_mix: shares(row.baseline_mix),
        mix: shares(row.day_mix),
        days: number(row.days),
        runs: ratio(row.calls, 1),
      },
      trace_ids: traceIds(row.trace_ids),
    };
  });
  return input.tenant === undefined ? keepBestGrain(findings) : findings;
}
