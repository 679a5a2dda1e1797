/**
 * memory_runaway: memory-layer tokens (`memory_tokens`: history, retrieved docs, scratchpad) growing
 * within a session beyond its route's normal. A session is a conversation (`conversation_id`), else
 * a trace; its turns are its inference calls with a memory counter, in time order. A session runs
 * away when memory rose on at least `minRisingTurns` turns AND its peak per call exceeds the route's
 * p95 of session peaks × `p95Multiplier` (or the absolute `budgetTokens`, when set). A long session
 * whose memory stays bounded (summarised history) is normal, however many turns it has. Routes need
 * `minSessions` sessions with counters for a p95. One finding per tenant, route and start day; the
 * money at stake is the cost of the runaway sessions (their turns alone summed per trace: a semi-join).
 */
import { formatUsd } from '../../render/money.js';
import { dayCount, daySpan, maxOf, sumOf, tenantRouteEntity, type IncidentRules } from './incidents.js';
import { number, overlapsPeriod, inScope, ratio, scopeParams, text, traceIdColumns, traceList, usd, windowText, type DetectorInput } from './scope.js';
import type { Finding } from './types.js';

const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans')}),
turns AS (
  SELECT coalesce(conversation_id, trace_id) AS session, trace_id, tenant, route, local_time, memory_tokens, cost_usd, model,
         memory_tokens > lag(memory_tokens) OVER (PARTITION BY coalesce(conversation_id, trace_id) ORDER BY local_time, span_id) AS rising
  FROM scoped WHERE memory_tokens IS NOT NULL
),
sessions AS (
  SELECT session, coalesce(min(tenant), $unattributed) AS tenant, coalesce(min(route), $unattributed) AS route,
         min(local_time) AS first_turn, max(local_time) AS last_turn, count(*) AS turns,
         max(memory_tokens) AS peak, count(*) FILTER (WHERE rising) AS rising_turns, sum(cost_usd) AS cost
  FROM turns GROUP BY session
),
route_norm AS (
  SELECT route, count(*) AS route_sessions, quantile_cont(peak, 0.95) AS p95
  FROM sessions GROUP BY route HAVING count(*) >= $min_sessions
),
runaway AS (
  SELECT s.*, n.p95, n.route_sessions, CAST(s.first_turn AS DATE) AS day
  FROM sessions s JOIN route_norm n USING (route)
  WHERE s.rising_turns >= $min_rising
    AND (s.peak > n.p95 * $multiplier OR ($budget >= 0 AND s.peak > $budget))
),
grouped AS (
  SELECT tenant, route, day, count(*) AS sessions, max(peak) AS peak, any_value(p95) AS p95,
         any_value(route_sessions) AS route_sessions, max(turns) AS max_turns, max(rising_turns) AS max_rising_turns,
         sum(cost) AS cost, max(CAST(last_turn AS DATE)) AS last_day
  FROM runaway GROUP BY tenant, route, day
)
SELECT g.*, list_sort(list_distinct(list(t.model))) AS models,
       ${windowText('g.day')} AS start, ${windowText('g.last_day + INTERVAL 1 DAY')} AS "end",
       ${traceIdColumns('t.trace_id', 't.trace_cost')}
FROM grouped g
JOIN runaway r ON r.tenant = g.tenant AND r.route = g.route AND r.day = g.day
JOIN (
  SELECT session, trace_id, any_value(model) AS model, sum(cost_usd) AS trace_cost
  FROM turns SEMI JOIN runaway USING (session) GROUP BY session, trace_id
) t
  ON t.session = r.session
WHERE ${overlapsPeriod('CAST(g.day AS TIMESTAMP)', 'CAST(g.last_day AS TIMESTAMP) + INTERVAL 1 DAY')}
GROUP BY ALL
`;

export async function detectMemoryRunaway(input: DetectorInput): Promise<Finding[]> {
  const t = input.thresholds.memory_runaway;
  const rows = await input.db.all(query(input), {
    ...scopeParams(input),
    min_sessions: t.minSessions,
    min_rising: t.minRisingTurns,
    multiplier: t.p95Multiplier,
    budget: t.budgetTokens ?? -1,
  });
  return rows.map((row): Finding => {
    const cost = usd(row.cost);
    const peak = number(row.peak);
    const p95 = number(row.p95);
    const sessions = number(row.sessions);
    const models = Array.isArray(row.models) ? row.models : [];
    return {
      kind: 'memory_runaway',
      severity: peak >= p95 * t.criticalMultiplier ? 'critical' : 'warn',
      tenant: text(row.tenant),
      route: text(row.route),
      model: models.length === 1 ? String(models[0]) : null,
      tool: null,
      start: String(row.start),
      end: String(row.end),
      summary: `tenant ${text(row.tenant)} on route ${text(row.route)}: ${sessions} session${sessions === 1 ? '' : 's'} grew memory to ${Math.round(peak)} tokens per call (route p95 ${Math.round(p95)}) from ${String(row.start).slice(0, 10)}, costing ${formatUsd(cost)}`,
      evidence: {
        impact_usd: cost,
        trace_count: number(row.trace_count),
        sessions,
        peak_memory_tokens: peak,
        route_p95_memory_tokens: ratio(p95, 1),
        peak_over_p95: ratio(p95 > 0 ? peak / p95 : 0, 2),
        max_turns: number(row.max_turns),
        max_rising_turns: number(row.max_rising_turns),
        route_sessions: number(row.route_sessions),
      },
      ...traceList(row),
    };
  });
}

export const memoryRunawayIncidents: IncidentRules = {
  entity: tenantRouteEntity,
  combine(windows, impactUsd) {
    const first = windows[0];
    const sessions = sumOf(windows, 'sessions');
    const peak = maxOf(windows, 'peak_memory_tokens');
    const p95 = maxOf(windows, 'route_p95_memory_tokens');
    return {
      summary: `tenant ${first?.tenant ?? ''} on route ${first?.route ?? ''}: ${sessions} sessions grew memory to ${Math.round(peak)} tokens per call (route p95 ${Math.round(p95)}) on ${dayCount(windows)} days, ${daySpan(windows)}, costing ${formatUsd(impactUsd)}`,
      evidence: {
        days: dayCount(windows),
        sessions,
        peak_memory_tokens: peak,
        route_p95_memory_tokens: p95,
        peak_over_p95: ratio(p95 > 0 ? peak / p95 : 0, 2),
        max_turns: maxOf(windows, 'max_turns'),
        max_rising_turns: maxOf(windows, 'max_rising_turns'),
        route_sessions: maxOf(windows, 'route_sessions'),
      },
    };
  },
};
