// report monthly with the invoice: the month's reconciliation per provider and by cause, against the
// tolerance, with every figure worked out by hand from the fixture's calls and billed lines
// (fixture.ts `octoberInvoices`); and the explicit "not reconciled" when no invoice line is in the month.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlyReport, type MonthlyReport } from '../../src/analysis/report/monthly.js';
import type { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { renderReport } from '../../src/render/report.js';
import { tempDir } from '../helpers/cli.js';
import { CALL, INVOICE_EXTRA_SPANS, MONTHLY_REVENUE, monthlySpans, octoberInvoices, openReportDb, usd } from './fixture.js';

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

// October spans, by hand: acme 55 input calls + a 190k cache read; beta 100k output and 1M gpt-4.1-mini
// input; the hostile tenant one input call; one tenant-less input call.
const SONNET_SPANS = 55 * usd(CALL, 3) + usd(190_000, 0.3) + usd(100_000, 15) + usd(CALL, 3) + usd(CALL, 3);
const UNATTRIBUTED = usd(CALL, 3);
const MINI_SPAN = usd(1_000_000, 0.4);
const SONNET_INVOICE = SONNET_SPANS + 1 - 0.5 + 2;

describe('report monthly with invoices', () => {
  let db: Database;
  let report: MonthlyReport;
  beforeAll(async () => {
    db = await openReportDb([...monthlySpans(), ...INVOICE_EXTRA_SPANS], MONTHLY_REVENUE);
    await ingestInvoiceFiles(db, octoberInvoices(tempDir('costattr-invoice-')));
    report = await monthlyReport(db, { month: '2026-10', timezone: 'UTC', budget: null });
  });
  afterAll(() => db.close());

  it('puts the invoice total, attributed, unattributed and untraced spend beside each other, per provider', () => {
    const r = report.reconcile;
    expect(r.status).toBe('reconciled');
    expect(r.invoice_usd).toBe(round6(SONNET_INVOICE + MINI_SPAN));
    expect(r.span_usd).toBe(round6(SONNET_SPANS + MINI_SPAN));
    expect(r.unattributed_usd).toBe(UNATTRIBUTED);
    expect(r.attributed_usd).toBe(round6(SONNET_SPANS + MINI_SPAN - UNATTRIBUTED));
    expect(r.untraced_usd).toBe(round6(1 - 0.5 + 2));
    expect(r.providers).toEqual([
      { provider: 'anthropic', invoice_usd: round6(SONNET_INVOICE), span_usd: round6(SONNET_SPANS), attributed_usd: round6(SONNET_SPANS - UNATTRIBUTED), unattributed_usd: UNATTRIBUTED, untraced_usd: 2.5, variance_pct: 2.5 / round6(SONNET_INVOICE) },
      { provider: 'openai', invoice_usd: MINI_SPAN, span_usd: MINI_SPAN, attributed_usd: MINI_SPAN, unattributed_usd: 0, untraced_usd: 0, variance_pct: 0 },
    ]);
  });

  it('explains the variance by cause and judges the unexplained part against the 2% default tolerance', () => {
    const r = report.reconcile;
    expect(r.causes).toEqual([
      { cause: 'untraced', lines: 2, usd: 3 },
      { cause: 'quantity', lines: 1, usd: -0.5 },
    ]);
    expect(r.unexplained_usd).toBe(0.5);
    expect(r.unexplained_pct).toBeCloseTo(0.5 / (SONNET_INVOICE + MINI_SPAN), 9);
    expect(r.tolerance).toBe(0.02);
    expect(0.5 / (SONNET_INVOICE + MINI_SPAN)).toBeGreaterThan(0.02);
    expect(r.within_tolerance).toBe(false);
  });

  it('a wider tolerance accepts the same variance', async () => {
    const wide = await monthlyReport(db, { month: '2026-10', timezone: 'UTC', budget: null, tolerance: 0.05 });
    expect([wide.reconcile.tolerance, wide.reconcile.within_tolerance]).toEqual([0.05, true]);
  });

  it('renders the invoice in md, html and json', () => {
    const md = renderReport(report, 'md', { color: false });
    expect(md).toContain(`- Invoiced $${(SONNET_INVOICE + MINI_SPAN).toFixed(2)} (anthropic $${SONNET_INVOICE.toFixed(2)}, openai $0.40): the spans carry $${(SONNET_SPANS + MINI_SPAN).toFixed(2)}`);
    expect(md).toContain('- Unexplained invoice variance $0.50 (2.3% of the invoice): over the 2.0% tolerance.');
    expect(md).toContain('### Invoice reconciliation by provider');
    expect(md).toContain('| untraced | 2 | $3.00 | billed traffic with no spans behind it |');
    const html = renderReport(report, 'html', { color: false });
    expect(html).toContain('Invoice reconciliation by provider');
    expect(html).toContain('Invoice variance by cause');
    const json = JSON.parse(renderReport(report, 'json', { color: false })) as { reconcile: MonthlyReport['reconcile']; headline: string[] };
    expect(json.reconcile).toEqual(report.reconcile);
    expect(json.headline[1]).toMatch(/^Invoiced \$/);
  });
});

describe('report monthly without invoice lines in the month', () => {
  it('says so instead of showing a $0 variance, naming what is loaded', async () => {
    const db = await openReportDb(monthlySpans());
    try {
      const none = (await monthlyReport(db, { month: '2026-10', timezone: 'UTC', budget: null })).reconcile;
      expect(none).toMatchObject({ status: 'no_invoices', invoice_usd: null, untraced_usd: null, unexplained_usd: null, within_tolerance: null, providers: [], causes: [] });
      expect(none.note).toBe('no invoice lines for 2026-10: spend is priced from the spans and not reconciled (no invoices are loaded: give --invoice FILE… or ingest them)');
      await ingestInvoiceFiles(db, octoberInvoices(tempDir('costattr-invoice-')));
      const september = await monthlyReport(db, { month: '2026-09', timezone: 'UTC', budget: null });
      expect(september.reconcile.note).toContain('the invoices loaded cover 2026-10-01 – 2026-10-12');
      const md = renderReport(september, 'md', { color: false });
      expect(md).toContain('- No invoice lines for 2026-09: spend is priced from the spans and not reconciled');
      expect(md).toContain('| not reconciled | no invoice lines for 2026-09');
      expect(md).not.toMatch(/Invoiced \$/);
    } finally {
      db.close();
    }
  });
});
