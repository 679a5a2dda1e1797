// Hand-made spans for analysis tests: an in-memory database, rows from test/helpers/spans.ts, the real price book.
import { Database } from '../../src/db/database.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { insertSpanRows, spanRow, type CanonicalSpan } from '../helpers/spans.js';

export interface SpanInput {
  trace: string;
  span: string;
  model?: string | null;
  start?: string;
  tenant?: string | null;
  user?: string | null;
  task?: string | null;
  route?: string | null;
  tier?: string | null;
  effort?: string | null;
  provider?: string;
  serviceTier?: string;
  name?: string;
  input?: number;
  cacheRead?: number;
  write5m?: number;
  write1h?: number;
  output?: number;
  prompt?: number | null;
  tool?: number | null;
  memory?: number | null;
  inference?: boolean;
}

function row(s: SpanInput): CanonicalSpan {
  const start = s.start ?? '2026-10-05 12:00:00';
  return spanRow({
    trace_id: s.trace, span_id: s.span, name: s.name ?? `chat ${s.model ?? ''}`, operation: s.inference === false ? 'execute_tool' : 'chat',
    start_time: start, end_time: start, is_inference: s.inference ?? true,
    provider: s.provider ?? 'anthropic', request_model: s.model ?? null, response_model: s.model ?? null, service_tier: s.serviceTier ?? 'standard',
    input_tokens: s.input ?? 0, cache_read_tokens: s.cacheRead ?? 0, cache_write_5m_tokens: s.write5m ?? 0, cache_write_1h_tokens: s.write1h ?? 0,
    output_tokens: s.output ?? 0,
    tenant: s.tenant ?? null, user_id: s.user ?? null, task: s.task ?? null, route: s.route ?? null, tier: s.tier ?? null, effort: s.effort ?? null,
    prompt_tokens: s.prompt ?? null, tool_tokens: s.tool ?? null, memory_tokens: s.memory ?? null,
  });
}

export async function openWithSpans(spans: readonly SpanInput[]): Promise<Database> {
  const db = await Database.open();
  await insertSpanRows(db, spans.map(row));
  await installPriceBook(db, await loadPriceBook([]));
  return db;
}

/** USD from a count of tokens and a list price per million tokens, rounded to 6 decimals like the output. */
export function usd(...terms: Array<[tokens: number, perMtok: number]>): number {
  // integer micro-cent arithmetic: per-MTok prices here have at most 2 decimals
  const units = terms.reduce((sum, [tokens, perMtok]) => sum + tokens * Math.round(perMtok * 100), 0);
  return Math.round(units / 1e2) / 1e6;
}
