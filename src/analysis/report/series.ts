/**
 * The attribution cuts every report shares: cuts with per-run figures through `attributeCosts`
 * (costs.ts), and those that need only spend per group through `spendByGroup` (group-spend.ts, the
 * same figures without the per-run step): spend per day over a window (days without spend are $0,
 * so a trend has no gaps), a cut's rows keyed by value, and the model mix (share of calls and of
 * spend per model).
 */
import { attributeCosts, type CostsResult } from '../costs.js';
import type { Dimension } from '../dimensions.js';
import { spendByGroup, type GroupSpend, type RowDimension } from '../group-spend.js';
import type { Database } from '../../db/database.js';
import type { Period } from '../period.js';
import { daysBetween } from './dates.js';

/** A window of whole days in a time zone: since inclusive, until exclusive. */
export interface DayWindow {
  since: string;
  until: string;
  timezone: string;
}

export interface DaySpend {
  day: string;
  cost_usd: number;
}

export interface ModelShare {
  model: string;
  calls: number;
  call_share: number;
  cost_usd: number;
  spend_share: number;
}

export function periodOfWindow(window: DayWindow): Period {
  return { since: window.since, until: window.until, timezone: window.timezone };
}

export function costsOver(db: Database, window: DayWindow, by: Dimension[]): Promise<CostsResult> {
  return attributeCosts(db, { by, filter: { period: periodOfWindow(window) } });
}

/** Spend per group of a cut over the window, runs counted for the first `runsOf` groups (group-spend.ts). */
export function spendOver(db: Database, window: DayWindow, by: RowDimension[], runsOf = 0): Promise<GroupSpend[]> {
  return spendByGroup(db, { period: periodOfWindow(window) }, by, runsOf);
}

/** A row's dimension values as one key: the value itself for a one-dimension cut. */
export function groupKey(values: readonly string[]): string {
  return values.join('\u001f');
}

/** Rows of a cut, keyed by `groupKey` of their dimension values. */
export function keyed<Row extends { values: string[] }>(rows: readonly Row[]): Map<string, Row> {
  return new Map(rows.map((row) => [groupKey(row.values), row]));
}

export async function spendByDay(db: Database, window: DayWindow): Promise<DaySpend[]> {
  const byDay = keyed(await spendOver(db, window, ['day']));
  return daysBetween(window.since, window.until).map((day) => ({ day, cost_usd: byDay.get(day)?.cost_usd ?? 0 }));
}

export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** a / b, or null when b is 0 (a share or a unit cost of nothing is unknown, not 0). */
export function ratioOrNull(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

/** Relative change (0.25 = +25%); null without a base to compare with. */
export function change(now: number, before: number): number | null {
  return before === 0 ? null : round6(now / before - 1);
}

export async function modelMix(db: Database, window: DayWindow): Promise<ModelShare[]> {
  const rows = await spendOver(db, window, ['model']);
  const calls = rows.reduce((sum, row) => sum + row.spans, 0);
  return rows.map((row) => ({
    model: row.values[0] ?? '',
    calls: row.spans,
    call_share: calls === 0 ? 0 : round6(row.spans / calls),
    cost_usd: row.cost_usd,
    spend_share: row.share,
  }));
}
