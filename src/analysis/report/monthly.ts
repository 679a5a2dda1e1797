/**
 * `report monthly` — the leadership roll-up of one month:
 *   - per-tenant profitability and segments (margins.ts; UTC months, as the data model says);
 *   - cohort unit economics by plan and by first month seen (cohorts.ts);
 *   - cache economics over every span of the month (cache-economics.ts, scope `all`);
 *   - the month-end spend forecast against the budget (forecast.ts);
 *   - the top cost drivers: route × model groups by spend, with last month's spend beside them;
 *   - spend per day and the model mix, for the charts;
 *   - the invoice: the month's reconciliation per provider, by cause, against the tolerance
 *     (month-close.ts; says so when no invoice line is in the month).
 * The forecast is fitted through the days up to the last day with data in the whole database, so a
 * month that is over is forecast at its actual spend and a month in progress is extended.
 */
import type { Database } from '../../db/database.js';
import { num } from '../../db/values.js';
import { cacheEconomics, type CacheEconomics } from '../cache-economics.js';
import { costTotals, type CostsTotals, type UnpricedModel } from '../costs.js';
import { tenantMargins, type MarginSegment } from '../margins.js';
import { withReconcileRelations } from '../reconcile-lines.js';
import { rollupRelation } from '../cost-rollup.js';
import { tenantCohorts, type Cohort } from './cohorts.js';
import { daysBetween, monthBounds, previousMonth } from './dates.js';
import { forecastMonth, type Forecast } from './forecast.js';
import { DEFAULT_TOLERANCE, monthClose, type MonthClose } from './month-close.js';
import { change, groupKey, keyed, modelMix, periodOfWindow, round6, spendByDay, spendOver, type DaySpend, type DayWindow, type ModelShare } from './series.js';

export const TOP_DRIVERS = 10;

export interface MonthlySpec {
  month: string;
  timezone: string;
  /** The month's spend budget (USD), when a budget file names it. */
  budget: number | null;
  /** Unexplained invoice variance accepted, as a share of the invoice (default DEFAULT_TOLERANCE). */
  tolerance?: number | undefined;
}

export interface MonthlyTenant {
  tenant: string;
  plan: string;
  first_month: string;
  segment: MarginSegment;
  revenue_usd: number;
  cost_usd: number;
  margin: number | null;
  runs: number;
}

export interface MonthlySegment {
  segment: MarginSegment;
  tenants: number;
  revenue_usd: number;
  cost_usd: number;
  margin: number | null;
}

export interface CostDriver {
  route: string;
  model: string;
  cost_usd: number;
  share: number;
  runs: number;
  previous_usd: number;
  delta_usd: number;
}

export interface MonthlyReport {
  report: 'monthly';
  month: string;
  timezone: string;
  totals: CostsTotals & { previous_usd: number; delta_pct: number | null };
  portfolio: { revenue_usd: number; cost_usd: number; margin: number | null; unattributed_usd: number };
  /** Most spend first. */
  tenants: MonthlyTenant[];
  segments: MonthlySegment[];
  cohorts: Cohort[];
  cache: CacheEconomics;
  forecast: Forecast;
  drivers: CostDriver[];
  model_mix: ModelShare[];
  unpriced: UnpricedModel[];
  /** Spend per day of the month, up to the last day with data. */
  trend: DaySpend[];
  /** The invoice beside the attribution (UTC month). */
  reconcile: MonthClose;
}

export async function monthlyReport(db: Database, spec: MonthlySpec): Promise<MonthlyReport> {
  const bounds = monthBounds(spec.month);
  const window: DayWindow = { ...bounds, timezone: spec.timezone };
  const previous: DayWindow = { ...monthBounds(previousMonth(spec.month)), timezone: spec.timezone };
  const drivers = await spendOver(db, window, ['route', 'model'], TOP_DRIVERS);
  const { totals, unpriced } = await costTotals(db, { period: periodOfWindow(window) });
  const previousDrivers = keyed(await spendOver(db, previous, ['route', 'model']));
  const previousTotal = (await costTotals(db, { period: periodOfWindow(previous) })).totals.cost_usd;
  const margins = await tenantMargins(db, { month: spec.month });
  const { members, cohorts } = await tenantCohorts(db, spec.month);
  const days = await spendByDay(db, window);
  // cache economics and the invoice over the same span days of the UTC month
  const close = await withReconcileRelations(db, { since: bounds.since, until: bounds.until, timezone: 'UTC' }, async (relations) => ({
    cache: await cacheEconomics(db, relations, 'all'),
    reconcile: await monthClose(db, relations, spec.month, spec.tolerance ?? DEFAULT_TOLERANCE),
  }));
  const observed = days.slice(0, observedDays(days, await lastDataDay(db, spec.timezone)));
  return {
    report: 'monthly',
    month: spec.month,
    timezone: spec.timezone,
    totals: { ...totals, previous_usd: previousTotal, delta_pct: change(totals.cost_usd, previousTotal) },
    portfolio: {
      revenue_usd: num(margins.portfolio.revenue_usd),
      cost_usd: num(margins.portfolio.cost_usd),
      margin: margins.portfolio.margin,
      unattributed_usd: num(margins.unattributed_usd),
    },
    tenants: margins.tenants
      .map((t): MonthlyTenant => ({
        tenant: t.tenant,
        plan: members.get(t.tenant)?.plan ?? 'no_revenue',
        first_month: members.get(t.tenant)?.first_month ?? 'no spans',
        segment: t.segment,
        revenue_usd: num(t.revenue_usd),
        cost_usd: num(t.cost_usd),
        margin: t.margin === null ? null : Math.round(t.margin * 1e4) / 1e4,
        runs: t.runs,
      }))
      .sort((a, b) => b.cost_usd - a.cost_usd || (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0)),
    segments: margins.segments.map((s) => ({ segment: s.segment, tenants: s.tenants, revenue_usd: num(s.revenue_usd), cost_usd: num(s.cost_usd), margin: s.margin })),
    cohorts,
    cache: close.cache,
    forecast: forecastMonth(observed, daysBetween(bounds.since, bounds.until).length, spec.budget),
    drivers: drivers.slice(0, TOP_DRIVERS).map((row): CostDriver => {
      const before = previousDrivers.get(groupKey(row.values))?.cost_usd ?? 0;
      return {
        route: row.values[0] ?? '',
        model: row.values[1] ?? '',
        cost_usd: row.cost_usd,
        share: row.share,
        runs: row.runs ?? 0,
        previous_usd: before,
        delta_usd: round6(row.cost_usd - before),
      };
    }),
    model_mix: await modelMix(db, window),
    unpriced,
    trend: observed,
    reconcile: close.reconcile,
  };
}

/**
 * The day of the latest span in the database (in the time zone), or null when there is none: the
 * latest roll-up slot's, which is the same day (a quarter hour lies within one local day).
 */
async function lastDataDay(db: Database, timezone: string): Promise<string | null> {
  const base = await rollupRelation(db, { period: { since: undefined, until: undefined, timezone } }, { pricing: false });
  const row = await db.one<{ day: string | null }>(`WITH base AS (${base.sql}) SELECT strftime(max(local_time), '%Y-%m-%d') AS day FROM base`, base.params);
  return row?.day ?? null;
}

/** How many of the month's days have happened by the last day with data. */
function observedDays(days: readonly DaySpend[], lastDay: string | null): number {
  if (lastDay === null) return 0;
  const index = days.findIndex((d) => d.day === lastDay);
  if (index >= 0) return index + 1;
  return (days[0]?.day ?? '') < lastDay ? days.length : 0;
}
