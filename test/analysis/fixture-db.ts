// Hand-made spans for analysis tests: an in-memory database, explicit column lists, the real price book.
import type { DuckDBValue } from '@duckdb/node-api';
import { Database } from '../../src/db/database.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';

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

const COLUMNS = [
  'trace_id', 'span_id', 'ingest_id', 'source', 'name', 'operation', 'start_time', 'end_time', 'is_inference',
  'provider', 'request_model', 'response_model', 'service_tier', 'input_tokens', 'cache_read_tokens',
  'cache_write_5m_tokens', 'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens', 'input_convention',
  'has_cache_counts', 'tenant', 'user_id', 'task', 'route', 'tier', 'effort', 'prompt_tokens', 'tool_tokens',
  'memory_tokens',
] as const;

function values(s: SpanInput): DuckDBValue[] {
  const start = s.start ?? '2026-10-05 12:00:00';
  return [
    s.trace, s.span, 1, 'test', s.name ?? `chat ${s.model ?? ''}`, s.inference === false ? 'execute_tool' : 'chat',
    start, start, s.inference ?? true,
    s.provider ?? 'anthropic', s.model ?? null, s.model ?? null, s.serviceTier ?? 'standard',
    s.input ?? 0, s.cacheRead ?? 0, s.write5m ?? 0, s.write1h ?? 0, s.output ?? 0, 0, 'exclusive', true,
    s.tenant ?? null, s.user ?? null, s.task ?? null, s.route ?? null, s.tier ?? null, s.effort ?? null,
    s.prompt ?? null, s.tool ?? null, s.memory ?? null,
  ];
}

export async function openWithSpans(spans: readonly SpanInput[]): Promise<Database> {
  const db = await Database.open();
  const placeholders = COLUMNS.map((c) => (c === 'start_time' || c === 'end_time' ? '?::TIMESTAMP' : '?')).join(', ');
  for (const span of spans) {
    await db.exec(`INSERT INTO spans (${COLUMNS.join(', ')}) VALUES (${placeholders})`, values(span));
  }
  await installPriceBook(db, await loadPriceBook([]));
  return db;
}

/** USD from a count of tokens and a list price per million tokens, rounded to 6 decimals like the output. */
export function usd(...terms: Array<[tokens: number, perMtok: number]>): number {
  // integer micro-cent arithmetic: per-MTok prices here have at most 2 decimals
  const units = terms.reduce((sum, [tokens, perMtok]) => sum + tokens * Math.round(perMtok * 100), 0);
  return Math.round(units / 1e2) / 1e6;
}
