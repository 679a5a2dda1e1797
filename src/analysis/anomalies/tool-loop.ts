/**
 * tool_loop: the same tool called with nearly identical arguments `minRepeats`+ times in one trace,
 * summed per tenant and day, so a loop bug in one integration is one finding with its count and cost.
 *
 * "Nearly identical" (the similarity rule): two calls' arguments are compared after JSON
 * normalisation — parsed, flattened to (path, value) leaves, sorted by path (so key order does not
 * matter) — and after masking the values that change on every retry: UUIDs → `<uuid>`, ISO dates and
 * timestamps → `<time>`, every number (also inside strings) → `<n>`, text lower-cased and whitespace
 * collapsed. Arguments that are not valid JSON are compared as masked text. Only traces that call one
 * tool `minRepeats`+ times at all are normalised. The money at stake is the whole cost of the looping traces.
 * Only the looping traces and their tenants' days are priced and summed (semi-joins), not every span;
 * with --since, only the traces with a tool call in the period are normalised (a trace whose calls all
 * came before it has its first loop there too, outside the period), with every call they made.
 */
import { formatUsd } from '../../render/money.js';
import { dayCount, daySpan, maxOf, sumOf, type IncidentRules } from './incidents.js';
import { lookbackStart, number, overlapsPeriod, inScope, ratio, scopeParams, text, traceIdColumns, traceList, usd, windowText, type DetectorInput } from './scope.js';
import type { Finding } from './types.js';

const mask = (expr: string): string => String.raw`regexp_replace(regexp_replace(regexp_replace(regexp_replace(lower(${expr}),
    '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', '<uuid>', 'g'),
    '\d{4}-\d{2}-\d{2}([t ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(z|[+-]\d{2}:?\d{2})?)?', '<time>', 'g'),
    '-?\d+(\.\d+)?(e[-+]?\d+)?', '<n>', 'g'),
    '\s+', ' ', 'g')`;

/** `from`: the start of --since (local time), when given: the traces with a call from then on are the only candidates. */
const query = (input: DetectorInput, from: string | undefined): string => `
WITH all_spans AS (${inScope(input, 'spans')}),
priced AS (${inScope(input, 'priced_spans')}),
tool_calls AS (
  SELECT trace_id, span_id, tool_name, coalesce(tool_arguments, 'null') AS arguments, local_time
  FROM all_spans WHERE tool_name IS NOT NULL
),
candidates AS (
  SELECT c.* FROM tool_calls c
  JOIN (SELECT trace_id, tool_name FROM tool_calls GROUP BY ALL HAVING count(*) >= $min_repeats) k USING (trace_id, tool_name)
  ${from === undefined ? '' : `WHERE c.trace_id IN (SELECT trace_id FROM tool_calls WHERE local_time >= ${from})`}
),
json_calls AS (SELECT * FROM candidates WHERE json_valid(arguments)),
signatures AS (
  SELECT c.trace_id, c.span_id, c.tool_name, c.local_time,
         string_agg(j.fullkey || '=' || CASE WHEN j.atom IS NULL THEN j.type ELSE ${mask('CAST(j.atom AS VARCHAR)')} END,
                    chr(31) ORDER BY j.fullkey) AS signature
  FROM json_calls c, json_tree(c.arguments) j
  GROUP BY ALL
  UNION ALL
  SELECT trace_id, span_id, tool_name, local_time, 'text:' || ${mask('arguments')} FROM candidates WHERE NOT json_valid(arguments)
),
loops AS (
  SELECT trace_id, tool_name, count(*) AS repeats, min(local_time) AS first_call
  FROM signatures GROUP BY trace_id, tool_name, signature HAVING count(*) >= $min_repeats
),
trace_tags AS (
  SELECT trace_id, min(tenant) AS tenant, min(route) AS route
  FROM all_spans WHERE trace_id IN (SELECT trace_id FROM loops) GROUP BY trace_id
),
looping_traces AS (
  SELECT l.trace_id, sum(l.repeats) AS loop_calls, max(l.repeats) AS max_repeats, list(DISTINCT l.tool_name) AS tools,
         CAST(min(l.first_call) AS DATE) AS day, any_value(g.tenant) AS tenant, any_value(g.route) AS route
  FROM loops l JOIN trace_tags g USING (trace_id) GROUP BY l.trace_id
),
trace_cost AS (
  SELECT trace_id, sum(cost_usd) AS cost, list(DISTINCT model) AS models
  FROM priced SEMI JOIN looping_traces l USING (trace_id) GROUP BY trace_id
),
tenant_day AS (
  SELECT coalesce(p.tenant, $unattributed) AS tenant, p.day, sum(p.cost_usd) AS spend
  FROM priced p SEMI JOIN looping_traces l ON coalesce(l.tenant, $unattributed) = coalesce(p.tenant, $unattributed) AND l.day = p.day
  GROUP BY ALL
)
SELECT coalesce(lt.tenant, $unattributed) AS tenant, lt.day,
       CASE WHEN count(DISTINCT lt.route) = 1 AND count(lt.route) = count(*) THEN min(lt.route) END AS route,
       list_sort(list_distinct(flatten(list(lt.tools)))) AS tools,
       list_sort(list_distinct(flatten(list(coalesce(tc.models, []))))) AS models,
       count(*) AS looping_traces, sum(lt.loop_calls) AS loop_calls, max(lt.max_repeats) AS max_repeats,
       coalesce(sum(tc.cost), 0) AS cost, any_value(td.spend) AS tenant_day_spend,
       ${windowText('lt.day')} AS start, ${windowText('lt.day + INTERVAL 1 DAY')} AS "end",
       ${traceIdColumns('lt.trace_id', 'coalesce(tc.cost, 0)')}
FROM looping_traces lt
LEFT JOIN trace_cost tc USING (trace_id)
LEFT JOIN tenant_day td ON td.tenant = coalesce(lt.tenant, $unattributed) AND td.day = lt.day
WHERE ${overlapsPeriod('CAST(lt.day AS TIMESTAMP)', 'CAST(lt.day AS TIMESTAMP) + INTERVAL 1 DAY')}
GROUP BY coalesce(lt.tenant, $unattributed), lt.day
`;

function single(value: unknown): string | null {
  return Array.isArray(value) && value.length === 1 ? String(value[0]) : null;
}

export async function detectToolLoops(input: DetectorInput): Promise<Finding[]> {
  const t = input.thresholds.tool_loop;
  const rows = await input.db.all(query(input, lookbackStart(input, { days: 0 })), { ...scopeParams(input), min_repeats: t.minRepeats });
  return rows.map((row): Finding => {
    const cost = usd(row.cost);
    const daySpend = number(row.tenant_day_spend);
    const share = daySpend > 0 ? number(row.cost) / daySpend : 0;
    const tools = Array.isArray(row.tools) ? row.tools.map(String) : [];
    const traces = number(row.looping_traces);
    return {
      kind: 'tool_loop',
      severity: share >= t.criticalShare ? 'critical' : 'warn',
      tenant: text(row.tenant),
      route: text(row.route),
      model: single(row.models),
      tool: single(tools),
      start: String(row.start),
      end: String(row.end),
      summary: `tenant ${text(row.tenant)}: ${traces} trace${traces === 1 ? '' : 's'} looped on ${tools.join(', ')} (up to ${number(row.max_repeats)} near-identical calls) on ${String(row.start).slice(0, 10)}, costing ${formatUsd(cost)}`,
      evidence: {
        impact_usd: cost,
        trace_count: number(row.trace_count),
        looping_traces: traces,
        loop_calls: number(row.loop_calls),
        max_repeats: number(row.max_repeats),
        tools,
        tenant_day_usd: usd(daySpend),
        share_of_tenant_day: ratio(share),
      },
      ...traceList(row),
    };
  });
}

/** A loop is the tenant's bug whichever of its routes it shows on; over several days the counts add up. */
export const toolLoopIncidents: IncidentRules = {
  entity: (f) => JSON.stringify([f.tenant]),
  combine(windows, impactUsd) {
    const tools = [...new Set(windows.flatMap((w) => (Array.isArray(w.evidence.tools) ? w.evidence.tools.map(String) : [])))].sort();
    const traces = sumOf(windows, 'looping_traces');
    const tenantSpend = sumOf(windows, 'tenant_day_usd');
    const days = dayCount(windows);
    return {
      summary: `tenant ${windows[0]?.tenant ?? ''}: ${traces} traces looped on ${tools.join(', ')} (up to ${maxOf(windows, 'max_repeats')} near-identical calls) on ${days} days, ${daySpan(windows)}, costing ${formatUsd(impactUsd)}`,
      evidence: {
        days,
        looping_traces: traces,
        loop_calls: sumOf(windows, 'loop_calls'),
        max_repeats: maxOf(windows, 'max_repeats'),
        tools,
        tenant_day_usd: usd(tenantSpend),
        share_of_tenant_day: ratio(tenantSpend > 0 ? impactUsd / tenantSpend : 0),
      },
    };
  },
};
