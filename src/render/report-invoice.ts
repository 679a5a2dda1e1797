/**
 * The invoice section of `report monthly`: a headline (what was billed, how much of it the spans
 * carry — attributed and unattributed —, what is untraced, the unexplained variance against the
 * tolerance), a key figure, the per-provider table and the variance by cause. Without invoice lines
 * in the month every part says so: the report never shows a $0 variance for an unbilled month.
 */
import type { MonthClose } from '../analysis/report/month-close.js';
import type { Figure } from './html/document.js';
import type { Row, TableModel } from './model.js';
import { CAUSE_MEANING } from './reconcile.js';
import { formatUsd } from './money.js';
import { pct, table } from './report-view.js';

function verdict(c: MonthClose): string {
  return `${c.within_tolerance ? 'within' : 'over'} the ${pct(c.tolerance)} tolerance`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function invoiceHeadline(c: MonthClose): string[] {
  if (c.status === 'no_invoices') return [`${capitalised(c.note ?? 'no invoice lines')}.`];
  const providers = c.providers.map((p) => `${p.provider} ${formatUsd(p.invoice_usd)}`).join(', ');
  const untraced = c.variance_pct === null ? '' : ` (${pct(c.variance_pct)} of the invoice)`;
  return [
    `Invoiced ${formatUsd(c.invoice_usd ?? 0)} (${providers}): the spans carry ${formatUsd(c.span_usd ?? 0)} — ${formatUsd(c.attributed_usd ?? 0)} attributed to tenants, ${formatUsd(c.unattributed_usd ?? 0)} unattributed — and ${formatUsd(c.untraced_usd ?? 0)} is untraced${untraced}.`,
    `Unexplained invoice variance ${formatUsd(c.unexplained_usd ?? 0)}${c.unexplained_pct === null ? '' : ` (${pct(c.unexplained_pct)} of the invoice)`}: ${verdict(c)}.`,
  ];
}

export function invoiceFigure(c: MonthClose): Figure {
  if (c.status === 'no_invoices') return { label: 'Invoice', value: 'not reconciled', detail: 'no invoice lines this month', tone: 'neutral' };
  return { label: 'Invoice', value: formatUsd(c.invoice_usd ?? 0), detail: `untraced ${formatUsd(c.untraced_usd ?? 0)}; ${verdict(c)}`, tone: c.within_tolerance ? 'good' : 'bad' };
}

export function invoiceTables(c: MonthClose): TableModel[] {
  if (c.status === 'no_invoices') {
    return [table('Invoice reconciliation', [{ key: 'item', header: 'invoice', kind: 'text' }, { key: 'status', header: 'status', kind: 'text' }],
      [{ item: 'not reconciled', status: c.note }])];
  }
  const rows: Row[] = c.providers.map((p) => ({ ...p }));
  rows.push({
    provider: 'all providers', invoice_usd: c.invoice_usd, span_usd: c.span_usd, attributed_usd: c.attributed_usd,
    unattributed_usd: c.unattributed_usd, untraced_usd: c.untraced_usd, variance_pct: c.variance_pct,
  });
  const byProvider = table('Invoice reconciliation by provider', [
    { key: 'provider', header: 'provider', kind: 'text' },
    { key: 'invoice_usd', header: 'invoice', kind: 'money' },
    { key: 'span_usd', header: 'spans', kind: 'money' },
    { key: 'attributed_usd', header: 'attributed', kind: 'money' },
    { key: 'unattributed_usd', header: 'unattributed', kind: 'money' },
    { key: 'untraced_usd', header: 'untraced', kind: 'money' },
    { key: 'variance_pct', header: 'untraced share', kind: 'rate' },
  ], rows, ['spans priced at the book over the UTC month; untraced = invoice − spans', ...c.notes]);
  const byCause = table('Invoice variance by cause (invoice − spans)', [
    { key: 'cause', header: 'cause', kind: 'text' },
    { key: 'lines', header: 'lines', kind: 'int' },
    { key: 'usd', header: 'USD', kind: 'money' },
    { key: 'meaning', header: 'meaning', kind: 'text' },
  ], c.causes.map((x) => ({ ...x, meaning: CAUSE_MEANING[x.cause] })), [
    `unexplained (quantity and unpriced lines, absolute): ${formatUsd(c.unexplained_usd ?? 0)}${c.unexplained_pct === null ? '' : `, ${pct(c.unexplained_pct)} of the invoice`} — ${verdict(c)}`,
  ]);
  return c.causes.length > 0 ? [byProvider, byCause] : [{ ...byProvider, notes: [...byProvider.notes, 'every invoice line matches the spans'] }];
}
