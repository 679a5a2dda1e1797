/**
 * cache_miss_storm: a route's (or one tenant's on a route) cache hit rate — cache-read tokens over
 * total input tokens, on calls whose source reports cache counts — falling from a healthy trailing
 * baseline (≥ `healthyRate` over `baselineDays`) to under `stormRate` in a day with `minDayCalls`
 * calls; on a day that does not qualify as a whole, the hours with `minHourCalls` calls and a hit
 * rate under `stormRate` make one finding spanning them. The money at stake is what the lost hits
 * cost: (baseline rate − rate) × the window's input tokens × (input rate − cache-read rate).
 */
import { keepBestGrain } from './grains.js';
import { formatUsd } from '../../render/money.js';
import { number, inScope, percent, ratio, scopeParams, text, traceIdColumns, traceIds, usd, windowText, type DetectorInput } from './scope.js';
import type { Anomaly } from './types.js';

const SAME_KEY = (a: string, b: string) =>
  `${a}.grain = ${b}.grain AND ${a}.tenant IS NOT DISTINCT FROM ${b}.tenant AND ${a}.route = ${b}.route`;

const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans')}),
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
baselined AS (
  SELECT d.grain, d.tenant, d.route, d.day, d.calls, d.reads, d.input,
         sum(b.calls) AS base_calls, sum(b.reads) / nullif(sum(b.input), 0) AS base_rate
  FROM daily d JOIN daily b ON ${SAME_KEY('b', 'd')}
                            AND b.day >= d.day - CAST($baseline_days AS INTEGER) AND b.day < d.day
  GROUP BY ALL
  HAVING sum(b.calls) >= $min_base_calls AND sum(b.reads) / nullif(sum(b.input), 0) >= $healthy_rate
),
day_storms AS (
  SELECT grain, tenant, route, day, CAST(day AS TIMESTAMP) AS ws, CAST(day AS TIMESTAMP) + INTERVAL 1 DAY AS we,
         base_rate, base_calls, 'day' AS resolution
  FROM baselined WHERE calls >= $min_day_calls AND input > 0 AND reads / input < $storm_rate
),
storm_hours AS (
  SELECT h.grain, h.tenant, h.route, h.day, h.hour, b.base_rate, b.base_calls
  FROM (SELECT grain, tenant, route, day, hour, count(*) AS calls, sum(reads) AS reads, sum(input) AS input FROM keyed GROUP BY ALL) h
  JOIN baselined b ON ${SAME_KEY('b', 'h')} AND b.day = h.day
  WHERE h.calls >= $min_hour_calls AND h.input > 0 AND h.reads / h.input < $storm_rate
    AND NOT EXISTS (SELECT 1 FROM day_storms d WHERE ${SAME_KEY('d', 'h')} AND d.day = h.day)
),
storms AS (
  SELECT * FROM day_storms
  UNION ALL
  SELECT grain, tenant, route, day, min(hour), max(hour) + INTERVAL 1 HOUR, any_value(base_rate), any_value(base_calls), 'hour'
  FROM storm_hours GROUP BY grain, tenant, route, day
)
SELECT s.grain, s.tenant, s.route, s.resolution, s.base_rate, s.base_calls,
       count(*) AS calls, sum(k.reads) / sum(k.input) AS rate, sum(k.miss_premium) AS premium,
       list_sort(list_distinct(list(k.model))) AS models,
       ${windowText('s.ws')} AS start, ${windowText('s.we')} AS "end",
       ${traceIdColumns('k.trace_id', 'k.cost_usd')}
FROM storms s
JOIN keyed k ON ${SAME_KEY('k', 's')} AND k.local_time >= s.ws AND k.local_time < s.we
WHERE s.we > CAST($since AS TIMESTAMP) AND s.ws < CAST($until AS TIMESTAMP)
GROUP BY ALL
`;

export async function detectCacheMissStorms(input: DetectorInput): Promise<Anomaly[]> {
  const t = input.thresholds.cache_miss_storm;
  const rows = await input.db.all(query(input), {
    ...scopeParams(input),
    baseline_days: t.baselineDays,
    min_base_calls: t.minBaselineCalls,
    healthy_rate: t.healthyRate,
    min_day_calls: t.minDayCalls,
    min_hour_calls: t.minHourCalls,
    storm_rate: t.stormRate,
  });
  const findings = rows.map((row): Anomaly => {
    const rate = number(row.rate);
    const baseRate = number(row.base_rate);
    const impact = usd(number(row.premium) * Math.max(0, baseRate - rate));
    const models = Array.isArray(row.models) ? row.models : [];
    const who = row.grain === 'route' ? `route ${text(row.route)}` : `tenant ${text(row.tenant)} on route ${text(row.route)}`;
    const when = row.resolution === 'day' ? `on ${String(row.start).slice(0, 10)}` : `${String(row.start).replace('T', ' ').slice(0, 16)}–${String(row.end).slice(11, 16)}`;
    return {
      kind: 'cache_miss_storm',
      severity: rate < t.criticalRate ? 'critical' : 'warn',
      tenant: text(row.tenant),
      route: text(row.route),
      model: models.length === 1 ? String(models[0]) : null,
      tool: null,
      start: String(row.start),
      end: String(row.end),
      summary: `${who}: cache hit rate fell to ${percent(rate)} from a ${percent(baseRate)} baseline ${when}, ${formatUsd(impact)} of lost cache savings`,
      evidence: {
        impact_usd: impact,
        trace_count: number(row.trace_count),
        hit_rate: ratio(rate),
        baseline_hit_rate: ratio(baseRate),
        calls: number(row.calls),
        baseline_calls: number(row.base_calls),
        resolution: String(row.resolution),
      },
      trace_ids: traceIds(row.trace_ids),
    };
  });
  return input.tenant === undefined ? keepBestGrain(findings) : findings;
}
