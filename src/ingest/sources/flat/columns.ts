/**
 * How a flat table's source column becomes a raw column: as text (what every reader's rows go
 * through, and what the shared validator parses), or, when the reader already typed it as an
 * integer or a timestamp the normaliser would read the same from its text, as the raw column's
 * typed twin (RAW_NUMBER_COLUMNS), with the text kept only for values the twin cannot hold.
 */
import { quoteIdent } from '../../../db/quote.js';
import { RAW_NUMBER_COLUMNS, type RawColumn } from '../../spans/raw-table.js';

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);
const TIMESTAMP_TYPES = new Set(['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE']);
const TIME_COLUMNS: ReadonlySet<RawColumn> = new Set(['start_time', 'end_time']);
/** Epoch microseconds the normaliser reads as microseconds (costattr_epoch_ts): 1973-03-03 up to year 5138. */
const MICROS_RANGE = '100000000000000 AND 99999999999999999';

/** A source column (of the source relation aliased `s`) as text for the raw table. */
export function asText(column: string, type: string): string {
  const ident = `s.${quoteIdent(column)}`;
  if (type === 'JSON') return `CASE WHEN json_type(${ident}) = 'VARCHAR' THEN ${ident} ->> '$' ELSE CAST(${ident} AS VARCHAR) END`;
  return /^(STRUCT|MAP)|\[\]$/.test(type) ? `to_json(${ident})::VARCHAR` : `CAST(${ident} AS VARCHAR)`;
}

/**
 * The typed twin of raw column `raw` from a source column of `type`, as BIGINT (NULL where the
 * value must go through text), when the reader's type allows one: a non-negative integer count, a
 * positive integer epoch time, a timestamp as epoch microseconds in the range read back as such.
 */
export function typedTwin(raw: RawColumn, column: string, type: string): string | undefined {
  if (!RAW_NUMBER_COLUMNS.includes(raw)) return undefined;
  const ident = `s.${quoteIdent(column)}`;
  const time = TIME_COLUMNS.has(raw);
  if (INTEGER_TYPES.has(type)) return `CASE WHEN ${ident} ${time ? '>' : '>='} 0 THEN TRY_CAST(${ident} AS BIGINT) END`;
  if (time && TIMESTAMP_TYPES.has(type)) return `CASE WHEN isfinite(${ident}) AND epoch_us(${ident}) BETWEEN ${MICROS_RANGE} THEN epoch_us(${ident}) END`;
  return undefined;
}
