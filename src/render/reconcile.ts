/**
 * `reconcile` results as table models: the close on one screen (headline, variance by cause,
 * cache economics, segments and portfolio), and behind `--detail` the per-line and per-tenant
 * tables. CSV carries the lines only (one table, data only); the pass-through bill is its own CSV.
 */
import type { BillLine } from '../analysis/pass-through-bill.js';
import type { ReconcileResult } from '../analysis/reconcile.js';
import { CAUSES } from '../analysis/reconcile-lines.js';
import type { Row, TableModel } from './model.js';

export const CAUSE_MEANING: Record<(typeof CAUSES)[number], string> = {
  match: 'invoice and spans agree',
  credit: 'a credit or adjustment the provider applied (its own line)',
  unpriced: 'spans with no price in the book',
  cache_convention: 'spans without cache counts priced cached tokens at full input',
  day_boundary: 'shifted between adjacent days, nets out',
  untraced: 'billed traffic with no spans behind it',
  rate: 'same tokens, different price (discount or stale price)',
  quantity: 'spans carry more tokens than were billed (unexplained)',
};

export function reconcileHeadline(result: ReconcileResult, title: string): TableModel {
  const r = result.report;
  const share = (usd: number) => (r.invoice_usd !== 0 ? usd / r.invoice_usd : null);
  const rows: Row[] = [
    { item: 'invoice', usd: r.invoice_usd, share: share(r.invoice_usd) },
    { item: 'spans (priced at the book)', usd: r.span_usd, share: share(r.span_usd) },
    { item: '  of which __unattributed__', usd: r.unattributed_usd, share: share(r.unattributed_usd) },
    { item: '__untraced__ (invoice − spans)', usd: r.untraced_usd, share: r.variance_pct },
    { item: 'unexplained variance (|quantity| + |unpriced|)', usd: result.unexplained_usd, share: result.unexplained_pct },
  ];
  const notes = result.gateFailed ? ['unexplained variance is over the tolerance'] : [];
  return { title, columns: [{ key: 'item', header: 'reconcile', kind: 'text' }, { key: 'usd', header: 'USD', kind: 'money' }, { key: 'share', header: 'of invoice', kind: 'rate' }], rows, notes };
}

export function varianceByCause(result: ReconcileResult): TableModel {
  const counts = new Map<string, number>();
  for (const line of result.report.lines) counts.set(line.cause, (counts.get(line.cause) ?? 0) + 1);
  const rows: Row[] = CAUSES.filter((c) => c !== 'match' && (counts.get(c) ?? 0) > 0).map((c) => ({
    cause: c, lines: counts.get(c) ?? 0, usd: result.byCause[c], meaning: CAUSE_MEANING[c],
  }));
  return {
    title: 'variance by cause (invoice − spans)',
    columns: [{ key: 'cause', header: 'cause', kind: 'text' }, { key: 'lines', header: 'lines', kind: 'int' }, { key: 'usd', header: 'USD', kind: 'money_delta' }, { key: 'meaning', header: 'meaning', kind: 'text' }],
    rows,
    notes: rows.length === 0 ? ['every line matches'] : [],
  };
}

export function cacheTable(result: ReconcileResult): TableModel {
  const c = result.report.cache;
  return {
    title: 'cache economics',
    columns: [{ key: 'hit_rate', header: 'hit rate', kind: 'rate' }, { key: 'naive', header: 'naive (no cache)', kind: 'money' }, { key: 'actual', header: 'actual', kind: 'money' }, { key: 'savings', header: 'saved', kind: 'money' }],
    rows: [{ hit_rate: c.hit_rate, naive: c.naive_usd, actual: c.actual_usd, savings: c.savings_usd }],
    notes: [],
  };
}

const MARGIN_COLUMNS = [
  { key: 'revenue_usd', header: 'revenue', kind: 'money' },
  { key: 'cost_usd', header: 'cost', kind: 'money' },
  { key: 'margin_pct', header: 'margin', kind: 'rate' },
] as const;

export function segmentsTable(result: ReconcileResult): TableModel {
  const r = result.report;
  const rows: Row[] = r.segments.map((s) => ({ segment: s.segment, tenants: s.tenants, revenue_usd: s.revenue_usd, cost_usd: s.cost_usd, margin_pct: s.margin_pct }));
  rows.push({ segment: 'portfolio', tenants: r.tenants.length, ...r.portfolio });
  return { title: 'segments', columns: [{ key: 'segment', header: 'segment', kind: 'text' }, { key: 'tenants', header: 'tenants', kind: 'int' }, ...MARGIN_COLUMNS], rows, notes: [] };
}

export function linesTable(result: ReconcileResult): TableModel {
  return {
    title: 'lines',
    columns: [
      { key: 'provider', header: 'provider', kind: 'text' },
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'day', header: 'day', kind: 'text' },
      { key: 'token_class', header: 'token_class', kind: 'text' },
      { key: 'invoice_tokens', header: 'invoice_tokens', kind: 'int' },
      { key: 'span_tokens', header: 'span_tokens', kind: 'int' },
      { key: 'invoice_usd', header: 'invoice_usd', kind: 'money' },
      { key: 'span_usd', header: 'span_usd', kind: 'money' },
      { key: 'variance_usd', header: 'variance_usd', kind: 'money_delta' },
      { key: 'cause', header: 'cause', kind: 'text' },
    ],
    rows: result.report.lines.map((l) => ({ ...l })),
    notes: [],
  };
}

export function tenantsTable(result: ReconcileResult): TableModel {
  return {
    title: 'tenants',
    columns: [{ key: 'tenant', header: 'tenant', kind: 'text' }, { key: 'segment', header: 'segment', kind: 'text' }, ...MARGIN_COLUMNS],
    rows: result.report.tenants.map((t) => ({ ...t })),
    notes: [],
  };
}

/** The pass-through bill (`--bill FILE`): decimal strings, so the CSV carries them exactly. */
export function billTable(lines: readonly BillLine[]): TableModel {
  return {
    title: 'pass-through bill',
    columns: [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'month', header: 'month', kind: 'text' },
      { key: 'cost_usd', header: 'cost_usd', kind: 'text' },
      { key: 'markup', header: 'markup', kind: 'text' },
      { key: 'bill_usd', header: 'bill_usd', kind: 'text' },
    ],
    rows: lines.map((l) => ({ ...l })),
    notes: [],
  };
}

/** The tables of the table/Markdown formats, in reading order. */
export function reconcileTables(result: ReconcileResult, options: { title: string; detail: boolean }): TableModel[] {
  const tables = [reconcileHeadline(result, options.title), varianceByCause(result), cacheTable(result)];
  if (result.report.tenants.length > 0) tables.push(segmentsTable(result));
  if (options.detail) {
    tables.push(linesTable(result));
    if (result.report.tenants.length > 0) tables.push(tenantsTable(result));
  }
  return tables;
}
