/**
 * The invoice in the monthly report: the reconciliation of the month (UTC, as invoices are) done by
 * `reconcile` itself — totals, untraced spend, variance by cause, the tolerance verdict — plus the
 * split per provider (invoice, spans, attributed, unattributed, untraced) over reconcile's own
 * relations, so the figures are the ones `costattr reconcile --month` prints.
 * When no invoice line falls in the month the section says so, with what the invoices loaded do
 * cover, and every figure is null: spend that nobody billed against is not a $0 variance.
 */
import type { Database } from '../../db/database.js';
import { usdTextSql } from '../../db/money.js';
import { num } from '../../db/values.js';
import { reconcileOver } from '../reconcile.js';
import { CAUSES, CLASSIFIED, type Cause, type ReconcileRelations } from '../reconcile-lines.js';
import { monthBounds } from './dates.js';

/** Unexplained variance (quantity + unpriced) the close accepts, as a share of the invoice, unless told otherwise. */
export const DEFAULT_TOLERANCE = 0.02;

export interface ProviderClose {
  provider: string;
  invoice_usd: number;
  /** Spans of this provider in the month, priced at the book. */
  span_usd: number;
  attributed_usd: number;
  unattributed_usd: number;
  /** invoice − spans (reconcile's definition: what the spans do not carry). */
  untraced_usd: number;
  /** untraced / invoice; null when nothing was invoiced. */
  variance_pct: number | null;
}

export interface CauseClose {
  cause: Cause;
  lines: number;
  /** Σ (invoice − spans) of the lines with this cause. */
  usd: number;
}

export interface MonthClose {
  /** `no_invoices`: no invoice line in the month; every figure is null and `note` says what is loaded. */
  status: 'reconciled' | 'no_invoices';
  note: string | null;
  tolerance: number;
  invoice_usd: number | null;
  span_usd: number | null;
  attributed_usd: number | null;
  unattributed_usd: number | null;
  untraced_usd: number | null;
  variance_pct: number | null;
  /** Σ |variance| of the unexplained causes (quantity, unpriced): what the tolerance judges. */
  unexplained_usd: number | null;
  unexplained_pct: number | null;
  within_tolerance: boolean | null;
  providers: ProviderClose[];
  /** Causes with variance, in reconcile's order (`match` left out). */
  causes: CauseClose[];
  /** What the figures leave out (providers whose spans no invoice covers). */
  notes: string[];
}

const micro = (n: number) => Math.round(n * 1e6) / 1e6;

async function invoiceCoverage(db: Database, since: string, until: string): Promise<{ inMonth: number; first: string | null; last: string | null }> {
  const row = await db.one<{ in_month: string; first: string | null; last: string | null }>(
    `SELECT count(*) FILTER (WHERE day >= CAST($since AS DATE) AND day < CAST($until AS DATE)) AS in_month,
            strftime(min(day), '%Y-%m-%d') AS first, strftime(max(day), '%Y-%m-%d') AS last
     FROM invoice_lines`,
    { since, until },
  );
  return { inMonth: num(row?.in_month), first: row?.first ?? null, last: row?.last ?? null };
}

function emptyClose(month: string, tolerance: number, coverage: { first: string | null; last: string | null }): MonthClose {
  const loaded = coverage.first === null
    ? 'no invoices are loaded: give --invoice FILE… or ingest them'
    : `the invoices loaded cover ${coverage.first} – ${coverage.last}`;
  return {
    status: 'no_invoices',
    note: `no invoice lines for ${month}: spend is priced from the spans and not reconciled (${loaded})`,
    tolerance,
    invoice_usd: null, span_usd: null, attributed_usd: null, unattributed_usd: null, untraced_usd: null,
    variance_pct: null, unexplained_usd: null, unexplained_pct: null, within_tolerance: null,
    providers: [], causes: [], notes: [],
  };
}

/** Per provider: invoice and span dollars of the reconcile lines, unattributed from its scoped spans. */
async function byProvider(db: Database, { ctes, params }: ReconcileRelations): Promise<ProviderClose[]> {
  const rows = await db.all<{ provider: string; invoice: string; span: string; unattributed: string }>(
    `${CLASSIFIED(ctes)},
     lines AS (SELECT provider, sum(invoice_usd) AS invoice, sum(span_usd) AS span FROM classified GROUP BY provider),
     tenantless AS (SELECT provider, sum(unattributed_usd) AS unattributed FROM scoped_spans GROUP BY provider)
     SELECT l.provider, ${usdTextSql('l.invoice')} AS invoice, ${usdTextSql('l.span')} AS span, ${usdTextSql('coalesce(t.unattributed, 0)')} AS unattributed
     FROM lines l LEFT JOIN tenantless t USING (provider) ORDER BY l.provider`,
    params,
  );
  return rows.map((r) => {
    const invoice = num(r.invoice);
    const span = num(r.span);
    const unattributed = num(r.unattributed);
    const untraced = micro(invoice - span);
    return {
      provider: r.provider,
      invoice_usd: invoice,
      span_usd: span,
      attributed_usd: micro(span - unattributed),
      unattributed_usd: unattributed,
      untraced_usd: untraced,
      variance_pct: invoice !== 0 ? untraced / invoice : null,
    };
  });
}

/** The close of `month` over `relations`: withReconcileRelations of that UTC month (monthBounds). */
export async function monthClose(db: Database, relations: ReconcileRelations, month: string, tolerance: number): Promise<MonthClose> {
  const { since, until } = monthBounds(month);
  const coverage = await invoiceCoverage(db, since, until);
  if (coverage.inMonth === 0) return emptyClose(month, tolerance, coverage);
  const r = await reconcileOver(db, relations, tolerance);
  const counts = new Map<Cause, number>();
  for (const line of r.lines) counts.set(line.cause, (counts.get(line.cause) ?? 0) + 1);
  return {
    status: 'reconciled',
    note: null,
    tolerance,
    invoice_usd: r.invoice_usd,
    span_usd: r.span_usd,
    attributed_usd: micro(r.span_usd - r.unattributed_usd),
    unattributed_usd: r.unattributed_usd,
    untraced_usd: r.untraced_usd,
    variance_pct: r.variance_pct,
    unexplained_usd: r.unexplained_usd,
    unexplained_pct: r.unexplained_pct,
    within_tolerance: !r.gateFailed,
    providers: await byProvider(db, relations),
    causes: CAUSES.filter((c) => c !== 'match' && (counts.get(c) ?? 0) > 0).map((c) => ({ cause: c, lines: counts.get(c) ?? 0, usd: r.byCause[c] })),
    notes: r.notes,
  };
}
