// Whole-run atomicity (issue 16.2): spans, invoices, revenue, tag resolution and the ingest record
// of one `costattr ingest` commit together, or not at all. A bad invoice or revenue file given beside
// good spans stops the run with exit 2 naming the file, and the database holds what it held before.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeLines } from './otlp-builder.js';

const dir = tempDir('costattr-whole-run-');
const db = join(dir, 'costs.duckdb');
const line = (span: string, input: number): string => JSON.stringify({
  trace_id: 'tr', span_id: span, operation: 'chat', request_model: 'gpt-4o', input_tokens: input, output_tokens: 1, start_time: '2026-01-01T00:00:00Z',
});
const first = writeLines(dir, 'first.jsonl', [line('a', 10)]);
const second = writeLines(dir, 'second.jsonl', [line('b', 20), line('c', 30)]);
const badInvoice = join(dir, 'bad-invoice.csv');
const goodInvoice = join(dir, 'invoice.csv');
const badRevenue = join(dir, 'bad-revenue.csv');
const INVOICE_HEADER = 'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status';
writeFileSync(goodInvoice, `${INVOICE_HEADER}\n2026-01-01,Claude Haiku 4.5,Default,k,message,≤ 200k,output,0.25,0.25,token,not_available,,apikey_01,active\n`);
writeFileSync(badInvoice, `${INVOICE_HEADER}\n2026-01-01,Claude Haiku 4.5,Default,k,message,≤ 200k,output,lots,0.25,token,not_available,,apikey_01,active\n`);
writeFileSync(badRevenue, 'tenant,month,revenue_usd\nt1,2026-13,5\n');

interface Held extends Record<string, unknown> {
  spans: string;
  input: string;
  ingests: string;
  lines: string;
}

async function held(): Promise<Held> {
  const handle = await Database.open({ path: db, readOnly: true });
  try {
    return (await handle.one<Held>(`SELECT (SELECT count(*) FROM spans)::VARCHAR AS spans, (SELECT coalesce(sum(input_tokens), 0) FROM spans)::VARCHAR AS input,
      (SELECT count(*) FROM ingests)::VARCHAR AS ingests, (SELECT count(*) FROM invoice_lines)::VARCHAR AS lines`)) as Held;
  } finally {
    handle.close();
  }
}

describe('one ingest run commits as one', () => {
  const EARLIER: Held = { spans: '1', input: '10', ingests: '1', lines: '0' };

  beforeAll(async () => {
    const result = await runCli(['ingest', '--db', db, '--quiet', first]);
    expect(result.code, result.stderr).toBe(0);
    expect(await held()).toEqual(EARLIER);
  });

  it('a bad invoice file beside good spans: exit 2 naming the file and row, no span stored', async () => {
    const result = await runCli(['ingest', '--db', db, '--quiet', second, '--invoice', badInvoice]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${badInvoice} row 2: field cost_usd`);
    expect(await held()).toEqual(EARLIER);
  });

  it('a bad revenue file after good spans and invoices: exit 2, neither the spans nor the invoice lines stored', async () => {
    const result = await runCli(['ingest', '--db', db, '--quiet', second, '--invoice', goodInvoice, '--revenue', badRevenue]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${badRevenue} row 1: field month`);
    expect(await held()).toEqual(EARLIER);
  });

  it('the same run with good files stores all of it', async () => {
    const result = await runCli(['ingest', '--db', db, '--quiet', second, '--invoice', goodInvoice]);
    expect(result.code, result.stderr).toBe(0);
    expect(await held()).toEqual({ spans: '3', input: '60', ingests: '3', lines: '1' });
  });
});
