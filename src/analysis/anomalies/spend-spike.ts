/**
 * spend_spike: a tenant's or a route's daily spend against its trailing baseline (default 7 days):
 * z = (day − mean) / sd, warn above `warnZ`, critical above `criticalZ` (the kill-switch level).
 * Days without spend count as $0 from the first day the tenant/route spent anything, so a quiet day
 * is part of the baseline. No finding without `baselineDays` days and `minBaselineRuns` runs of
 * baseline, nor when the baseline mean is zero (a dormant tenant waking up is not a spike).
 *
 * The sd used is the largest of: the baseline's sample sd; the noise its runs make by chance (daily
 * spend is a sum over a random number of runs — compound Poisson — whose variance is the mean over
 * baseline days of Σ run cost², so a few costly runs a day are noisier than many cheap ones); and
 * `minStddevFraction` × mean (also what a flat baseline gets). Seven days are a small sample: with
 * the sample sd alone ~2–5% of ordinary days of a Poisson-like tenant score z > 2, so by default
 * (0.75) z = 2 needs a day 2.5× its baseline and z = 4 one 4×. Only upward moves of at least
 * `minExcessUsd` count. A route's spike that one spiking tenant's traffic on that route explains
 * (half of the route's excess or more) is reported once, as the tenant's.
 */
import { INFERENCE_SPANS } from '../../pricebook/install.js';
import { formatUsd } from '../../render/money.js';
import { dayCount, daySpan, maxOf, sumOf, tenantRouteEntity, type IncidentRules } from './incidents.js';
import { number, overlapsPeriod, inScope, lookbackStart, ratio, startsBefore, scopeParams, text, traceIdColumns, traceList, usd, windowText, type DetectorInput, type Lookback } from './scope.js';
import type { Finding } from './types.js';

/**
 * Read from `baselineDays` (and a day) before --since. A tenant or route that had calls (priced
 * spans) before that has its series of days start there (its days before are not read): the
 * baselines of the period's days count the same days as when every day is read.
 */
const lookback = (input: DetectorInput): Lookback => ({ days: input.thresholds.spend_spike.baselineDays + 1 });

/** The entities (grain, tenant, route) with calls before the first day read; none when every day is read. */
function earlierEntities(input: DetectorInput): string {
  const from = lookbackStart(input, lookback(input));
  if (from === undefined) return `SELECT CAST(NULL AS VARCHAR) AS grain, CAST(NULL AS VARCHAR) AS tenant, CAST(NULL AS VARCHAR) AS route WHERE false`;
  const pairs = `SELECT DISTINCT coalesce(tenant, $unattributed) AS tenant, coalesce(route, $unattributed) AS route FROM ${INFERENCE_SPANS} s WHERE ${startsBefore(input, from)}`;
  return `WITH pairs AS (${pairs})
    SELECT DISTINCT 'tenant' AS grain, tenant, CAST(NULL AS VARCHAR) AS route FROM pairs
    UNION ALL SELECT DISTINCT 'route', NULL, route FROM pairs
    UNION ALL SELECT 'tenant_route', tenant, route FROM pairs`;
}

/** The first day of an entity's series: its first day read, or the first day read at all when it had calls before. */
function firstDay(input: DetectorInput): string {
  const from = lookbackStart(input, lookback(input));
  if (from === undefined) return 'min(d.day)';
  return `CASE WHEN any_value(e.grain) IS NOT NULL THEN least(min(d.day), CAST(${from} AS DATE)) ELSE min(d.day) END`;
}

const query = (input: DetectorInput): string => `
WITH scoped AS (${inScope(input, 'priced_spans', lookback(input))}),
earlier AS (${earlierEntities(input)}),
keyed AS (
  SELECT 'tenant' AS grain, coalesce(tenant, $unattributed) AS tenant, CAST(NULL AS VARCHAR) AS route, day, trace_id, cost_usd FROM scoped
  UNION ALL
  SELECT 'route', NULL, coalesce(route, $unattributed), day, trace_id, cost_usd FROM scoped
  UNION ALL
  SELECT 'tenant_route', coalesce(tenant, $unattributed), coalesce(route, $unattributed), day, trace_id, cost_usd FROM scoped
),
trace_day AS (SELECT grain, tenant, route, day, trace_id, sum(cost_usd) AS cost FROM keyed GROUP BY ALL),
daily AS (
  SELECT grain, tenant, route, day, sum(cost) AS spend, sum(CAST(cost AS DOUBLE) * CAST(cost AS DOUBLE)) AS spend_sq, count(*) AS runs
  FROM trace_day GROUP BY ALL
),
last_day AS (SELECT max(day) AS day FROM daily),
series AS (
  SELECT f.grain, f.tenant, f.route, CAST(g.day AS DATE) AS day, coalesce(d.spend, 0) AS spend, coalesce(d.spend_sq, 0) AS spend_sq, coalesce(d.runs, 0) AS runs
  FROM (
    SELECT d.grain, d.tenant, d.route, ${firstDay(input)} AS first_day
    FROM daily d LEFT JOIN earlier e ON e.grain = d.grain AND e.tenant IS NOT DISTINCT FROM d.tenant AND e.route IS NOT DISTINCT FROM d.route
    GROUP BY d.grain, d.tenant, d.route
  ) f
  CROSS JOIN last_day l
  CROSS JOIN LATERAL (SELECT unnest(generate_series(CAST(f.first_day AS TIMESTAMP), CAST(l.day AS TIMESTAMP), INTERVAL 1 DAY)) AS day) g
  LEFT JOIN daily d ON d.grain = f.grain AND d.tenant IS NOT DISTINCT FROM f.tenant
                   AND d.route IS NOT DISTINCT FROM f.route AND d.day = CAST(g.day AS DATE)
),
baselined AS (
  SELECT s.grain, s.tenant, s.route, s.day, s.spend,
         count(b.day) AS baseline_days,
         avg(CAST(b.spend AS DOUBLE)) AS mean,
         coalesce(stddev_samp(CAST(b.spend AS DOUBLE)), 0) AS sd,
         sqrt(avg(b.spend_sq)) AS chance_sd, sum(b.runs) AS baseline_runs
  FROM series s
  JOIN series b ON b.grain = s.grain AND b.tenant IS NOT DISTINCT FROM s.tenant AND b.route IS NOT DISTINCT FROM s.route
               AND b.day >= s.day - CAST($baseline_days AS INTEGER) AND b.day < s.day
  GROUP BY ALL
  HAVING count(b.day) >= $baseline_days AND avg(CAST(b.spend AS DOUBLE)) > 0 AND sum(b.runs) >= $min_base_runs
),
scored AS (
  SELECT *, greatest(sd, chance_sd, $min_sd_fraction * mean) AS sd_used,
         CAST(spend AS DOUBLE) - mean AS excess,
         (CAST(spend AS DOUBLE) - mean) / greatest(sd, chance_sd, $min_sd_fraction * mean) AS z
  FROM baselined
),
flagged AS (SELECT * FROM scored WHERE z > $warn_z AND excess >= $min_excess),
explained_routes AS (
  SELECT DISTINCT r.route, r.day
  FROM flagged r
  JOIN scored tr ON tr.grain = 'tenant_route' AND tr.route = r.route AND tr.day = r.day AND tr.excess >= 0.5 * r.excess
  JOIN flagged t ON t.grain = 'tenant' AND t.tenant = tr.tenant AND t.day = r.day
  WHERE r.grain = 'route'
),
spikes AS (
  SELECT f.* FROM flagged f
  WHERE f.grain <> 'tenant_route'
    AND NOT EXISTS (SELECT 1 FROM explained_routes e WHERE f.grain = 'route' AND e.route = f.route AND e.day = f.day)
    AND ${overlapsPeriod('CAST(f.day AS TIMESTAMP)', 'CAST(f.day AS TIMESTAMP) + INTERVAL 1 DAY')}
)
SELECT s.grain, s.tenant, s.route, ${windowText('s.day')} AS start, ${windowText('s.day + INTERVAL 1 DAY')} AS "end",
       s.spend, s.mean, s.sd, s.chance_sd, s.sd_used, s.z, s.baseline_days, s.baseline_runs,
       ${traceIdColumns('t.trace_id', 't.cost')}
FROM spikes s
JOIN trace_day t
  ON t.grain = s.grain AND t.tenant IS NOT DISTINCT FROM s.tenant AND t.route IS NOT DISTINCT FROM s.route AND t.day = s.day
GROUP BY ALL
`;

export async function detectSpendSpikes(input: DetectorInput): Promise<Finding[]> {
  const t = input.thresholds.spend_spike;
  const rows = await input.db.all(query(input), {
    ...scopeParams(input),
    baseline_days: t.baselineDays,
    min_sd_fraction: t.minStddevFraction,
    warn_z: t.warnZ,
    min_excess: t.minExcessUsd,
    min_base_runs: t.minBaselineRuns,
  });
  return rows.map((row): Finding => {
    const spend = usd(row.spend);
    const mean = number(row.mean);
    const z = number(row.z);
    const excess = usd(spend - mean);
    const who = row.grain === 'tenant' ? `tenant ${text(row.tenant)}` : `route ${text(row.route)}`;
    return {
      kind: 'spend_spike',
      severity: z > t.criticalZ ? 'critical' : 'warn',
      tenant: text(row.tenant),
      route: text(row.route),
      model: null,
      tool: null,
      start: String(row.start),
      end: String(row.end),
      summary: `${who} spent ${formatUsd(spend)} on ${String(row.start).slice(0, 10)}, ${formatUsd(excess)} over its ${number(row.baseline_days)}-day mean of ${formatUsd(mean)} (z=${z.toFixed(1)})`,
      evidence: {
        impact_usd: excess,
        trace_count: number(row.trace_count),
        day_usd: spend,
        baseline_mean_usd: usd(mean),
        baseline_stddev_usd: usd(row.sd),
        chance_stddev_usd: usd(row.chance_sd),
        stddev_used_usd: usd(row.sd_used),
        z: ratio(z, 2),
        baseline_days: number(row.baseline_days),
        baseline_runs: number(row.baseline_runs),
      },
      ...traceList(row),
    };
  });
}

/** Days in a row over the baseline: the spend and the excess add up; the peak z is the worst day's. */
export const spendSpikeIncidents: IncidentRules = {
  entity: tenantRouteEntity,
  combine(windows, impactUsd) {
    const first = windows[0];
    const who = first?.tenant !== null && first?.tenant !== undefined ? `tenant ${first.tenant}` : `route ${first?.route ?? ''}`;
    const spend = sumOf(windows, 'day_usd');
    const days = dayCount(windows);
    const z = maxOf(windows, 'z');
    return {
      summary: `${who} spent ${formatUsd(spend)} over ${days} days, ${daySpan(windows)}, ${formatUsd(impactUsd)} over its baseline means (peak z=${z.toFixed(1)})`,
      evidence: {
        days,
        window_usd: usd(spend),
        baseline_usd: usd(sumOf(windows, 'baseline_mean_usd')),
        z,
        baseline_mean_usd: typeof first?.evidence.baseline_mean_usd === 'number' ? first.evidence.baseline_mean_usd : 0,
        baseline_runs: typeof first?.evidence.baseline_runs === 'number' ? first.evidence.baseline_runs : 0,
      },
    };
  },
};
