/**
 * The time window a question is asked over: `--month` or `--since/--until` (until exclusive),
 * and the time zone day/week/month buckets are cut in.
 */
import { CostattrError } from '../errors.js';

export interface Period {
  /** Inclusive start, `YYYY-MM-DD` (or full ISO timestamp), in `timezone`. */
  since: string | undefined;
  /** Exclusive end. */
  until: string | undefined;
  timezone: string;
}

/**
 * The period as conditions on an invoice line's UTC `day` column (`day`: its SQL, e.g. `l.day`): on
 * or after the day `since` falls on, before `until`; with the parameters they bind.
 */
export function invoiceDaysIn(period: Period, day: string): { where: string[]; params: Record<string, string> } {
  const where: string[] = [];
  const params: Record<string, string> = {};
  if (period.since !== undefined) {
    where.push(`${day} >= CAST(CAST($since AS TIMESTAMP) AS DATE)`);
    params.since = period.since;
  }
  if (period.until !== undefined) {
    where.push(`${day} < CAST($until AS TIMESTAMP)`);
    params.until = period.until;
  }
  return { where, params };
}

const DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

export function parsePeriod(input: { since?: string | undefined; until?: string | undefined; month?: string | undefined; timezone: string }): Period {
  if (input.month !== undefined) {
    const m = /^(\d{4})-(\d{2})$/.exec(input.month);
    const year = Number(m?.[1]);
    const month = Number(m?.[2]);
    if (!m || month < 1 || month > 12) throw new CostattrError('BAD_USAGE', `--month ${input.month}: expected YYYY-MM`);
    const next = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
    return { since: `${input.month}-01`, until: `${next}-01`, timezone: input.timezone };
  }
  for (const [flag, value] of [['--since', input.since], ['--until', input.until]] as const) {
    if (value !== undefined && (!DATE.test(value) || Number.isNaN(Date.parse(value)))) {
      throw new CostattrError('BAD_USAGE', `${flag} ${value}: expected an ISO date such as 2026-10-01`);
    }
  }
  if (input.since !== undefined && input.until !== undefined && Date.parse(input.until) <= Date.parse(input.since)) {
    throw new CostattrError('BAD_USAGE', `--since ${input.since} --until ${input.until}: the period is empty (until is exclusive and must come after since)`);
  }
  return { since: input.since, until: input.until, timezone: input.timezone };
}
