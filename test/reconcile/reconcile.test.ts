// Reconcile against hand-made spans and invoices: every expected figure is tokens × list price,
// computed here (Sonnet 4.5 $3/$0.30/$15, Haiku 4.5 $1/$5, GPT-4.1 mini $0.40/$0.10/$1.60 per MTok).
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { parsePeriod } from '../../src/analysis/period.js';
import { reconcile } from '../../src/analysis/reconcile.js';
import type { ReconcileLine } from '../../src/analysis/reconcile-lines.js';
import { openReconcileDb, usd, type InvoiceLine, type Span } from './setup.js';

const OCTOBER = parsePeriod({ month: '2026-10', timezone: 'UTC' });
const SONNET = 'claude-sonnet-4-5';
const D5 = '2026-10-05';

let db: Database | undefined;
afterEach(() => db?.close());

const sonnetSpan: Span = { id: 's1', provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', start: `${D5} 10:00:00`, input: 100_000, cacheRead: 50_000, output: 20_000 };
const sonnetInvoice: InvoiceLine[] = [
  { provider: 'anthropic', day: D5, model: 'Claude Sonnet 4.5', token_class: 'input', quantity: 100_000, amount_usd: '0.30' },
  { provider: 'anthropic', day: D5, model: 'Claude Sonnet 4.5', token_class: 'cache_read', quantity: 50_000, amount_usd: '0.015' },
  { provider: 'anthropic', day: D5, model: 'Claude Sonnet 4.5', token_class: 'output', quantity: 20_000, amount_usd: '0.30' },
];

function line(lines: readonly ReconcileLine[], model: string, day: string, cls: string): ReconcileLine {
  const found = lines.find((l) => l.model === model && l.day === day && l.token_class === cls);
  if (!found) throw new Error(`no line ${model} ${day} ${cls}`);
  return found;
}

describe('reconcile', () => {
  it('a perfect match has zero variance and every line is a match', async () => {
    db = await openReconcileDb([sonnetSpan], sonnetInvoice);
    const { report, gateFailed } = await reconcile(db, { period: OCTOBER, tolerance: 0 });
    const expected = usd(100_000, 3) + usd(50_000, 0.3) + usd(20_000, 15);
    expect(report.invoice_usd).toBeCloseTo(expected, 9);
    expect(report.span_usd).toBeCloseTo(expected, 9);
    expect(report.variance_usd).toBe(0);
    expect(report.untraced_usd).toBe(0);
    expect(report.lines.map((l) => l.cause)).toEqual(['match', 'match', 'match']);
    expect(line(report.lines, SONNET, D5, 'cache_read')).toMatchObject({ invoice_tokens: 50_000, span_tokens: 50_000 });
    expect(gateFailed).toBe(false);
  });

  it('billed traffic without spans is untraced, and spans + untraced = invoice', async () => {
    const haiku: InvoiceLine = { provider: 'anthropic', day: D5, model: 'claude-haiku-4-5-20251001', token_class: 'output', quantity: 10_000, amount_usd: '0.05' };
    db = await openReconcileDb([{ ...sonnetSpan, tenant: null }], [...sonnetInvoice, haiku]);
    const { report, byCause } = await reconcile(db, { period: OCTOBER });
    const untraced = line(report.lines, 'claude-haiku-4-5', D5, 'output');
    expect(untraced).toMatchObject({ cause: 'untraced', invoice_tokens: 10_000, span_tokens: 0, invoice_usd: usd(10_000, 5), span_usd: 0 });
    expect(byCause.untraced).toBeCloseTo(usd(10_000, 5), 9);
    expect(report.untraced_usd).toBeCloseTo(usd(10_000, 5), 9);
    expect(report.span_usd + report.untraced_usd).toBeCloseTo(report.invoice_usd, 9);
    // the span has no tenant: all its spend is unattributed
    expect(report.unattributed_usd).toBeCloseTo(report.span_usd, 9);
  });

  it('spans without cache counts against an invoice with cached input: cache_convention, dollars by hand', async () => {
    // the official OpenAI instrumentation reports 10,000 input tokens (4,000 of them cached) and no cache count
    const spans: Span[] = [{ id: 'o1', provider: 'openai', model: 'gpt-4.1-mini-2025-04-14', start: `${D5} 09:00:00`, input: 10_000, output: 1_000, convention: 'no_cache_counts' }];
    const invoice: InvoiceLine[] = [
      { provider: 'openai', day: D5, model: 'gpt-4.1-mini-2025-04-14', token_class: 'input', quantity: 6_000, amount_usd: String(usd(6_000, 0.4)) },
      { provider: 'openai', day: D5, model: 'gpt-4.1-mini-2025-04-14', token_class: 'cache_read', quantity: 4_000, amount_usd: String(usd(4_000, 0.1)) },
      { provider: 'openai', day: D5, model: 'gpt-4.1-mini-2025-04-14', token_class: 'output', quantity: 1_000, amount_usd: String(usd(1_000, 1.6)) },
    ];
    db = await openReconcileDb(spans, invoice);
    const { report, byCause, unexplained_usd } = await reconcile(db, { period: OCTOBER, tolerance: 0 });
    expect(line(report.lines, 'gpt-4.1-mini', D5, 'input')).toMatchObject({ cause: 'cache_convention', variance_usd: -usd(4_000, 0.4) });
    expect(line(report.lines, 'gpt-4.1-mini', D5, 'cache_read')).toMatchObject({ cause: 'cache_convention', variance_usd: usd(4_000, 0.1) });
    expect(line(report.lines, 'gpt-4.1-mini', D5, 'output').cause).toBe('match');
    // the gap is the cached tokens priced at full input instead of the cache-read rate
    expect(byCause.cache_convention).toBeCloseTo(-(usd(4_000, 0.4) - usd(4_000, 0.1)), 9);
    expect(report.variance_usd).toBeCloseTo(-0.0012, 9);
    expect(unexplained_usd).toBe(0);
  });

  it('a negotiated 10% discount is a rate variance', async () => {
    const discounted = sonnetInvoice.map((l) => ({ ...l, amount_usd: (Number(l.amount_usd) * 0.9).toFixed(6) }));
    db = await openReconcileDb([sonnetSpan], discounted);
    const { report, byCause, unexplained_usd, gateFailed } = await reconcile(db, { period: OCTOBER, tolerance: 0.02 });
    expect(report.lines.map((l) => l.cause)).toEqual(['rate', 'rate', 'rate']);
    const list = usd(100_000, 3) + usd(50_000, 0.3) + usd(20_000, 15);
    expect(byCause.rate).toBeCloseTo(-list * 0.1, 9);
    expect(unexplained_usd).toBe(0);
    expect(gateFailed).toBe(false);
  });

  it('traffic billed on the next day is a day_boundary shift that nets out', async () => {
    const spans: Span[] = [
      { id: 'h1', provider: 'anthropic', model: 'claude-haiku-4-5', start: `${D5} 12:00:00`, output: 10_000 },
      { id: 'h2', provider: 'anthropic', model: 'claude-haiku-4-5', start: '2026-10-05 23:59:59', output: 2_000 },
      { id: 'h3', provider: 'anthropic', model: 'claude-haiku-4-5', start: '2026-10-06 12:00:00', output: 10_000 },
    ];
    const invoice: InvoiceLine[] = [
      { provider: 'anthropic', day: D5, model: 'Claude Haiku 4.5', token_class: 'output', quantity: 10_000, amount_usd: String(usd(10_000, 5)) },
      { provider: 'anthropic', day: '2026-10-06', model: 'Claude Haiku 4.5', token_class: 'output', quantity: 12_000, amount_usd: String(usd(12_000, 5)) },
    ];
    db = await openReconcileDb(spans, invoice);
    const { report, byCause } = await reconcile(db, { period: OCTOBER });
    expect(line(report.lines, 'claude-haiku-4-5', D5, 'output')).toMatchObject({ cause: 'day_boundary', variance_usd: -usd(2_000, 5) });
    expect(line(report.lines, 'claude-haiku-4-5', '2026-10-06', 'output')).toMatchObject({ cause: 'day_boundary', variance_usd: usd(2_000, 5) });
    expect(byCause.day_boundary).toBe(0);
    expect(report.variance_usd).toBe(0);
  });

  it('more tokens billed than traced on a traced line: the excess is untraced (explained)', async () => {
    const more = sonnetInvoice.map((l) => (l.token_class === 'input' ? { ...l, quantity: 110_000, amount_usd: '0.33' } : l));
    db = await openReconcileDb([sonnetSpan], more);
    const result = await reconcile(db, { period: OCTOBER, tolerance: 0 });
    expect(line(result.report.lines, SONNET, D5, 'input')).toMatchObject({ cause: 'untraced', invoice_tokens: 110_000, span_tokens: 100_000, variance_usd: usd(10_000, 3) });
    expect(result.report.untraced_usd).toBeCloseTo(usd(10_000, 3), 9);
    expect(result.gateFailed).toBe(false);
  });

  it('spans carrying more tokens than were billed is unexplained and fails a 2% tolerance', async () => {
    const fewer = sonnetInvoice.map((l) => (l.token_class === 'input' ? { ...l, quantity: 90_000, amount_usd: '0.27' } : l));
    db = await openReconcileDb([sonnetSpan], fewer);
    const result = await reconcile(db, { period: OCTOBER, tolerance: 0.02 });
    expect(line(result.report.lines, SONNET, D5, 'input')).toMatchObject({ cause: 'quantity', variance_usd: -usd(10_000, 3) });
    expect(result.unexplained_usd).toBeCloseTo(usd(10_000, 3), 9);
    expect(result.unexplained_pct).toBeCloseTo(usd(10_000, 3) / (0.27 + 0.015 + 0.3), 9);
    expect(result.gateFailed).toBe(true);
    expect((await reconcile(db, { period: OCTOBER, tolerance: 0.06 })).gateFailed).toBe(false);
  });

  it('cache economics: hit rate, naive cost at the input price, savings', async () => {
    db = await openReconcileDb([sonnetSpan], sonnetInvoice);
    const { report } = await reconcile(db, { period: OCTOBER });
    const naive = usd(150_000, 3) + usd(20_000, 15);
    const actual = usd(100_000, 3) + usd(50_000, 0.3) + usd(20_000, 15);
    expect(report.cache.hit_rate).toBeCloseTo(50_000 / 150_000, 12);
    expect(report.cache.naive_usd).toBeCloseTo(naive, 9);
    expect(report.cache.actual_usd).toBeCloseTo(actual, 9);
    expect(report.cache.savings_usd).toBeCloseTo(naive - actual, 9);
  });

  it('spans outside the period and invoices of other months are left out', async () => {
    const september: Span = { ...sonnetSpan, id: 'old', start: '2026-09-30 23:00:00' };
    const novInvoice: InvoiceLine = { provider: 'anthropic', day: '2026-11-01', model: 'Claude Sonnet 4.5', token_class: 'output', quantity: 1, amount_usd: '9' };
    db = await openReconcileDb([sonnetSpan, september], [...sonnetInvoice, novInvoice]);
    const { report } = await reconcile(db, { period: OCTOBER });
    expect(report.variance_usd).toBe(0);
    expect(report.lines).toHaveLength(3);
  });
});
