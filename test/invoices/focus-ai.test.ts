// A FOCUS 1.2 cost-and-usage file shaped like the spec's AI model example (FOCUS_Spec PR #2442 and
// #2682: model identity and token direction / cache action in SkuPriceDetails, one SkuId per
// direction, raw tokens in ConsumedQuantity with ConsumedUnit "Tokens"): one model billed as four
// SKU prices meets its spans as one model, class by class. Dollars by hand at Sonnet 4.5 list
// prices ($/MTok 3 input, 0.30 cache read, 3.75 cache write, 15 output).
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { reconcileLines } from '../../src/analysis/reconcile-lines.js';
import { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { ROOT } from '../helpers/cli.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

it('takes the model from SkuPriceDetails.ModelId and the class from its cache action and direction', async () => {
  await ingestInvoiceFiles(db, [join(ROOT, 'fixtures/invoices/focus-1.2-ai.csv')]);
  const lines = await db.all<{ model: string | null; token_class: string; quantity: string | null; amount_usd: string }>(
    `SELECT model, token_class, quantity::VARCHAR AS quantity, amount_usd::VARCHAR AS amount_usd FROM invoice_lines ORDER BY token_class`);
  // SkuId says CS45-IN for three rows and CS45-OUT for one; SkuMeter says "Input Tokens" for the cache rows
  expect(lines.map((l) => [l.model, l.token_class, l.quantity, Number(l.amount_usd)])).toEqual([
    ['claude-sonnet-4-5', 'cache_read', '20000', 0.006],
    ['claude-sonnet-4-5', 'cache_write_5m', '1000', 0.00375],
    ['claude-sonnet-4-5', 'input', '32', 0.000096],
    [null, 'other', null, 0.5],
    ['claude-sonnet-4-5', 'output', '180', 0.0027],
  ]);
});

it('reconciles the four SKU prices of one model against its span, every line a match', async () => {
  await ingestInvoiceFiles(db, [join(ROOT, 'fixtures/invoices/focus-1.2-ai.csv')]);
  await insertSpanRows(db, [spanRow({
    trace_id: 't1', span_id: 's1', start_time: '2026-01-09 10:00:00', provider: 'anthropic', request_model: 'claude-sonnet-4-5-20250929',
    response_model: 'claude-sonnet-4-5-20250929', input_tokens: 32, cache_read_tokens: 20000, cache_write_5m_tokens: 1000, output_tokens: 180,
  })]);
  await installPriceBook(db, await loadPriceBook([]));
  const lines = await reconcileLines(db, { since: '2026-01-09', until: '2026-01-10', timezone: 'UTC' });
  const tokenLines = lines.filter((l) => l.token_class !== 'other');
  expect(tokenLines.map((l) => [l.model, l.token_class, l.invoice_tokens, l.span_tokens, l.invoice_usd, l.span_usd, l.cause])).toEqual([
    ['claude-sonnet-4-5', 'cache_read', 20000, 20000, 0.006, 0.006, 'match'],
    ['claude-sonnet-4-5', 'cache_write_5m', 1000, 1000, 0.00375, 0.00375, 'match'],
    ['claude-sonnet-4-5', 'input', 32, 32, 0.000096, 0.000096, 'match'],
    ['claude-sonnet-4-5', 'output', 180, 180, 0.0027, 0.0027, 'match'],
  ]);
});
