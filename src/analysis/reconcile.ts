/**
 * `reconcile`: the monthly close. Invoices against spans line by line (reconcile-lines.ts), the
 * headline, per-tenant margins and segments when revenue is loaded (margins.ts), and cache
 * economics. Conservation: `__untraced__` is defined as the invoice dollars the spans do not
 * carry (invoice − spans), so spans + untraced = invoice exactly; the lines split it by cause.
 * The tolerance gate looks at the unexplained part only (`quantity` and `unpriced` lines).
 */
import type { SqlEngine } from '../db/engine.js';
import { usdTextSql } from '../db/money.js';
import { num } from '../db/values.js';
import { CostattrError } from '../errors.js';
import { formatUsd, roundUsd } from '../render/money.js';
import { cacheEconomics, type CacheEconomics } from './cache-economics.js';
import { tenantMargins, type MarginReport } from './margins.js';
import { passThroughBill, type BillLine } from './pass-through-bill.js';
import type { Period } from './period.js';
import type { ShareMode } from './share-unattributed.js';
import { CAUSES, CLASSIFIED, linesOver, UNEXPLAINED_CAUSES, withReconcileRelations, type Cause, type ReconcileLine, type ReconcileRelations } from './reconcile-lines.js';

export interface ReconcileSpec {
  period: Period;
  /** Fraction (0.02 = 2%) of the invoice total the unexplained variance may reach. */
  tolerance?: number | undefined;
  /** How tenant-less spend reaches the tenants' costs (margins and segments); default none. */
  share?: ShareMode | undefined;
  /** Monthly cost above which a free tenant is a free-tier drain (margins.ts default otherwise). */
  freeTierDrainUsd?: number | undefined;
}

export interface TenantLine {
  tenant: string;
  revenue_usd: number;
  cost_usd: number;
  margin_pct: number | null;
  segment: string;
}

export interface SegmentLine {
  segment: string;
  tenants: number;
  revenue_usd: number;
  cost_usd: number;
  margin_pct: number | null;
}

/** The JSON contract of PRODUCT.md `reconcile`, key for key. */
export interface ReconcileReport {
  invoice_usd: number;
  span_usd: number;
  variance_usd: number;
  variance_pct: number | null;
  unattributed_usd: number;
  untraced_usd: number;
  lines: ReconcileLine[];
  tenants: TenantLine[];
  segments: SegmentLine[];
  portfolio: { revenue_usd: number; cost_usd: number; margin_pct: number | null };
  cache: CacheEconomics;
}

export interface ReconcileResult extends Pick<Reconciliation, 'byCause' | 'unexplained_usd' | 'unexplained_pct' | 'unvalued' | 'gateFailed' | 'notes'> {
  report: ReconcileReport;
  /** The pass-through bill when margins were computed (revenue loaded, one calendar month). */
  bill: BillLine[] | null;
}

/** The invoices against the spans (no margins, no cache economics): what the month close reports too. */
export interface Reconciliation {
  invoice_usd: number;
  span_usd: number;
  /** invoice − spans, rounded to the micro-dollar: the untraced spend and the variance. */
  untraced_usd: number;
  variance_pct: number | null;
  unattributed_usd: number;
  lines: ReconcileLine[];
  /** Variance (USD) per cause, every cause present. */
  byCause: Record<Cause, number>;
  unexplained_usd: number;
  /** unexplained / invoice; null when nothing was invoiced. */
  unexplained_pct: number | null;
  /** Usage-only invoice lines (no amount) the price book cannot value: the invoice total leaves them out. */
  unvalued: UnvaluedLine[];
  /** The gate's verdict when a tolerance was given. */
  gateFailed: boolean;
  notes: string[];
}

export async function reconcile(db: SqlEngine, spec: ReconcileSpec): Promise<ReconcileResult> {
  const invoiced = await db.one<{ n: string }>('SELECT count(*) AS n FROM invoice_lines');
  if (num(invoiced?.n) === 0) {
    throw new CostattrError('BAD_USAGE', 'reconcile needs invoices: give --invoice FILE… or a --db with invoices ingested', {
      hint: 'supported: Anthropic Console cost/usage CSV and Admin API JSON, OpenAI cost/activity CSV and API JSON, FOCUS CSV',
    });
  }
  return withReconcileRelations(db, spec.period, async (relations) => {
    const r = await reconcileOver(db, relations, spec.tolerance);
    const margins = await marginsFor(db, spec);
    const report: ReconcileReport = {
      invoice_usd: r.invoice_usd,
      span_usd: r.span_usd,
      variance_usd: r.untraced_usd,
      variance_pct: r.variance_pct,
      unattributed_usd: r.unattributed_usd,
      untraced_usd: r.untraced_usd,
      lines: r.lines,
      tenants: margins.tenants,
      segments: margins.segments,
      portfolio: margins.portfolio,
      cache: await cacheEconomics(db, relations),
    };
    return {
      report,
      byCause: r.byCause,
      unexplained_usd: r.unexplained_usd,
      unexplained_pct: r.unexplained_pct,
      gateFailed: r.gateFailed,
      unvalued: r.unvalued,
      bill: margins.report ? passThroughBill(margins.report) : null,
      notes: [...r.notes, ...margins.notes],
    };
  });
}

/** The reconciliation over `relations` (withReconcileRelations), judged against `tolerance` when given. */
export async function reconcileOver(db: SqlEngine, relations: ReconcileRelations, tolerance: number | undefined): Promise<Reconciliation> {
  const { ctes, params } = relations;
  const d = db.dialect;
  const totals = await db.one<Record<string, string>>(
    `${CLASSIFIED(ctes)}
     SELECT ${usdTextSql('coalesce(sum(invoice_usd), 0)', d)} AS invoice, ${usdTextSql('coalesce(sum(span_usd), 0)', d)} AS span,
            ${usdTextSql(`coalesce(sum(abs(variance)) FILTER (WHERE cause IN (${UNEXPLAINED_CAUSES.map((c) => `'${c}'`).join(', ')})), 0)`, d)} AS unexplained,
            ${CAUSES.map((c) => `${usdTextSql(`coalesce(sum(variance) FILTER (WHERE cause = '${c}'), 0)`, d)} AS "${c}"`).join(', ')},
            ${usdTextSql('(SELECT coalesce(sum(unattributed_usd), 0) FROM scoped_spans)', d)} AS unattributed
     FROM classified`,
    params,
  );
  const invoice = num(totals?.invoice);
  const span = num(totals?.span);
  // both rounded to the micro-dollar first, so the identity holds on the printed figures too
  const untraced = roundUsd(invoice - span);
  const unexplained = num(totals?.unexplained);
  const unexplainedPct = invoice !== 0 ? unexplained / Math.abs(invoice) : unexplained === 0 ? 0 : null;
  const unvalued = await unvaluedInvoiceLines(db, relations);
  return {
    invoice_usd: invoice,
    span_usd: span,
    untraced_usd: untraced,
    variance_pct: invoice !== 0 ? untraced / invoice : null,
    unattributed_usd: num(totals?.unattributed),
    lines: await linesOver(db, relations),
    byCause: Object.fromEntries(CAUSES.map((c) => [c, num(totals?.[c])])) as Record<Cause, number>,
    unexplained_usd: unexplained,
    unexplained_pct: unexplainedPct,
    // a line the book cannot value is $0 on both sides: the gate cannot pass over it
    gateFailed: tolerance !== undefined && (unexplainedPct === null || unexplainedPct > tolerance || unvalued.length > 0),
    unvalued,
    notes: [...unvaluedNotes(unvalued), ...(await uncoveredProviders(db, relations))],
  };
}

export interface UnvaluedLine {
  provider: string;
  model: string;
  day: string;
  token_class: string;
  tokens: number;
}

/** Invoice lines with usage but no cost whose model and day the book has no rate for. */
async function unvaluedInvoiceLines(db: SqlEngine, { ctes, params }: ReconcileRelations): Promise<UnvaluedLine[]> {
  const rows = await db.all<{ provider: string; model: string; day: string; token_class: string; tokens: string }>(
    `${CLASSIFIED(ctes)}
     SELECT provider, model, ${db.dialect.strftime('day', '%Y-%m-%d')} AS day, token_class, invoice_tokens::VARCHAR AS tokens
     FROM classified WHERE invoice_unpriced ORDER BY day, provider, model, token_class`,
    params,
  );
  return rows.map((r) => ({ provider: r.provider, model: r.model, day: r.day, token_class: r.token_class, tokens: num(r.tokens) }));
}

function unvaluedNotes(lines: readonly UnvaluedLine[]): string[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, 5).map((l) => `${l.day} ${l.provider} ${l.model} ${l.token_class} (${l.tokens} tokens)`);
  return [`the invoice total leaves out ${lines.length} usage line(s) with no cost that the price book cannot value: ${shown.join('; ')}${lines.length > 5 ? '; …' : ''}`];
}

/** Span spend of providers no invoice covers: left out of the reconcile, said on stderr. */
async function uncoveredProviders(db: SqlEngine, { ctes, params, allSpans }: ReconcileRelations): Promise<string[]> {
  const rows = await db.all<{ provider: string | null; cost: string }>(
    `WITH ${ctes}
     SELECT provider, ${usdTextSql('sum(cost_usd)', db.dialect)} AS cost FROM (${allSpans})
     WHERE provider IS NULL OR provider NOT IN (SELECT provider FROM inv_providers) GROUP BY provider ORDER BY provider`,
    params,
  );
  return rows.map((r) => `spans of provider ${r.provider ?? '(none)'} (${formatUsd(r.cost)}) are not reconciled: no invoice for that provider`);
}

interface Margins {
  tenants: TenantLine[];
  segments: SegmentLine[];
  portfolio: ReconcileReport['portfolio'];
  report: MarginReport | null;
  notes: string[];
}

const NO_MARGINS: Margins = { tenants: [], segments: [], portfolio: { revenue_usd: 0, cost_usd: 0, margin_pct: null }, report: null, notes: [] };

/** Per-tenant margins when revenue is loaded and the period is one calendar month. */
async function marginsFor(db: SqlEngine, spec: ReconcileSpec): Promise<Margins> {
  if (!(await db.hasTable('revenue'))) return NO_MARGINS;
  const month = calendarMonth(spec.period);
  if (month === undefined) return { ...NO_MARGINS, notes: ['margins need one calendar month: use --month YYYY-MM'] };
  const m = await tenantMargins(db, { month, share: spec.share, freeTierDrainUsd: spec.freeTierDrainUsd });
  const shared = m.share !== 'none' && m.unallocated_usd !== '0.000000'
    ? [`--share-unattributed ${m.share}: no tenant has spend to share ${formatUsd(m.unallocated_usd)} of unattributed spend with`]
    : [];
  return {
    report: m,
    tenants: m.tenants.map((t) => ({ tenant: t.tenant, revenue_usd: num(t.revenue_usd), cost_usd: num(t.cost_usd), margin_pct: t.margin, segment: t.segment })),
    segments: m.segments.map((s) => ({ segment: s.segment, tenants: s.tenants, revenue_usd: num(s.revenue_usd), cost_usd: num(s.cost_usd), margin_pct: s.margin })),
    portfolio: { revenue_usd: num(m.portfolio.revenue_usd), cost_usd: num(m.portfolio.cost_usd), margin_pct: m.portfolio.margin },
    notes: shared,
  };
}

function calendarMonth(period: Period): string | undefined {
  const since = period.since;
  if (since === undefined || period.until === undefined || !/^\d{4}-\d{2}-01$/.test(since)) return undefined;
  const [year, month] = since.split('-').map(Number) as [number, number];
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, '0')}-01`;
  return period.until === next ? since.slice(0, 7) : undefined;
}
