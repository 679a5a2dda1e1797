/**
 * The `base` relation every attribution query starts from: the priced inference spans of the
 * period (cut in the requested time zone), optionally one tenant's, with `local_time` (the span's
 * start as wall-clock time in that zone) added.
 * Values are bound parameters; the time zone is checked up front for a clear error.
 */
import { DUCKDB, type Dialect } from '../db/dialect.js';
import type { EngineParams } from '../db/engine.js';
import { UNATTRIBUTED } from '../db/schema.js';
import { CostattrError } from '../errors.js';
import type { Period } from './period.js';

export interface SpanFilter {
  period: Period;
  /** Only this resolved tenant's spans (`__unattributed__`: the tenant-less ones). */
  tenant?: string | undefined;
}

export interface BaseRelation {
  /** `SELECT … FROM priced_spans WHERE …`, to be used as a CTE body. */
  sql: string;
  params: EngineParams;
  /** The period's bounds as UTC TIMESTAMP expressions over `params` (none when the period is open). */
  bounds: string[];
}

/** What to filter: priced spans by their start (the default), or the cost roll-up by its slot. */
export interface FilteredRelation {
  relation: string;
  time: string;
}

export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new CostattrError('BAD_USAGE', `--timezone ${timezone}: not a known IANA time zone (e.g. UTC, America/New_York)`);
  }
}

/**
 * The period's bounds are converted to UTC once, so the filter compares the stored UTC
 * `start_time` directly; only day/week/month buckets convert each span (and not at all in UTC,
 * the default), because a per-row time-zone conversion costs more than the rest of the query.
 */
export function baseRelation(
  filter: SpanFilter,
  { relation, time }: FilteredRelation = { relation: 'priced_spans', time: 'start_time' },
  dialect: Dialect = DUCKDB,
): BaseRelation {
  const { timezone } = filter.period;
  checkTimezone(timezone);
  const utc = timezone === 'UTC';
  const params: EngineParams = utc ? {} : { tz: timezone };
  const bound = (name: string): string => (utc ? `CAST($${name} AS TIMESTAMP)` : dialect.fromZone(`CAST($${name} AS TIMESTAMP)`, '$tz'));
  const where: string[] = [];
  const bounds: string[] = [];
  if (filter.period.since !== undefined) {
    bounds.push(bound('since'));
    where.push(`${time} >= ${bound('since')}`);
    params.since = filter.period.since;
  }
  if (filter.period.until !== undefined) {
    bounds.push(bound('until'));
    where.push(`${time} < ${bound('until')}`);
    params.until = filter.period.until;
  }
  if (filter.tenant === UNATTRIBUTED) {
    where.push('tenant IS NULL');
  } else if (filter.tenant !== undefined) {
    where.push('tenant = $tenant');
    params.tenant = filter.tenant;
  }
  const localTime = utc ? time : dialect.atZone(time, '$tz');
  const sql = `SELECT *, ${localTime} AS local_time FROM ${relation}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}`;
  return { sql, params, bounds };
}
