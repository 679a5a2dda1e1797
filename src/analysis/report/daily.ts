/**
 * `report daily` — the anomaly surface of one day (in --timezone):
 *   - the top 10 tenants by spend, each with its previous-day spend and the change;
 *   - routes whose spend z-score against the trailing 7 days is over 2: z = (day − mean) / sd over
 *     the 7 days before, days without spend counting as $0, sd the sample standard deviation; a
 *     route with a flat baseline (sd = 0) has no z and is not listed;
 *   - tenants and routes whose cache hit rate (cache read / all input, costs.ts) is under 40%;
 *   - the anomaly findings whose window overlaps the day (detectAnomalies, baselines look back);
 *   - what could not be priced and what has no tenant, from the costs totals.
 * Tenant-less spend is not a tenant: it is left out of the top-10 list and reported on its own.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import type { Database } from '../../db/database.js';
import { UNATTRIBUTED } from '../../db/schema.js';
import { detectAnomalies, type Anomaly, type AnomalyThresholds } from '../anomalies/index.js';
import type { CostsRow, CostsTotals, UnpricedModel } from '../costs.js';
import { addDays, daysBetween } from './dates.js';
import { change, costsOver, keyed, modelMix, round6, spendByDay, type DaySpend, type ModelShare } from './series.js';

export const TOP_TENANTS = 10;
export const SPIKE_Z = 2;
export const BASELINE_DAYS = 7;
export const LOW_CACHE_HIT_RATE = 0.4;

export interface DailySpec {
  day: string;
  timezone: string;
  thresholds: AnomalyThresholds;
}

export interface TenantDay {
  tenant: string;
  cost_usd: number;
  previous_usd: number;
  delta_usd: number;
  /** Relative change; null when the tenant spent nothing the day before. */
  delta_pct: number | null;
  runs: number;
  share: number;
}

export interface RouteSpike {
  route: string;
  cost_usd: number;
  baseline_mean_usd: number;
  baseline_sd_usd: number;
  z: number;
}

export interface LowCache {
  grain: 'tenant' | 'route';
  name: string;
  cache_hit_rate: number;
  cost_usd: number;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
}

export interface DailyReport {
  report: 'daily';
  day: string;
  timezone: string;
  totals: CostsTotals & { previous_usd: number; delta_usd: number; delta_pct: number | null; runs: number; tenants: number };
  top_tenants: TenantDay[];
  route_spikes: RouteSpike[];
  low_cache: LowCache[];
  anomalies: Anomaly[];
  unpriced: UnpricedModel[];
  /** Spend per day over the baseline week and the day itself. */
  trend: DaySpend[];
  model_mix: ModelShare[];
}

export async function dailyReport(db: Database, spec: DailySpec): Promise<DailyReport> {
  const { timezone } = spec;
  const today = { since: spec.day, until: addDays(spec.day, 1), timezone };
  const yesterday = { since: addDays(spec.day, -1), until: spec.day, timezone };
  const byTenant = await costsOver(db, today, ['tenant']);
  const before = keyed((await costsOver(db, yesterday, ['tenant'])).rows);
  const byRoute = await costsOver(db, today, ['route']);
  const routeDays = await costsOver(db, { ...today, since: addDays(spec.day, -BASELINE_DAYS) }, ['route', 'day']);
  const trend = await spendByDay(db, { ...today, since: addDays(spec.day, -BASELINE_DAYS) });
  const { anomalies } = await detectAnomalies(db, {
    period: { since: today.since, until: today.until, timezone }, kinds: [], minUsd: 0, thresholds: spec.thresholds,
  });
  const previous = [...before.values()].reduce((sum, row) => sum + row.cost_usd, 0);
  const tenants = byTenant.rows.filter((row) => row.values[0] !== UNATTRIBUTED);
  return {
    report: 'daily',
    day: spec.day,
    timezone,
    totals: {
      ...byTenant.totals,
      previous_usd: round6(previous),
      delta_usd: round6(byTenant.totals.cost_usd - previous),
      delta_pct: change(byTenant.totals.cost_usd, previous),
      runs: await runsOf(db, today),
      tenants: tenants.length,
    },
    top_tenants: tenants.slice(0, TOP_TENANTS).map((row) => tenantDay(row, before.get(row.values[0] ?? '')?.cost_usd ?? 0)),
    route_spikes: routeSpikes(routeDays.rows, spec.day),
    low_cache: [...lowCache('tenant', byTenant.rows), ...lowCache('route', byRoute.rows)],
    anomalies,
    unpriced: byTenant.unpriced,
    trend,
    model_mix: await modelMix(db, today),
  };
}

/** Runs are traces, not additive across tenants (a trace may touch several): counted on the whole day. */
async function runsOf(db: Database, window: { since: string; until: string; timezone: string }): Promise<number> {
  return (await costsOver(db, window, ['day'])).rows[0]?.runs ?? 0;
}

function tenantDay(row: CostsRow, previous: number): TenantDay {
  return {
    tenant: row.values[0] ?? '',
    cost_usd: row.cost_usd,
    previous_usd: previous,
    delta_usd: round6(row.cost_usd - previous),
    delta_pct: change(row.cost_usd, previous),
    runs: row.runs,
    share: row.share,
  };
}

/** Routes over the z threshold, largest z first (then name). `rows` are route × day over the baseline week and the day. */
export function routeSpikes(rows: readonly CostsRow[], day: string): RouteSpike[] {
  const baselineDays = daysBetween(addDays(day, -BASELINE_DAYS), day);
  const spend = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const [route = '', rowDay = ''] = row.values;
    const days = spend.get(route) ?? new Map<string, number>();
    days.set(rowDay, row.cost_usd);
    spend.set(route, days);
  }
  const spikes: RouteSpike[] = [];
  for (const [route, days] of spend) {
    const cost = days.get(day) ?? 0;
    const baseline = baselineDays.map((d) => days.get(d) ?? 0);
    const sd = sampleStandardDeviation(baseline);
    if (sd === 0) continue;
    const avg = mean(baseline);
    const z = (cost - avg) / sd;
    if (z > SPIKE_Z) spikes.push({ route, cost_usd: cost, baseline_mean_usd: round6(avg), baseline_sd_usd: round6(sd), z: Math.round(z * 100) / 100 });
  }
  return spikes.sort((a, b) => b.z - a.z || (a.route < b.route ? -1 : a.route > b.route ? 1 : 0));
}

function lowCache(grain: LowCache['grain'], rows: readonly CostsRow[]): LowCache[] {
  return rows
    .filter((row) => row.cache_hit_rate !== null && row.cache_hit_rate < LOW_CACHE_HIT_RATE)
    .map((row) => ({
      grain,
      name: row.values[0] ?? '',
      cache_hit_rate: row.cache_hit_rate ?? 0,
      cost_usd: row.cost_usd,
      input_tokens: row.input_tokens,
      cache_read_tokens: row.cache_read_tokens,
      cache_write_tokens: row.cache_write_tokens,
    }));
}
