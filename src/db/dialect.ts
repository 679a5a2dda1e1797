/**
 * The few SQL constructs where DuckDB and ClickHouse differ, written once per engine. Analyses that
 * run on both (`costs`, `reconcile`, `audit`) build one SQL text with these and otherwise keep to
 * what both engines read the same way (CTEs, FILTER clauses, windows, CASE, exact DECIMAL(38,15)).
 * Everything else in the codebase is DuckDB-only and uses the DuckDB forms directly.
 */
import { quoteLiteral } from './quote.js';

export interface Dialect {
  readonly name: 'duckdb' | 'clickhouse';
  /** An exact decimal as text with all `scale` digits (ClickHouse's cast to String drops trailing zeros). */
  decimalText(expr: string, scale: number): string;
  /** A timestamp or date as text, in strftime codes (%Y %m %d %H %M %S). */
  strftime(expr: string, format: string): string;
  /** The start of the `minutes`-long bucket a timestamp falls in, buckets aligned on the hour. */
  timeBucket(minutes: number, expr: string): string;
  /** A timestamp as milliseconds since the Unix epoch. */
  epochMs(expr: string): string;
  /** A UTC timestamp as the wall-clock time in time zone `tz` (an SQL expression), for buckets and display. */
  atZone(expr: string, tz: string): string;
  /** A wall-clock timestamp in time zone `tz` as the UTC instant it names. */
  fromZone(expr: string, tz: string): string;
  /** Aggregate: a group's non-NULL values of `expr`, ascending, as an array (for `quantileOf`). */
  sortedValues(expr: string): string;
  /** The p-quantile of a `sortedValues` array, in exact decimals (see `exactQuantile`); NULL when it is empty. */
  quantileOf(sorted: string, p: number): string;
  /** Every match of an RE2 pattern replaced. */
  replaceAll(expr: string, pattern: string, replacement: string): string;
  /** The distinct non-NULL values of a group, sorted, joined by `separator`; NULL when there are none. */
  distinctList(expr: string, separator: string): string;
}

export const DUCKDB: Dialect = {
  name: 'duckdb',
  decimalText: (expr) => `${expr}::VARCHAR`,
  strftime: (expr, format) => `strftime(${expr}, ${quoteLiteral(format)})`,
  timeBucket: (minutes, expr) => `time_bucket(INTERVAL ${minutes} MINUTE, ${expr})`,
  epochMs: (expr) => `epoch_ms(${expr})`,
  atZone: (expr, tz) => `timezone(${tz}, ${expr} AT TIME ZONE 'UTC')`,
  fromZone: (expr, tz) => `timezone('UTC', timezone(${tz}, ${expr}))`,
  sortedValues: (expr) => `coalesce(list(${expr} ORDER BY ${expr}) FILTER (WHERE ${expr} IS NOT NULL), [])`,
  quantileOf: (sorted, p) => exactQuantile(sorted, decimalP(p, 'DECIMAL(7, 6)')),
  replaceAll: (expr, pattern, replacement) => `regexp_replace(${expr}, ${quoteLiteral(pattern)}, ${quoteLiteral(replacement)}, 'g')`,
  distinctList: (expr, separator) => `string_agg(DISTINCT ${expr}, ${quoteLiteral(separator)} ORDER BY ${expr})`,
};

/** ClickHouse string literals read backslash escapes: a pattern's backslashes are doubled. */
const chLiteral = (text: string): string => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** A quantile's p as an exact decimal (both engines would read a bare 0.95 as a double). */
function decimalP(p: number, type: string): string {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`quantile ${p}: expected 0 ≤ p ≤ 1`);
  return `CAST(${quoteLiteral(String(p))} AS ${type})`;
}

/**
 * The p-quantile of an ascending array by linear interpolation between the closest ranks
 * (h = (n − 1)·p, the definition of DuckDB's quantile_cont), written out in exact decimals: both
 * engines' own functions interpolate in Float64 (DuckDB's quantile_cont on decimals too), which
 * moves a value lying on a half micro-dollar to either side of it, so the rounded percentile
 * depended on the engine and the row count. Arrays are 1-based on both.
 */
function exactQuantile(sorted: string, p: string): string {
  const n = `length(${sorted})`;
  const h = `((${n} - 1) * ${p})`;
  const lo = `CAST(floor(${h}) AS BIGINT)`;
  const at = (offset: number): string => `${sorted}[${lo} + ${offset}]`;
  return `CASE WHEN ${n} = 0 THEN NULL WHEN ${h} = floor(${h}) THEN ${at(1)} ELSE ${at(1)} + (${h} - floor(${h})) * (${at(2)} - ${at(1)}) END`;
}

export const CLICKHOUSE: Dialect = {
  name: 'clickhouse',
  decimalText: (expr, scale) => `toDecimalString(${expr}, ${scale})`,
  // formatDateTime's minutes are %i (its %M is the month's name)
  strftime: (expr, format) => `formatDateTime(${expr}, ${chLiteral(format.replaceAll('%M', '%i'))})`,
  timeBucket: (minutes, expr) => `toStartOfInterval(${expr}, INTERVAL ${minutes} MINUTE)`,
  epochMs: (expr) => `toUnixTimestamp64Milli(toDateTime64(${expr}, 3))`,
  // a DateTime carries its zone: the same instant, read (formatted, bucketed) in `tz`
  atZone: (expr, tz) => `toTimeZone(${expr}, ${tz})`,
  fromZone: (expr, tz) => `toDateTime64(toString(${expr}), 6, ${tz})`,
  sortedValues: (expr) => `arraySort(groupArray(${expr}))`,
  quantileOf: (sorted, p) => exactQuantile(sorted, decimalP(p, 'Decimal64(6)')),
  replaceAll: (expr, pattern, replacement) => `replaceRegexpAll(${expr}, ${chLiteral(pattern)}, ${chLiteral(replacement)})`,
  distinctList: (expr, separator) => `nullIf(arrayStringConcat(arraySort(groupUniqArray(${expr})), ${chLiteral(separator)}), '')`,
};

/** A bound value as a ClickHouse literal (the ClickHouse engine inlines `$name` parameters). */
export function clickhouseLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return chLiteral(String(value));
}
