// Reconcile test data: spans written by test/helpers/spans.ts (with their input convention and tenant), invoices
// written as a canonical-header CSV and loaded through the real invoice ingest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

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
  await insertSpanRows(db, spans.map((s) => {
    const convention = s.convention ?? 'exclusive';
    return spanRow({
      trace_id: s.trace ?? s.id, span_id: s.id, start_time: s.start, provider: s.provider, request_model: s.model, response_model: s.model,
      input_tokens: s.input ?? 0, cache_read_tokens: s.cacheRead ?? 0, output_tokens: s.output ?? 0,
      input_convention: convention, has_cache_counts: convention !== 'no_cache_counts', tenant: s.tenant === undefined ? 't1' : s.tenant,
    });
  }));
}

/** Non-inference tool-call spans in one trace, one per argument string. */
export async function insertToolCalls(db: Database, call: { trace: string; tenant: string; start: string; tool: string; args: readonly string[] }): Promise<void> {
  await insertSpanRows(db, call.args.map((args, i) => spanRow({
    trace_id: call.trace, span_id: `${call.trace}-tool-${i}`, is_inference: false, start_time: call.start, tenant: call.tenant,
    tool_name: call.tool, tool_arguments: args,
  })));
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
