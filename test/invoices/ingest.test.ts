// Invoice ingest behaviour: bad rows name file, row and field and leave the database as it was;
// --skip-invalid loads the rest; re-ingesting a file (or an overlapping export) counts once;
// invoice display names resolve to canonical ids through the price book.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { parsePeriod } from '../../src/analysis/period.js';
import { reconcileLines } from '../../src/analysis/reconcile-lines.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures/invoices');
const HEADER = 'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type';

let db: Database | undefined;
afterEach(() => db?.close());

function costCsv(rows: string[]): string {
  const path = join(tempDir('costattr-inv-'), 'claude_api_cost_2026_08.csv');
  writeFileSync(path, [HEADER, ...rows].join('\n') + '\n');
  return path;
}

const count = async (d: Database) => Number((await d.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM invoice_lines'))?.n);

describe('invoice ingest', () => {
  it('a bad amount stops with exit 2 naming file, row and field, and nothing is stored', async () => {
    db = await Database.open();
    const bad = costCsv(['2026-08-04,Claude Haiku 4.5,Default,k,message,≤ 200k,output,0.02,0.02,token', '2026-08-04,Claude Haiku 4.5,Default,k,message,≤ 200k,input_no_cache,12abc,0.05,token']);
    const error = await ingestInvoiceFiles(db, [join(FIXTURES, 'anthropic-cost.csv'), bad]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CostattrError);
    expect((error as CostattrError).exitCode).toBe(2);
    expect((error as CostattrError).message).toContain(`${bad} row 3`);
    expect((error as CostattrError).message).toContain('field cost_usd');
    expect(await count(db)).toBe(0); // the good file before it was rolled back too
  });

  it('--skip-invalid loads the valid rows and reports the rejected one', async () => {
    db = await Database.open();
    const bad = costCsv(['2026-08-04,Claude Haiku 4.5,Default,k,message,≤ 200k,output,0.02,0.02,token', 'not-a-date,Claude Haiku 4.5,Default,k,message,≤ 200k,input_no_cache,0.05,0.05,token']);
    const report = await ingestInvoiceFiles(db, [bad], { skipInvalid: true });
    expect(report).toMatchObject({ loaded: 1, rejected: 1 });
    expect(report.problems[0]).toMatchObject({ row: 3, field: 'usage_date_utc' });
    expect(await count(db)).toBe(1);
  });

  it('ingesting the same file twice stores its lines once', async () => {
    db = await Database.open();
    const first = await ingestInvoiceFiles(db, [join(FIXTURES, 'anthropic-cost.csv')]);
    const second = await ingestInvoiceFiles(db, [join(FIXTURES, 'anthropic-cost.csv')]);
    expect(second.replaced).toBe(first.loaded);
    expect(await count(db)).toBe(first.loaded);
    const ingests = await db.all<{ format: string }>(`SELECT format FROM ingests ORDER BY ingest_id`);
    expect(ingests.map((r) => r.format)).toEqual(['invoice:anthropic-cost-csv', 'invoice:anthropic-cost-csv']);
  });

  it('an unknown header is refused with the columns it saw', async () => {
    db = await Database.open();
    const path = join(tempDir('costattr-inv-'), 'x.csv');
    writeFileSync(path, 'a,b\n1,2\n');
    await expect(ingestInvoiceFiles(db, [path])).rejects.toThrow(/not a recognised invoice format.*columns: a, b/);
  });

  it('--provider narrows detection: an Anthropic file is not an OpenAI invoice', async () => {
    db = await Database.open();
    await expect(ingestInvoiceFiles(db, [join(FIXTURES, 'anthropic-cost.csv')], { provider: 'openai' })).rejects.toThrow(/for provider openai/);
  });

  it('display names and dated snapshots resolve to canonical ids at query time', async () => {
    db = await Database.open();
    await ingestInvoiceFiles(db, [join(FIXTURES, 'anthropic-cost.csv'), join(FIXTURES, 'openai-cost.csv')]);
    await installPriceBook(db, await loadPriceBook([]));
    const lines = await reconcileLines(db, parsePeriod({ timezone: 'UTC' }));
    const models = [...new Set(lines.map((l) => l.model))];
    expect(models).toEqual(expect.arrayContaining(['claude-haiku-4-5', 'claude-sonnet-4-5', 'gpt-4.1-mini', 'gpt-5-mini', 'gpt-5.4']));
    expect(models).not.toContain('Claude Haiku 4.5');
  });
});
