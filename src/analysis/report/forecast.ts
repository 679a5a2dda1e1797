/**
 * Month-end spend forecast: a least-squares line (simple-statistics `linearRegression`) through the
 * month's daily spend so far — day of month as x, USD as y, every day from the 1st to the last day
 * with data, days without spend as $0 — extended over the remaining days (a day's projection never
 * goes below $0). Forecast = spend to date + projected remaining. With one day of data the line is
 * flat at that day's spend. Against a budget: the forecast's excess (or headroom).
 */
import { linearRegression, rSquared } from 'simple-statistics';
import { formatSignedUsd } from '../../render/money.js';
import type { DaySpend } from './series.js';
import { round6 } from './series.js';

export interface Forecast {
  method: 'linear_regression';
  days_used: number;
  first_day: string | null;
  last_day: string | null;
  days_in_month: number;
  remaining_days: number;
  slope_usd_per_day: number;
  intercept_usd: number;
  /** Goodness of fit; null when it is undefined (fewer than 2 days, or every day the same). */
  r_squared: number | null;
  actual_to_date_usd: number;
  projected_remaining_usd: number;
  forecast_usd: number;
  budget_usd: number | null;
  /** forecast − budget: positive is over budget. */
  over_budget_usd: number | null;
  /** forecast ÷ budget. */
  budget_share: number | null;
  /** One sentence on how the line was fitted. */
  fitted: string;
}

/** `series` holds the month's days from the 1st to the last day with data (in order); `daysInMonth` the month's length. */
export function forecastMonth(series: readonly DaySpend[], daysInMonth: number, budget: number | null): Forecast {
  const points = series.map((d, i): [number, number] => [i + 1, d.cost_usd]);
  const n = points.length;
  const line = n >= 2 ? linearRegression(points) : { m: 0, b: points[0]?.[1] ?? 0 };
  const r2 = n >= 2 ? rSquared(points, (x) => line.b + line.m * x) : NaN;
  const actual = round6(series.reduce((sum, d) => sum + d.cost_usd, 0));
  let projected = 0;
  for (let x = n + 1; x <= daysInMonth; x++) projected += Math.max(0, line.b + line.m * x);
  projected = round6(projected);
  const forecast = round6(actual + projected);
  const remaining = Math.max(0, daysInMonth - n);
  const rSq = Number.isFinite(r2) ? Math.round(r2 * 1e4) / 1e4 : null;
  return {
    method: 'linear_regression',
    days_used: n,
    first_day: series[0]?.day ?? null,
    last_day: series[n - 1]?.day ?? null,
    days_in_month: daysInMonth,
    remaining_days: remaining,
    slope_usd_per_day: round6(line.m),
    intercept_usd: round6(line.b),
    r_squared: rSq,
    actual_to_date_usd: actual,
    projected_remaining_usd: projected,
    forecast_usd: forecast,
    budget_usd: budget,
    over_budget_usd: budget === null ? null : round6(forecast - budget),
    budget_share: budget === null || budget === 0 ? null : Math.round((forecast / budget) * 1e4) / 1e4,
    fitted: fittedSentence(n, series, line.m, rSq, remaining),
  };
}

function fittedSentence(n: number, series: readonly DaySpend[], slope: number, r2: number | null, remaining: number): string {
  if (n === 0) return 'no spend in the month yet: nothing to fit';
  const days = `${n} day${n === 1 ? '' : 's'} (${series[0]?.day ?? ''} to ${series[n - 1]?.day ?? ''})`;
  const fit = n < 2
    ? `one day of data: flat at that day's spend`
    : `least-squares line through daily spend over ${days}: slope ${formatSignedUsd(slope)}/day, r² ${r2 === null ? 'undefined (flat spend)' : r2.toFixed(2)}`;
  return remaining === 0 ? `${fit}; the month is complete, so the forecast is the actual spend` : `${fit}; extended over the ${remaining} remaining day${remaining === 1 ? '' : 's'}`;
}
