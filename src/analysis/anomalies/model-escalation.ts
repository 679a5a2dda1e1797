/**
 * model_escalation: a route's (or one tenant's on a route) runs moving to a pricier model. A tenant
 * with two runs a day has no per-day sample, so the evidence is pooled: from each candidate start day
 * s, the runs of the next `windowDays` days (cut at the end of the data: "the last 3–7 days") against
 * the runs of the `baselineDays` before s ("the weeks before").
 *
 * The mix is the share of runs (traces) that use each model: a run that loops 30 calls on one model,
 * or that skips a step, does not look like a model change; a model's share of runs rising does.
 * Against a baseline: shift = the largest rise of a model's share (the model escalated to); money =
 * Σ (share − baseline share) × runs × the model's cost per run that uses it (at the baseline; a model
 * new since then at its cost in the window), so token growth does not count as escalation; the cost
 * at the baseline mix is Σ baseline share × runs × that cost.
 *
 * A start s qualifies when the window's shift is at least `minShift`, it costs `minCostIncrease` more
 * than at the baseline mix AND at least `minUsdPerDay` more per day — a planned, cheap change on a
 * low-volume route stays quiet by money, not by volume —, the new model's share rose with a
 * two-proportion z of at least `minZ` (chance reshuffles of a small sample stay quiet), the window
 * and baseline have `minRuns` and `minBaselineRuns` runs, and day s itself moved (which pins the
 * start). The incident runs from the first qualifying s to the last day still moved against that
 * same baseline; every day in it is judged against the baseline before its start, so the later days
 * of a long escalation are not compared with the escalation itself. The next incident of that scope
 * starts at a qualifying day after its end.
 */
import { formatUsd } from '../../render/money.js';
import { keepBestGrain } from './grains.js';
import { tenantRouteEntity, type IncidentRules } from './incidents.js';
import { number, inScope, percent, ratio, scopeParams, text, traceIdColumns, usd, windowText, type DetectorInput } from './scope.js';
import type { Finding, WindowEvidence } from './types.js';

/** Two-proportion z of the new model's share of runs, window (n1) against baseline (n2). */
const Z = (c: string) => `(${c}.to_share - ${c}.base_to_share) / nullif(sqrt(
  ((${c}.to_share * ${c}.runs + ${c}.base_to_share * ${c}.base_runs) / (${c}.runs + ${c}.base_runs))
  * (1 - (${c}.to_share * ${c}.runs + ${c}.base_to_share * ${c}.base_runs) / (${c}.runs + ${c}.base_runs))
  * (1 / ${c}.runs + 1 / ${c}.base_runs)), 0)`;

/** Sums over the baseline days before a row's day, and over the window from it (days as integers for RANGE frames). */
const BASELINE_FRAME = 'RANGE BETWEEN $baseline_days PRECEDING AND 1 PRECEDING';
const WINDOW_FRAME = 'RANGE BETWEEN CURRENT ROW AND $window_last FOLLOWING';

/*
 * Every candidate start is compared with its baseline by rolling sums over a grid of (scope, day with
 * runs, model the scope ever used) — window functions, not a join of every start with every baseline
 * day. Only the qualifying starts are then compared day by day with what follows them.
 */
const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans', { days: input.thresholds.model_escalation.baselineDays + 1 })}),
run_models AS (
  SELECT tenant, coalesce(route, $unattributed) AS route, day, trace_id, model, sum(cost_usd) AS cost
  FROM scoped WHERE is_inference GROUP BY tenant, route, day, trace_id, model
),
keyed AS (
  SELECT 'route' AS grain, CAST(NULL AS VARCHAR) AS tenant, * EXCLUDE (tenant) FROM run_models
  UNION ALL
  SELECT 'tenant', coalesce(tenant, $unattributed), * EXCLUDE (tenant) FROM run_models
),
scoped_keys AS (
  SELECT *, grain || chr(31) || coalesce(tenant, '') || chr(31) || route AS scope_key FROM keyed
),
daily_model AS (SELECT scope_key, day, model, count(*) AS runs, sum(cost) AS cost FROM scoped_keys GROUP BY ALL),
daily_runs AS (
  SELECT scope_key, day, day - DATE '1970-01-01' AS dn, count(DISTINCT trace_id) AS runs FROM scoped_keys GROUP BY ALL
),
last_day AS (SELECT max(day) AS day FROM daily_runs),
totals AS (
  SELECT scope_key, day, runs AS day_total,
         sum(runs) OVER (PARTITION BY scope_key ORDER BY dn ${BASELINE_FRAME}) AS base_total,
         sum(runs) OVER (PARTITION BY scope_key ORDER BY dn ${WINDOW_FRAME}) AS win_total
  FROM daily_runs
),
grid AS (
  SELECT r.scope_key, r.day, r.dn, m.model, coalesce(d.runs, 0) AS runs, coalesce(d.cost, 0) AS cost, r.runs AS day_total
  FROM daily_runs r
  JOIN (SELECT DISTINCT scope_key, model FROM daily_model) m USING (scope_key)
  LEFT JOIN daily_model d ON d.scope_key = r.scope_key AND d.day = r.day AND d.model = m.model
),
rolled AS (
  SELECT scope_key, day, model, runs, day_total,
         sum(runs) OVER b AS base_runs, sum(cost) OVER b AS base_cost, sum(runs) OVER w AS win_runs, sum(cost) OVER w AS win_cost
  FROM grid
  WINDOW b AS (PARTITION BY scope_key, model ORDER BY dn ${BASELINE_FRAME}),
         w AS (PARTITION BY scope_key, model ORDER BY dn ${WINDOW_FRAME})
),
shares AS (
  SELECT g.scope_key, g.day AS s, g.model, t.base_total, t.win_total, t.day_total,
         coalesce(g.base_runs, 0) / t.base_total AS base_share, g.win_runs / t.win_total AS win_share, g.runs / t.day_total AS day_share,
         CAST(CASE WHEN coalesce(g.base_runs, 0) > 0 THEN g.base_cost / g.base_runs ELSE g.win_cost / nullif(g.win_runs, 0) END AS DOUBLE) AS unit
  FROM rolled g JOIN totals t USING (scope_key, day)
  WHERE t.base_total > 0
    AND g.day >= CAST(CAST($since AS TIMESTAMP) AS DATE) AND CAST(g.day AS TIMESTAMP) < CAST($until AS TIMESTAMP)
),
first_cmp AS (
  SELECT scope_key, s, any_value(win_total) AS runs, any_value(base_total) AS base_runs,
         max(win_share - base_share) AS shift,
         sum((win_share - base_share) * win_total * unit) AS impact,
         sum(base_share * win_total * unit) AS cost_at_base,
         arg_max(model, win_share - base_share) AS to_model,
         arg_max(win_share, win_share - base_share) AS to_share, arg_max(base_share, win_share - base_share) AS base_to_share,
         max(day_share - base_share) AS day_shift,
         sum((day_share - base_share) * day_total * unit) AS day_impact
  FROM shares GROUP BY scope_key, s
),
qualified AS (
  SELECT w.scope_key, w.s, w.shift AS window_shift, w.runs AS window_runs, w.impact AS window_impact,
         w.to_share AS window_to_share, w.base_to_share AS window_base_to_share,
         w.cost_at_base AS window_cost_at_base, ${Z('w')} AS z,
         least(w.s + CAST($window_days AS INTEGER), l.day + 1) - w.s AS window_days
  FROM first_cmp w CROSS JOIN last_day l
  WHERE w.runs >= $min_runs AND w.base_runs >= $min_base_runs
    AND w.shift >= $min_shift AND w.cost_at_base > 0 AND w.impact >= $min_cost_increase * w.cost_at_base
    AND w.impact >= $min_usd_per_day * (least(w.s + CAST($window_days AS INTEGER), l.day + 1) - w.s)
    AND ${Z('w')} >= $min_z
    AND w.day_shift >= $min_shift AND w.day_impact > 0
),
mixes AS (
  SELECT sh.scope_key, sh.s,
         json_group_object(sh.model, round(sh.base_share, 4)) AS baseline_mix,
         json_group_object(sh.model, round(sh.win_share, 4)) AS window_mix
  FROM (SELECT * FROM shares WHERE base_share > 0 OR win_share > 0) sh
  SEMI JOIN qualified q ON q.scope_key = sh.scope_key AND q.s = sh.s
  GROUP BY sh.scope_key, sh.s
),
later AS (
  SELECT q.scope_key, q.s, g.day, g.model, g.runs / g.day_total AS share, sh.base_share, sh.unit, g.day_total,
         g.runs / g.day_total - sh.base_share AS delta
  FROM qualified q
  JOIN shares sh ON sh.scope_key = q.scope_key AND sh.s = q.s
  JOIN grid g ON g.scope_key = q.scope_key AND g.model = sh.model AND g.day >= q.s
),
later_cmp AS (
  SELECT scope_key, s, day, any_value(day_total) AS runs, max(delta) AS shift,
         sum(delta * day_total * unit) AS impact, sum(base_share * day_total * unit) AS cost_at_base,
         arg_max(model, delta) AS to_model, CASE WHEN min(delta) < 0 THEN arg_min(model, delta) END AS from_model,
         arg_max(share, delta) AS to_share
  FROM later GROUP BY scope_key, s, day
),
escalated_traces AS (
  SELECT l.scope_key, l.s, l.day, k.trace_id, sum(k.cost) AS cost
  FROM later l JOIN scoped_keys k ON k.scope_key = l.scope_key AND k.day = l.day AND k.model = l.model
  WHERE l.delta > 0
  GROUP BY ALL
)
SELECT c.scope_key, any_value(k.grain) AS grain, any_value(k.tenant) AS tenant, any_value(k.route) AS route,
       c.s, strftime(c.day, '%Y-%m-%d') AS day, c.runs, c.shift, c.impact, c.cost_at_base, c.to_model, c.from_model, c.to_share,
       q.window_shift, q.window_runs, q.window_impact, q.window_to_share, q.window_base_to_share, q.window_cost_at_base,
       m.window_mix, m.baseline_mix, q.z, q.window_days,
       ${windowText('c.day')} AS start, ${windowText('c.day + INTERVAL 1 DAY')} AS "end",
       ${traceIdColumns('t.trace_id', 't.cost')}
FROM later_cmp c
JOIN qualified q USING (scope_key, s)
JOIN mixes m USING (scope_key, s)
JOIN (SELECT DISTINCT scope_key, grain, tenant, route FROM scoped_keys) k USING (scope_key)
LEFT JOIN escalated_traces t ON t.scope_key = c.scope_key AND t.s = c.s AND t.day = c.day
GROUP BY ALL
ORDER BY c.scope_key, c.s, day
`;

type Row = Record<string, unknown>;

/** A mix as an object with its models in name order (the SQL aggregate's order is not stable). */
function shares(value: unknown): Record<string, number> {
  const mix = typeof value === 'string' ? (JSON.parse(value) as Record<string, number>) : {};
  return Object.fromEntries(Object.entries(mix).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One day of an incident, judged against the incident's baseline. */
function dayEvidence(row: Row): WindowEvidence {
  return {
    start: String(row.start),
    end: String(row.end),
    runs: number(row.runs),
    shift: ratio(row.shift),
    to_model_share: ratio(row.to_share),
    impact_usd: usd(row.impact),
    cost_at_baseline_mix_usd: usd(row.cost_at_base),
    trace_count: number(row.trace_count),
  };
}

/** Incidents of one scope: from each qualifying start not yet covered to the last day still moved. */
function incidentsOf(rows: readonly Row[], minShift: number): Row[][] {
  const byStart = new Map<string, Row[]>();
  for (const row of rows) byStart.set(String(row.s), [...(byStart.get(String(row.s)) ?? []), row]);
  const incidents: Row[][] = [];
  let coveredUntil = '';
  for (const [, days] of [...byStart].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const first = String(days[0]?.day ?? '');
    if (first <= coveredUntil) continue;
    const moved = days.filter((d) => number(d.shift) >= minShift && number(d.impact) > 0);
    const last = String(moved[moved.length - 1]?.day ?? first);
    incidents.push(days.filter((d) => String(d.day) <= last));
    coveredUntil = last;
  }
  return incidents;
}

function toFinding(days: readonly Row[], input: DetectorInput): Finding {
  const t = input.thresholds.model_escalation;
  const first = days[0] as Row;
  const last = days[days.length - 1] as Row;
  const impact = usd(days.reduce((sum, d) => sum + number(d.impact), 0));
  const atBaseline = days.reduce((sum, d) => sum + number(d.cost_at_base), 0);
  const shift = number(first.window_shift);
  const runs = days.reduce((sum, d) => sum + number(d.runs), 0);
  const who = first.grain === 'route' ? `route ${text(first.route)}` : `tenant ${text(first.tenant)} on route ${text(first.route)}`;
  const span = first.day === last.day ? `on ${String(first.day)}` : `${String(first.day)} – ${String(last.day)}`;
  // each day's list is its most expensive escalated traces: their union, most expensive first, is the incident's
  const traces = days
    .flatMap((d) => (Array.isArray(d.trace_ids) ? d.trace_ids.map((id, i) => ({ id: String(id), w: number((d.trace_weights as unknown[])[i]) })) : []))
    .sort((a, b) => b.w - a.w || (a.id < b.id ? -1 : 1))
    .slice(0, input.thresholds.maxTraceIds);
  return {
    kind: 'model_escalation',
    severity: shift >= t.criticalShift ? 'critical' : 'warn',
    tenant: text(first.tenant),
    route: text(first.route),
    model: text(first.to_model),
    tool: null,
    start: String(first.start),
    end: String(last.end),
    summary: `${who}: ${text(first.to_model)} went from ${percent(number(first.window_base_to_share))} to ${percent(number(first.window_to_share))} of runs${first.from_model === null ? '' : ` (from ${text(first.from_model)})`} ${span} (${runs} runs), ${formatUsd(impact)} over the cost at the baseline mix`,
    evidence: {
      impact_usd: impact,
      trace_count: days.reduce((sum, d) => sum + number(d.trace_count), 0),
      shift: ratio(shift),
      cost_increase: ratio(atBaseline > 0 ? impact / atBaseline : 0),
      cost_at_baseline_mix_usd: usd(atBaseline),
      from_model: text(first.from_model),
      baseline_mix: shares(first.baseline_mix),
      mix: shares(first.window_mix),
      z: ratio(first.z, 2),
      window_days: number(first.window_days),
      days: days.length,
      runs,
      to_model_share: ratio(first.window_to_share),
      baseline_to_model_share: ratio(first.window_base_to_share),
      by_day: days.map(dayEvidence),
    },
    trace_ids: traces.map((x) => x.id),
    traceWeights: traces.map((x) => x.w),
  };
}

export async function detectModelEscalation(input: DetectorInput): Promise<Finding[]> {
  const t = input.thresholds.model_escalation;
  const rows = await input.db.all(query(input), {
    ...scopeParams(input),
    baseline_days: t.baselineDays,
    window_days: t.windowDays,
    window_last: Math.max(0, t.windowDays - 1),
    min_runs: t.minRuns,
    min_base_runs: t.minBaselineRuns,
    min_shift: t.minShift,
    min_cost_increase: t.minCostIncrease,
    min_usd_per_day: t.minUsdPerDay,
    min_z: t.minZ,
  });
  const byScope = new Map<string, Row[]>();
  for (const row of rows) byScope.set(String(row.scope_key), [...(byScope.get(String(row.scope_key)) ?? []), row]);
  const findings = [...byScope.values()].flatMap((scopeRows) => incidentsOf(scopeRows, t.minShift).map((days) => toFinding(days, input)));
  return input.tenant === undefined ? keepBestGrain(findings) : findings;
}

/** The detector delimits its incidents; two that touch (a new baseline right after one ended) are joined here. */
export const modelEscalationIncidents: IncidentRules = {
  entity: tenantRouteEntity,
  combine(windows, impactUsd) {
    const first = windows[0];
    const days = windows.reduce((sum, w) => sum + (typeof w.evidence.days === 'number' ? w.evidence.days : 0), 0);
    const who = first?.tenant === null ? `route ${first.route ?? ''}` : `tenant ${first?.tenant ?? ''} on route ${first?.route ?? ''}`;
    return {
      summary: `${who}: runs moved to pricier models in ${windows.length} steps from ${first?.start.slice(0, 10) ?? ''}, ${formatUsd(impactUsd)} over the cost at the baseline mix`,
      evidence: { ...(first?.evidence ?? {}), days },
    };
  },
};
