/**
 * What the data covers, checked before a question is answered, so an empty answer is never given
 * for a typo: the period must hold spans (else exit 2 naming the days the spans do cover), a period
 * reaching past the data is noted, and a named tenant, user or route must exist (else exit 2 with
 * the closest names). Run on the engine the analysis runs on (DuckDB, or ClickHouse over a lake),
 * so a lake on object storage is checked where it is read.
 */
import type { SqlEngine } from '../db/engine.js';
import { UNATTRIBUTED } from '../db/schema.js';
import { CostattrError } from '../errors.js';
import { invoiceDaysIn, type Period } from './period.js';
import { closestNames } from './closest.js';
import { baseRelation, type SpanFilter } from './span-filter.js';

export interface Coverage {
  spans: number;
  /** First and last day (UTC) with a span, `YYYY-MM-DD`; null when there are none. */
  first: string | null;
  last: string | null;
}

/** The spans' count and first and last day, `where` a condition on them (`spans` bound as named). */
async function covered(engine: SqlEngine, where = 'true', params: Record<string, string> = {}): Promise<Coverage> {
  const day = (expr: string): string => engine.dialect.strftime(expr, '%Y-%m-%d');
  const row = await engine.one<{ n: string | number; first: string | null; last: string | null }>(
    `SELECT count(*) AS n, ${day('min(start_time)')} AS first, ${day('max(start_time)')} AS last FROM spans WHERE ${where}`, params,
  );
  // over no rows ClickHouse's min and max are the type's default (1970-01-01), not NULL: the count says
  const spans = Number(row?.n ?? 0);
  return { spans, first: spans > 0 ? row?.first ?? null : null, last: spans > 0 ? row?.last ?? null : null };
}

/** Whether the data has the relation at all: a lake read by ClickHouse names only the tables it holds files of. */
async function holds(engine: SqlEngine, relation: string): Promise<boolean> {
  return (await engine.relations('stored')).has(relation);
}

export async function spanCoverage(engine: SqlEngine): Promise<Coverage> {
  return (await holds(engine, 'spans')) ? covered(engine) : { spans: 0, first: null, last: null };
}

/** `2026-10-01 … 2026-10-21`, or that there are none. */
export function coverageText(c: Coverage): string {
  return c.spans === 0 ? 'the data holds no spans' : `spans cover ${c.first ?? '?'} … ${c.last ?? '?'}`;
}

function periodText(p: Period): string {
  if (p.since === undefined && p.until === undefined) return 'the data';
  return `${p.since ?? '…'} – ${p.until ?? '…'} (until exclusive${p.timezone === 'UTC' ? '' : `, ${p.timezone}`})`;
}

/**
 * Refuse a period that holds no spans (exit 2, saying what the data covers) — or, for a named tenant,
 * no spans of that tenant; for a period that holds some but reaches past the data on either side,
 * return a note saying so.
 */
export async function requireSpansIn(engine: SqlEngine, period: Period, tenant?: string): Promise<string[]> {
  const coverage = await spanCoverage(engine);
  if (coverage.spans === 0) {
    throw new CostattrError('NO_DATA', 'the data holds no spans', { hint: 'load spans with `costattr ingest FILES --db FILE`, or give --spans FILE…' });
  }
  const inside = await spansIn(engine, { period });
  if (inside === 0) {
    throw new CostattrError('NO_DATA', `no spans in ${periodText(period)}: ${coverageText(coverage)}`, { hint: 'choose a period inside the data (--month, --since/--until)' });
  }
  if (tenant !== undefined && (await spansIn(engine, { period, tenant })) === 0) {
    const own = tenant === UNATTRIBUTED ? await covered(engine, 'tenant IS NULL') : await covered(engine, 'tenant = $tenant', { tenant });
    const covers = own.spans > 0 ? `its spans cover ${own.first ?? '?'} … ${own.last ?? '?'}` : 'it has no spans';
    throw new CostattrError('NO_DATA', `tenant ${JSON.stringify(tenant)} has no spans in ${periodText(period)}: ${covers}`, { hint: 'choose a period inside its data' });
  }
  const startsBefore = period.since !== undefined && coverage.first !== null && period.since.slice(0, 10) < coverage.first;
  const lastDay = coverage.last === null ? null : nextDay(coverage.last);
  const endsAfter = period.until !== undefined && lastDay !== null && period.until.slice(0, 10) > lastDay;
  return startsBefore || endsAfter ? [`note: ${periodText(period)} reaches past the data (${coverageText(coverage)}); totals cover only those days`] : [];
}

/** 1 when the filter holds a span, else 0: one span is enough to know, so stop there rather than price every span. */
async function spansIn(engine: SqlEngine, filter: SpanFilter): Promise<number> {
  const base = baseRelation(filter, undefined, engine.dialect);
  const row = await engine.one<{ n: string | number }>(`WITH base AS (${base.sql}) SELECT count(*) AS n FROM (SELECT 1 AS one FROM base LIMIT 1) AS first_span`, base.params);
  return Number(row?.n ?? 0);
}

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

export type NamedField = 'tenant' | 'user_id' | 'route' | 'model';

const FIELD_WORD: Record<NamedField, string> = { tenant: 'tenant', user_id: 'user', route: 'route', model: 'model' };
/** A model is matched as the price book names it (an alias or dated snapshot finds its canonical model). */
const WANTED_SQL: Record<NamedField, string> = {
  tenant: '$value', user_id: '$value', route: '$value',
  model: 'coalesce((SELECT any_value(model) FROM model_aliases WHERE alias = lower($value)), $value)',
};

/** Refuse a named tenant/user/route/model the data does not hold (exit 2, with the closest names it does hold). */
export async function requireKnown(engine: SqlEngine, field: NamedField, value: string, flag: string): Promise<void> {
  if (field === 'tenant' && value === UNATTRIBUTED) return;
  // one span is enough to know
  const found = await engine.one<{ n: string | number }>(
    `SELECT count(*) AS n FROM (SELECT 1 AS one FROM priced_spans WHERE ${field} = ${WANTED_SQL[field]} LIMIT 1) AS first_span`, { value },
  );
  if (Number(found?.n ?? 0) > 0) return;
  const names = (await engine.all<{ name: string }>(`SELECT DISTINCT ${field} AS name FROM priced_spans WHERE ${field} IS NOT NULL`)).map((r) => r.name);
  const closest = closestNames(value, names);
  throw new CostattrError('NOT_FOUND', `${flag} ${value}: unknown ${FIELD_WORD[field]} ${JSON.stringify(value)}: the data holds no such ${FIELD_WORD[field]}`, {
    hint: closest.length > 0 ? `closest ${FIELD_WORD[field]} names: ${closest.join(', ')}` : `the data names no ${FIELD_WORD[field]}s${field === 'model' ? '' : ' (check --namespace)'}`,
  });
}

/** Refuse to reconcile a period no invoice line falls in (exit 2, saying what the invoices cover): a gate cannot pass on nothing. */
export async function requireInvoicesIn(engine: SqlEngine, period: Period): Promise<void> {
  const { where, params } = invoiceDaysIn(period, 'day');
  const day = (expr: string): string => engine.dialect.strftime(expr, '%Y-%m-%d');
  const row = !(await holds(engine, 'invoice_lines')) ? undefined : await engine.one<{ inside: string | number; total: string | number; first: string | null; last: string | null }>(
    `SELECT count(*) FILTER (WHERE ${where.length > 0 ? where.join(' AND ') : 'true'}) AS inside, count(*) AS total,
            ${day('min(day)')} AS first, ${day('max(day)')} AS last FROM invoice_lines`,
    params,
  );
  if (Number(row?.inside ?? 0) > 0) return;
  const covers = Number(row?.total ?? 0) === 0 ? 'no invoice lines are loaded' : `invoices cover ${row?.first ?? '?'} … ${row?.last ?? '?'}`;
  throw new CostattrError('NO_DATA', `no invoice lines in ${periodText(period)}: ${covers}; there is nothing to reconcile against`, {
    hint: 'give the provider exports with --invoice FILE… (or ingest them into --db), or choose a period they cover',
  });
}
