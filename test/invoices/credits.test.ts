// Credits and adjustments (negative dollars) are lines of their own: a separate credit file never
// replaces the charge that shares its key, nor nets into it, and reconcile shows it as cause
// `credit`. Figures by hand: Sonnet 4.5, 32 input × $3/MTok = $0.000096, 180 output × $15/MTok = $0.0027.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { reconcileLines } from '../../src/analysis/reconcile-lines.js';
import { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

const HEADER = 'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status';
const row = (tokenType: string, usd: string) => `2026-01-09,Claude Sonnet 4.5,Default,prod,message,≤ 200k,${tokenType},${usd},${usd},token,global,,apikey_01A,active`;

let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

function files(): { charges: string; credits: string } {
  const dir = tempDir('costattr-credit-');
  const charges = join(dir, 'cost.csv');
  const credits = join(dir, 'credits.csv');
  writeFileSync(charges, [HEADER, row('input_no_cache', '0.000096'), row('output', '0.0027')].join('\n') + '\n');
  writeFileSync(credits, [HEADER, row('output', '-0.0027')].join('\n') + '\n');
  return { charges, credits };
}

it('a credit file keeps the charge it shares a key with, as a line of its own', async () => {
  const { charges, credits } = files();
  const report = await ingestInvoiceFiles(db, [charges, credits]);
  expect(report).toMatchObject({ loaded: 3, replaced: 0 });
  const lines = await db.all<{ token_class: string; amount: string; description: string | null }>(
    `SELECT token_class, amount_usd::DOUBLE::VARCHAR AS amount, description FROM invoice_lines ORDER BY token_class, amount_usd`);
  expect(lines).toEqual([
    { token_class: 'input', amount: '9.6e-05', description: null },
    { token_class: 'output', amount: '-0.0027', description: 'credit' },
    { token_class: 'output', amount: '0.0027', description: null },
  ]);
});

it('reconcile matches the charge to its span and shows the credit as cause `credit`', async () => {
  const { charges, credits } = files();
  await ingestInvoiceFiles(db, [charges, credits]);
  await insertSpanRows(db, [spanRow({
    trace_id: 't1', span_id: 's1', start_time: '2026-01-09 10:00:00', provider: 'anthropic', request_model: 'claude-sonnet-4-5',
    response_model: 'claude-sonnet-4-5', input_tokens: 32, output_tokens: 180,
  })]);
  await installPriceBook(db, await loadPriceBook([]));
  const lines = await reconcileLines(db, { since: '2026-01-09', until: '2026-01-10', timezone: 'UTC' });
  expect(lines.map((l) => [l.token_class, l.invoice_usd, l.span_usd, l.variance_usd, l.cause])).toEqual([
    ['input', 0.000096, 0.000096, 0, 'match'],
    ['output', 0.0027, 0.0027, 0, 'match'],
    ['output', -0.0027, 0, -0.0027, 'credit'],
  ]);
});
