/**
 * prompt_bloat: a route's prompt-layer tokens per call up `minGrowth`+ week over week (ISO weeks,
 * Monday start, in --timezone), with at least `minCalls` calls in both weeks. Prompt tokens are the
 * harness's `prompt_tokens` layer counter; a call without layer counters counts its total input
 * (uncached + cache read + cache writes), since that is what its prompt cost. The money at stake is
 * the part of the week's input-side cost the growth explains: input cost × (now − before) / now.
 * Calls are summed per trace only in the weeks that grew (a semi-join), for their trace lists.
 */
import { exactUsdSql } from '../../db/money.js';
import { formatUsd } from '../../render/money.js';
import { daySpan, maxOf, sumOf, tenantRouteEntity, type IncidentRules } from './incidents.js';
import { number, overlapsPeriod, inScope, percent, ratio, scopeParams, text, traceIdColumns, traceList, usd, windowText, type DetectorInput } from './scope.js';
import type { Finding } from './types.js';

const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans', 'previous_week')}),
calls AS (
  SELECT coalesce(route, $unattributed) AS route, date_trunc('week', local_time) AS week, trace_id, model,
         coalesce(prompt_tokens, total_input_tokens) AS prompt,
         cost_input + cost_cache_read + cost_cache_write_5m + cost_cache_write_1h AS input_cost
  FROM scoped
),
weekly AS (
  SELECT route, week, count(*) AS calls, avg(prompt) AS avg_prompt, sum(input_cost) AS input_cost,
         list(DISTINCT model ORDER BY model) AS models
  FROM calls GROUP BY route, week
),
grown AS (
  SELECT w.*, p.calls AS base_calls, p.avg_prompt AS base_avg, w.avg_prompt / p.avg_prompt - 1 AS growth
  FROM weekly w JOIN weekly p ON p.route = w.route AND p.week = w.week - INTERVAL 7 DAY
  WHERE w.calls >= $min_calls AND p.calls >= $min_calls AND p.avg_prompt > 0
    AND w.avg_prompt / p.avg_prompt - 1 >= $min_growth
    AND ${overlapsPeriod('w.week', 'w.week + INTERVAL 7 DAY')}
)
SELECT g.route, g.calls, g.base_calls, g.avg_prompt, g.base_avg, g.growth, g.models,
       ${exactUsdSql('g.input_cost * (g.avg_prompt - g.base_avg) / g.avg_prompt')} AS impact,
       ${windowText('g.week')} AS start, ${windowText('g.week + INTERVAL 7 DAY')} AS "end",
       ${traceIdColumns('t.trace_id', 't.prompt')}
FROM grown g
JOIN (
  SELECT c.route, c.week, c.trace_id, sum(c.prompt) AS prompt
  FROM calls c SEMI JOIN grown w ON w.route = c.route AND w.week = c.week GROUP BY ALL
) t ON t.route = g.route AND t.week = g.week
GROUP BY ALL
`;

export async function detectPromptBloat(input: DetectorInput): Promise<Finding[]> {
  const t = input.thresholds.prompt_bloat;
  const rows = await input.db.all(query(input), { ...scopeParams(input), min_calls: t.minCalls, min_growth: t.minGrowth });
  return rows.map((row): Finding => {
    const growth = number(row.growth);
    const impact = usd(row.impact);
    const models = Array.isArray(row.models) ? row.models : [];
    return {
      kind: 'prompt_bloat',
      severity: growth >= t.criticalGrowth ? 'critical' : 'warn',
      tenant: null,
      route: text(row.route),
      model: models.length === 1 ? String(models[0]) : null,
      tool: null,
      start: String(row.start),
      end: String(row.end),
      summary: `route ${text(row.route)}: prompt tokens per call up ${percent(growth)} week over week (${Math.round(number(row.base_avg))} → ${Math.round(number(row.avg_prompt))}) in the week of ${String(row.start).slice(0, 10)}, ${formatUsd(impact)} of extra input cost`,
      evidence: {
        impact_usd: impact,
        trace_count: number(row.trace_count),
        growth: ratio(growth),
        prompt_tokens_per_call: ratio(row.avg_prompt, 1),
        baseline_prompt_tokens_per_call: ratio(row.base_avg, 1),
        calls: number(row.calls),
        baseline_calls: number(row.base_calls),
      },
      ...traceList(row),
    };
  });
}

/** Growth week after week: the incident compares its last week with the week before its first. */
export const promptBloatIncidents: IncidentRules = {
  entity: tenantRouteEntity,
  combine(windows, impactUsd) {
    const first = windows[0];
    const last = windows[windows.length - 1];
    const before = typeof first?.evidence.baseline_prompt_tokens_per_call === 'number' ? first.evidence.baseline_prompt_tokens_per_call : 0;
    const now = typeof last?.evidence.prompt_tokens_per_call === 'number' ? last.evidence.prompt_tokens_per_call : 0;
    const growth = before > 0 ? now / before - 1 : 0;
    return {
      summary: `route ${first?.route ?? ''}: prompt tokens per call up ${percent(growth)} over ${windows.length} weeks (${Math.round(before)} → ${Math.round(now)}), ${daySpan(windows)}, ${formatUsd(impactUsd)} of extra input cost`,
      evidence: {
        weeks: windows.length,
        growth: ratio(growth),
        max_weekly_growth: maxOf(windows, 'growth'),
        prompt_tokens_per_call: now,
        baseline_prompt_tokens_per_call: before,
        calls: sumOf(windows, 'calls'),
        baseline_calls: typeof first?.evidence.baseline_calls === 'number' ? first.evidence.baseline_calls : 0,
      },
    };
  },
};
