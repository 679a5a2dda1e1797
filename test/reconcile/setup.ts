// Reconcile test data: spans inserted by hand (with their input convention and tenant), invoices
// written as a canonical-header CSV and loaded through the real invoice ingest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';

export interface Span {
  id: string;
  /** Defaults to the span id (one span per trace). */
  trace?: string;
  provider: string;
  model: string;
  start: string;
  tenant?: string | null;
  input?: number;
  cacheRead?: number;
  output?: number;
  /** `no_cache_counts`: the source reported no cache tokens (input holds cached ones too). */
  convention?: 'exclusive' | 'inclusive' | 'no_cache_counts';
}

export interface InvoiceLine {
  provider: string;
  day: string;
  model: string;
  token_class: string;
  quantity: number | '';
  amount_usd: string;
}

export async function insertSpans(db: Database, spans: readonly Span[]): Promise<void> {
  for (const s of spans) {
    const convention = s.convention ?? 'exclusive';
    await db.exec(
      `INSERT INTO spans (trace_id, span_id, ingest_id, source, is_inference, start_time, provider, request_model, response_model,
         service_tier, input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
         reasoning_tokens, input_convention, has_cache_counts, tenant)
       VALUES ($trace, $id, 1, 'test', true, CAST($start AS TIMESTAMP), $provider, $model, $model, 'standard',
         $input, $cr, 0, 0, $output, 0, $convention, $has_cache, $tenant)`,
      {
        id: s.id, trace: s.trace ?? s.id, start: s.start, provider: s.provider, model: s.model, input: s.input ?? 0, cr: s.cacheRead ?? 0,
        output: s.output ?? 0, convention, has_cache: convention !== 'no_cache_counts', tenant: s.tenant === undefined ? 't1' : s.tenant,
      },
    );
  }
}

/** Non-inference tool-call spans in one trace, one per argument string. */
export async function insertToolCalls(db: Database, call: { trace: string; tenant: string; start: string; tool: string; args: readonly string[] }): Promise<void> {
  for (const [i, args] of call.args.entries()) {
    await db.exec(
      `INSERT INTO spans (trace_id, span_id, ingest_id, source, is_inference, start_time, service_tier, input_tokens, cache_read_tokens,
         cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens, input_convention, has_cache_counts, tenant,
         tool_name, tool_arguments)
       VALUES ($trace, $id, 1, 'test', false, CAST($start AS TIMESTAMP), 'standard', 0, 0, 0, 0, 0, 0, 'exclusive', true, $tenant, $tool, $args)`,
      { trace: call.trace, id: `${call.trace}-tool-${i}`, start: call.start, tenant: call.tenant, tool: call.tool, args },
    );
  }
}

export function writeInvoiceCsv(lines: readonly InvoiceLine[], dir = tempDir('costattr-inv-')): string {
  const path = join(dir, 'invoice.csv');
  const body = lines.map((l) => [l.provider, l.day, l.model, l.token_class, l.quantity, l.amount_usd].join(','));
  writeFileSync(path, ['provider,day,model,token_class,quantity,amount_usd', ...body].join('\n') + '\n');
  return path;
}

/** An in-memory (or file) database with the spans, the invoice lines and the real price book. */
export async function openReconcileDb(spans: readonly Span[], lines: readonly InvoiceLine[], path?: string): Promise<Database> {
  const db = await Database.open({ path });
  await insertSpans(db, spans);
  if (lines.length > 0) await ingestInvoiceFiles(db, [writeInvoiceCsv(lines)]);
  await installPriceBook(db, await loadPriceBook([]));
  return db;
}

/** Micro-dollars from tokens × USD per million tokens, exactly (prices here have ≤ 2 decimals). */
export function usd(tokens: number, perMtok: number): number {
  return (tokens * Math.round(perMtok * 100)) / 1e8;
}
