// Test helper: inference spans in the price book's terms (test/helpers/spans.ts writes them), read back priced.
import type { Database } from '../../src/db/database.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

export interface TestSpan {
  id: string;
  model: string | null;
  requestModel?: string | null;
  start?: string;
  tier?: string;
  input?: number;
  cacheRead?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  output?: number;
  isInference?: boolean;
}

export async function insertSpans(db: Database, spans: readonly TestSpan[]): Promise<void> {
  await insertSpanRows(db, spans.map((s) => spanRow({
    trace_id: 'trace',
    span_id: s.id,
    source: 'flat',
    is_inference: s.isInference ?? true,
    start_time: s.start ?? '2025-10-15 12:00:00',
    request_model: s.requestModel ?? null,
    response_model: s.model,
    service_tier: s.tier ?? 'standard',
    input_tokens: s.input ?? 0,
    cache_read_tokens: s.cacheRead ?? 0,
    cache_write_5m_tokens: s.cacheWrite5m ?? 0,
    cache_write_1h_tokens: s.cacheWrite1h ?? 0,
    output_tokens: s.output ?? 0,
  })));
}

export interface PricedRow {
  span_id: string;
  model: string;
  total_input_tokens: string;
  long_context: boolean;
  priced: boolean;
  unpriced_reason: string | null;
  rate_input: string | null;
  cost_input: string;
  cost_cache_read: string;
  cost_cache_write_5m: string;
  cost_cache_write_1h: string;
  cost_output: string;
  cost_usd: string;
  [key: string]: unknown;
}

export async function pricedById(db: Database): Promise<Map<string, PricedRow>> {
  const rows = await db.all<PricedRow>('SELECT * FROM priced_spans ORDER BY span_id');
  return new Map(rows.map((row) => [row.span_id, row]));
}

/** A DECIMAL as DuckDB prints it, reduced to its shortest exact form (`"0.046350000"` → `"0.04635"`). */
export function exact(value: unknown): string {
  const text = String(value);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}
