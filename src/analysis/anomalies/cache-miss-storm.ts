/**
 * cache_miss_storm: a route's (or one tenant's on a route) cache hit rate — cache-read tokens over
 * total input tokens, on calls whose source reports cache counts — falling against its OWN trailing
 * normal: the pooled rate of its previous `baselineDays` days (with `minBaselineCalls` calls). Many
 * real routes never reach a "healthy" 70% (short prompts, low traffic, OpenAI's prefix rules), so a
 * storm is relative: a day with `minDayCalls` calls whose rate is under `maxShareOfBaseline` of that
 * normal AND at least `minDrop` below it (a route at 50% falling to 5% is a storm; one at 12% falling
 * to 5% is noise). On a day that does not qualify as a whole, the hours with `minHourCalls` calls
 * that do make one window spanning them.
 *
 * Two passes: days the first pass flags are left out of the baseline of the second, so the second
 * and later days of a long storm are judged against the normal before it, not against the storm.
 * The money at stake is what the lost hits cost: (baseline rate − rate) × the window's input tokens
 * × (input rate − cache-read rate).
 */
import { formatUsd } from '../../render/money.js';
import { keepBestGrain } from './grains.js';
import { dayCount, daySpan, maxOf, minOf, sumOf, tenantRouteEntity, type IncidentRules } from './incidents.js';
import { number, inScope, percent, ratio, scopeParams, text, traceIdColumns, traceList, usd, windowText, type DetectorInput } from './scope.js';
import type { Finding } from './types.js';

const SAME_KEY = (a: string, b: string) =>
  `${a}.grain = ${b}.grain AND ${a}.tenant IS NOT DISTINCT FROM ${b}.tenant AND ${a}.route = ${b}.route`;

/** Under half its own normal, and by enough points. */
const STORM = (rate: string, base: string) => `(${rate} < ${base} * $max_share AND ${base} - ${rate} >= $min_drop)`;

/** Days joined to their trailing baseline days (`extra` filters the baseline rows). */
const BASELINE_JOIN = (extra: string) => `
  FROM daily d JOIN daily b ON ${SAME_KEY('b', 'd')} AND b.day >= d.day - CAST($baseline_days AS INTEGER) AND b.day < d.day ${extra}
  GROUP BY d.grain, d.tenant, d.route, d.day, d.calls, d.reads, d.input
  HAVING sum(b.calls) >= $min_base_calls AND sum(b.input) > 0`;

const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans', { days: 2 * input.thresholds.cache_miss_storm.baselineDays + 1 })}),
calls AS (
  SELECT tenant, coalesce(route, $unattributed) AS route, day, date_trunc('hour', local_time) AS hour, local_time,
         trace_id, model, cost_usd, cache_read_tokens AS reads, total_input_tokens AS input,
         total_input_tokens * (coalesce(rate_input, 0) - coalesce(rate_cache_read, 0)) AS miss_premium
  FROM scoped WHERE has_cache_counts
),
keyed AS (
  SELECT 'route' AS grain, CAST(NULL AS VARCHAR) AS tenant, * EXCLUDE (tenant) FROM calls
  UNION ALL
  SELECT 'tenant', coalesce(tenant, $unattributed), * EXCLUDE (tenant) FROM calls
),
daily AS (
  SELECT grain, tenant, route, day, count(*) AS calls, sum(reads) AS reads, sum(input) AS input
  FROM keyed GROUP BY ALL
),
first_pass AS (
  SELECT d.grain, d.tenant, d.route, d.day, d.calls, d.reads, d.input, sum(b.reads) / sum(b.input) AS base_rate
  ${BASELINE_JOIN('')}
),
rough_storms AS (
  SELECT grain, tenant, route, day FROM first_pass
  WHERE calls >= $min_day_calls AND input > 0 AND ${STORM('reads / input', 'base_rate')}
),
baselined AS (
  SELECT d.grain, d.tenant, d.route, d.day, d.calls, d.reads, d.input,
         sum(b.calls) AS base_calls, sum(b.reads) / sum(b.input) AS base_rate
  ${BASELINE_JOIN(`AND NOT EXISTS (SELECT 1 FROM rough_storms r WHERE ${SAME_KEY('r', 'b')} AND r.day = b.day)`)}
),
day_storms AS (
  SELECT grain, tenant, route, day, CAST(day AS TIMESTAMP) AS ws, CAST(day AS TIMESTAMP) + INTERVAL 1 DAY AS we,
         base_rate, base_calls, 'day' AS resolution
  FROM baselined WHERE calls >= $min_day_calls AND input > 0 AND ${STORM('reads / input', 'base_rate')}
),
storm_hours AS (
  SELECT h.grain, h.tenant, h.route, h.day, h.hour, b.base_rate, b.base_calls
  FROM (SELECT grain, tenant, route, day, hour, count(*) AS calls, sum(reads) AS reads, sum(input) AS input FROM keyed GROUP BY ALL) h
  JOIN baselined b ON ${SAME_KEY('b', 'h')} AND b.day = h.day
  WHERE h.calls >= $min_hour_calls AND h.input > 0 AND ${STORM('h.reads / h.input', 'b.base_rate')}
    AND NOT EXISTS (SELECT 1 FROM day_storms d WHERE ${SAME_KEY('d', 'h')} AND d.day = h.day)
),
storms AS (
  SELECT * FROM day_storms
  UNION ALL
  SELECT grain, tenant, route, day, min(hour), max(hour) + INTERVAL 1 HOUR, any_value(base_rate), any_value(base_calls), 'hour'
  FROM storm_hours GROUP BY grain, tenant, route, day
),
storm_calls AS (
  SELECT s.grain, s.tenant, s.route, s.ws, s.we, s.resolution, s.base_rate, s.base_calls,
         k.trace_id, k.model, k.reads, k.input, k.miss_premium, k.cost_usd
  FROM storms s JOIN keyed k ON ${SAME_KEY('k', 's')} AND k.local_time >= s.ws AND k.local_time < s.we
  WHERE s.we > CAST($since AS TIMESTAMP) AND s.ws < CAST($until AS TIMESTAMP)
),
stats AS (
  SELECT grain, tenant, route, ws, we, resolution, base_rate, base_calls, count(*) AS calls,
         sum(reads) AS reads, sum(input) AS input, sum(miss_premium) AS premium,
         list_sort(list_distinct(list(model))) AS models
  FROM storm_calls GROUP BY grain, tenant, route, ws, we, resolution, base_rate, base_calls
),
storm_traces AS (
  SELECT grain, tenant, route, ws, trace_id, sum(cost_usd) AS cost FROM storm_calls GROUP BY ALL
)
SELECT st.grain, st.tenant, st.route, st.resolution, st.base_rate, st.base_calls, st.calls, st.reads, st.input,
       st.reads / st.input AS rate, st.premium, st.models,
       ${windowText('st.ws')} AS start, ${windowText('st.we')} AS "end",
       ${traceIdColumns('t.trace_id', 't.cost')}
FROM stats st JOIN storm_traces t ON ${SAME_KEY('t', 'st')} AND t.ws = st.ws
GROUP BY ALL
`;

export async function detectCacheMissStorms(input: DetectorInput): Promise<Finding[]> {
  const t = input.thresholds.cache_miss_storm;
  const rows = await input.db.all(query(input), {
    ...scopeParams(input),
    baseline_days: t.baselineDays,
    min_base_calls: t.minBaselineCalls,
    min_day_calls: t.minDayCalls,
    min_hour_calls: t.minHourCalls,
    max_share: t.maxShareOfBaseline,
    min_drop: t.minDrop,
  });
  const findings = rows.map((row): Finding => {
    const rate = number(row.rate);
    const baseRate = number(row.base_rate);
    const impact = usd(number(row.premium) * Math.max(0, baseRate - rate));
    const models = Array.isArray(row.models) ? row.models : [];
    const who = row.grain === 'route' ? `route ${text(row.route)}` : `tenant ${text(row.tenant)} on route ${text(row.route)}`;
    const when = row.resolution === 'day' ? `on ${String(row.start).slice(0, 10)}` : `${String(row.start).replace('T', ' ').slice(0, 16)}–${String(row.end).slice(11, 16)}`;
    return {
      kind: 'cache_miss_storm',
      severity: rate < baseRate * t.criticalShareOfBaseline ? 'critical' : 'warn',
      tenant: text(row.tenant),
      route: text(row.route),
      model: models.length === 1 ? String(models[0]) : null,
      tool: null,
      start: String(row.start),
      end: String(row.end),
      summary: `${who}: cache hit rate fell to ${percent(rate)} from its own ${percent(baseRate)} normal ${when}, ${formatUsd(impact)} of lost cache savings`,
      evidence: {
        impact_usd: impact,
        trace_count: number(row.trace_count),
        hit_rate: ratio(rate),
        baseline_hit_rate: ratio(baseRate),
        calls: number(row.calls),
        baseline_calls: number(row.base_calls),
        cache_read_tokens: number(row.reads),
        input_tokens: number(row.input),
        resolution: String(row.resolution),
      },
      ...traceList(row),
    };
  });
  return input.tenant === undefined ? keepBestGrain(findings) : findings;
}

/** A storm over several days: the pooled hit rate of its days against the normal before its first. */
export const cacheMissStormIncidents: IncidentRules = {
  entity: tenantRouteEntity,
  combine(windows, impactUsd) {
    const first = windows[0];
    const reads = sumOf(windows, 'cache_read_tokens');
    const inputTokens = sumOf(windows, 'input_tokens');
    const rate = inputTokens > 0 ? reads / inputTokens : 0;
    const baseRate = typeof first?.evidence.baseline_hit_rate === 'number' ? first.evidence.baseline_hit_rate : 0;
    const who = first?.tenant === null ? `route ${first.route ?? ''}` : `tenant ${first?.tenant ?? ''} on route ${first?.route ?? ''}`;
    return {
      summary: `${who}: cache hit rate fell to ${percent(rate)} from its own ${percent(baseRate)} normal over ${dayCount(windows)} days, ${daySpan(windows)}, ${formatUsd(impactUsd)} of lost cache savings`,
      evidence: {
        days: dayCount(windows),
        hit_rate: ratio(rate),
        lowest_hit_rate: minOf(windows, 'hit_rate'),
        baseline_hit_rate: baseRate,
        calls: sumOf(windows, 'calls'),
        baseline_calls: maxOf(windows, 'baseline_calls'),
        cache_read_tokens: reads,
        input_tokens: inputTokens,
      },
    };
  },
};
