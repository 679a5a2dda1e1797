/**
 * What every detector shares: the scoped spans relation (baselines may look back before --since,
 * nothing after --until), the bound parameters for it, and turning a detector's result rows into
 * findings (windows as local wall-clock text, money rounded, trace ids capped).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { Database } from '../../db/database.js';
import { UNATTRIBUTED } from '../../db/schema.js';
import { roundUsd } from '../../render/money.js';
import type { Period } from '../period.js';
import { checkTimezone } from '../span-filter.js';
import type { AnomalyThresholds } from './types.js';

export interface DetectorInput {
  db: Database;
  period: Period;
  thresholds: AnomalyThresholds;
  /** Set when only one tenant's findings are wanted: per-tenant findings are then kept over route-wide ones. */
  tenant?: string | undefined;
}

/** Far-away bounds stand in for an open --since/--until so every query binds the same parameters. */
const OPEN_SINCE = '0001-01-01';
const OPEN_UNTIL = '9999-12-31';

/** `$since`, `$until`, `$unattributed`, `$max_ids` (and `$tz` outside UTC): bound by every detector query. */
export function scopeParams(input: DetectorInput): Record<string, DuckDBValue> {
  checkTimezone(input.period.timezone);
  return {
    ...(isUtc(input) ? {} : { tz: input.period.timezone }),
    since: input.period.since ?? OPEN_SINCE,
    until: input.period.until ?? OPEN_UNTIL,
    unattributed: UNATTRIBUTED,
    max_ids: input.thresholds.maxTraceIds,
  };
}

function isUtc(input: DetectorInput): boolean {
  return input.period.timezone === 'UTC';
}

/**
 * How far before --since a detector's verdicts on the period's days read: `days` whole days (its
 * baselines), or back to the start of the week before --since's week (week over week).
 */
export type Lookback = { days: number } | 'previous_week';

/** The first local time a detector reads, as SQL (a local TIMESTAMP): undefined without --since (it reads from the start). */
export function lookbackStart(input: DetectorInput, lookback: Lookback | undefined): string | undefined {
  if (lookback === undefined || input.period.since === undefined) return undefined;
  const since = 'CAST($since AS TIMESTAMP)';
  return lookback === 'previous_week'
    ? `date_trunc('week', ${since}) - INTERVAL 7 DAY`
    : `${since} - INTERVAL ${Math.ceil(lookback.days)} DAY`;
}

/** A local TIMESTAMP expression as the UTC instant `start_time` is stored in. */
function utcOf(input: DetectorInput, local: string): string {
  return isUtc(input) ? local : `timezone('UTC', timezone($tz, ${local}))`;
}

/** Spans that start before `local` (a local TIMESTAMP expression), as a condition on `start_time`. */
export function startsBefore(input: DetectorInput, local: string): string {
  return `start_time < ${utcOf(input, local)}`;
}

/**
 * Spans up to --until and, when --since is set and the detector says how far its baselines look
 * back (`lookback`), from that far before --since — a range on `start_time` DuckDB prunes row groups
 * with (zone maps) — with `local_time` and the `day` it falls on in --timezone. In UTC (the
 * default) no per-row conversion is made: it costs more than the rest of a query.
 */
export function inScope(input: DetectorInput, table: 'priced_spans' | 'spans', lookback?: Lookback): string {
  const local = isUtc(input) ? 'start_time' : `timezone($tz, start_time AT TIME ZONE 'UTC')`;
  const from = lookbackStart(input, lookback);
  const after = from === undefined ? '' : ` AND start_time >= ${utcOf(input, from)}`;
  return `SELECT *, ${local} AS local_time, CAST(${local} AS DATE) AS day FROM ${table} WHERE ${startsBefore(input, 'CAST($until AS TIMESTAMP)')}${after}`;
}

/** A finding is reported when its window overlaps [--since, --until). */
export function overlapsPeriod(start: string, end: string): string {
  return `${end} > CAST($since AS TIMESTAMP) AND ${start} < CAST($until AS TIMESTAMP)`;
}

/** A window bound as the text findings carry. */
export function windowText(expr: string): string {
  return `strftime(CAST(${expr} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S')`;
}

/**
 * The capped, most-expensive-first trace id list, the weights (costs) beside it, and the full count,
 * from rows of one trace each (aggregate per trace first: a trace's calls would list it twice).
 */
export function traceIdColumns(traceId: string, cost: string): string {
  return `list_slice(list(${traceId} ORDER BY ${cost} DESC, ${traceId}), 1, $max_ids) AS trace_ids,
          list_slice(list(CAST(${cost} AS DOUBLE) ORDER BY ${cost} DESC, ${traceId}), 1, $max_ids) AS trace_weights,
          count(DISTINCT ${traceId}) AS trace_count`;
}

export function text(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function number(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

/** Money in JSON: USD rounded to 6 decimals (DECIMAL text exactly, as given). */
export function usd(value: unknown): number {
  return roundUsd(typeof value === 'string' ? value : number(value));
}

export function ratio(value: unknown, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(number(value) * f) / f;
}

export function traceIds(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** `trace_ids` and `traceWeights` of a finding from a row made with `traceIdColumns`. */
export function traceList(row: Record<string, unknown>): { trace_ids: string[]; traceWeights: number[] } {
  return { trace_ids: traceIds(row.trace_ids), traceWeights: Array.isArray(row.trace_weights) ? row.trace_weights.map(number) : [] };
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
