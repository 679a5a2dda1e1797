/**
 * `report weekly` — margin drift over one 7-day window (an ISO week, or 7 days from --since) against
 * the 7 days before it:
 *   - cost per outcome by route: cost per run, and cost per successful run where the runs carry
 *     `<namespace>.outcome` tags (outcomes.ts), each with its week-over-week change;
 *   - model mix shift: each model's share of calls and of spend, now and before, and the shift in
 *     share points;
 *   - prompt length per route over four weeks (prompt-length.ts);
 *   - the tenants whose margin moved most (margin-drift.ts), when revenue is loaded.
 */
import type { Database } from '../../db/database.js';
import { UNATTRIBUTED } from '../../db/schema.js';
import type { CostsTotals, UnpricedModel } from '../costs.js';
import { addDays, isMonday, isoWeekOf } from './dates.js';
import { marginMoves, type MarginMove } from './margin-drift.js';
import { outcomeAttribute, outcomesByRoute } from './outcomes.js';
import { promptTrend, type PromptTrend } from './prompt-length.js';
import { hasRevenue } from './revenue.js';
import { change, costsOver, keyed, modelMix, ratioOrNull, round6, spendByDay, type DaySpend, type DayWindow, type ModelShare } from './series.js';

export const TOP_TENANTS = 10;

export interface WeeklySpec {
  /** First day of the window (a Monday for an ISO week). */
  since: string;
  timezone: string;
}

export interface RouteOutcome {
  route: string;
  runs: number;
  cost_usd: number;
  cost_per_run: number | null;
  previous_runs: number;
  previous_cost_per_run: number | null;
  cost_per_run_change: number | null;
  /** Successful runs; null when none of the route's runs (either week) carries an outcome tag. */
  successes: number | null;
  cost_per_success: number | null;
  previous_successes: number | null;
  previous_cost_per_success: number | null;
  cost_per_success_change: number | null;
}

export interface ModelShift extends ModelShare {
  previous_call_share: number;
  previous_spend_share: number;
  call_share_shift: number;
  spend_share_shift: number;
}

export interface TenantSpend {
  tenant: string;
  cost_usd: number;
  previous_usd: number;
  share: number;
}

export interface WeeklyReport {
  report: 'weekly';
  /** `YYYY-Www` when the window is an ISO week, else `since/until`. */
  week: string;
  since: string;
  until: string;
  timezone: string;
  totals: CostsTotals & { previous_usd: number; delta_pct: number | null };
  outcomes: RouteOutcome[];
  /** The tag a run's outcome is read from (`acme.outcome`); null when the data names no namespace. */
  outcome_attribute: string | null;
  model_mix: ModelShift[];
  prompt_trend: PromptTrend[];
  /** null when no revenue is loaded. */
  margin_moves: MarginMove[] | null;
  top_tenants: TenantSpend[];
  unpriced: UnpricedModel[];
  /** Spend per day over both weeks. */
  trend: DaySpend[];
}

export async function weeklyReport(db: Database, spec: WeeklySpec): Promise<WeeklyReport> {
  const week: DayWindow = { since: spec.since, until: addDays(spec.since, 7), timezone: spec.timezone };
  const before: DayWindow = { since: addDays(spec.since, -7), until: spec.since, timezone: spec.timezone };
  const byRoute = await costsOver(db, week, ['route']);
  const byTenant = await costsOver(db, week, ['tenant']);
  const previousTenants = keyed((await costsOver(db, before, ['tenant'])).rows);
  const previous = [...previousTenants.values()].reduce((sum, row) => sum + row.cost_usd, 0);
  return {
    report: 'weekly',
    week: isMonday(spec.since) ? isoWeekOf(spec.since) : `${week.since}/${week.until}`,
    since: week.since,
    until: week.until,
    timezone: spec.timezone,
    totals: { ...byRoute.totals, previous_usd: round6(previous), delta_pct: change(byRoute.totals.cost_usd, previous) },
    outcomes: await routeOutcomes(db, week, before, byRoute.rows),
    outcome_attribute: await outcomeAttribute(db),
    model_mix: await modelShifts(db, week, before),
    prompt_trend: await promptTrend(db, week),
    margin_moves: (await hasRevenue(db)) ? await marginMoves(db, week) : null,
    top_tenants: byTenant.rows
      .filter((row) => row.values[0] !== UNATTRIBUTED)
      .slice(0, TOP_TENANTS)
      .map((row) => ({ tenant: row.values[0] ?? '', cost_usd: row.cost_usd, previous_usd: previousTenants.get(row.values[0] ?? '')?.cost_usd ?? 0, share: row.share })),
    unpriced: byRoute.unpriced,
    trend: await spendByDay(db, { ...week, since: before.since }),
  };
}

type RouteRows = Awaited<ReturnType<typeof costsOver>>['rows'];

async function routeOutcomes(db: Database, week: DayWindow, before: DayWindow, rows: RouteRows): Promise<RouteOutcome[]> {
  const previous = keyed((await costsOver(db, before, ['route'])).rows);
  const outcomes = await outcomesByRoute(db, week);
  const previousOutcomes = await outcomesByRoute(db, before);
  const unitCost = (cost: number, n: number | null) => (n === null ? null : ratioOrNull(cost, n));
  const rounded = (value: number | null) => (value === null ? null : round6(value));
  const relative = (now: number | null, then: number | null) => (now === null || then === null ? null : change(now, then));
  return rows.map((row): RouteOutcome => {
    const route = row.values[0] ?? '';
    const then = previous.get(route);
    const tagged = (outcomes.get(route)?.tagged ?? 0) + (previousOutcomes.get(route)?.tagged ?? 0) > 0;
    const successes = tagged ? outcomes.get(route)?.successes ?? 0 : null;
    const previousSuccesses = tagged ? previousOutcomes.get(route)?.successes ?? 0 : null;
    const perRun = rounded(ratioOrNull(row.cost_usd, row.runs));
    const previousPerRun = then ? rounded(ratioOrNull(then.cost_usd, then.runs)) : null;
    const perSuccess = rounded(unitCost(row.cost_usd, successes));
    const previousPerSuccess = rounded(unitCost(then?.cost_usd ?? 0, previousSuccesses));
    return {
      route,
      runs: row.runs,
      cost_usd: row.cost_usd,
      cost_per_run: perRun,
      previous_runs: then?.runs ?? 0,
      previous_cost_per_run: previousPerRun,
      cost_per_run_change: relative(perRun, previousPerRun),
      successes,
      cost_per_success: perSuccess,
      previous_successes: previousSuccesses,
      previous_cost_per_success: previousPerSuccess,
      cost_per_success_change: relative(perSuccess, previousPerSuccess),
    };
  });
}

async function modelShifts(db: Database, week: DayWindow, before: DayWindow): Promise<ModelShift[]> {
  const now = await modelMix(db, week);
  const then = new Map((await modelMix(db, before)).map((m) => [m.model, m]));
  const gone = [...then.values()].filter((m) => !now.some((n) => n.model === m.model))
    .map((m): ModelShare => ({ model: m.model, calls: 0, call_share: 0, cost_usd: 0, spend_share: 0 }));
  return [...now, ...gone].map((m) => {
    const old = then.get(m.model);
    return {
      ...m,
      previous_call_share: old?.call_share ?? 0,
      previous_spend_share: old?.spend_share ?? 0,
      call_share_shift: round6(m.call_share - (old?.call_share ?? 0)),
      spend_share_shift: round6(m.spend_share - (old?.spend_share ?? 0)),
    };
  });
}
