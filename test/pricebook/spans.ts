// Test helper: insert inference spans straight into `spans` (explicit column list), and read them priced.
import type { Database } from '../../src/db/database.js';

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
  for (const s of spans) {
    await db.exec(
      `INSERT INTO spans (trace_id, span_id, ingest_id, source, is_inference, start_time, request_model, response_model,
         service_tier, input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens,
         reasoning_tokens, input_convention, has_cache_counts)
       VALUES ('trace', $id, 1, 'flat', $inference, CAST($start AS TIMESTAMP), $request, $response, $tier, $input, $cr, $cw5, $cw1, $output,
         0, 'exclusive', true)`,
      {
        id: s.id,
        inference: s.isInference ?? true,
        start: s.start ?? '2025-10-15 12:00:00',
        request: s.requestModel ?? null,
        response: s.model,
        tier: s.tier ?? 'standard',
        input: s.input ?? 0,
        cr: s.cacheRead ?? 0,
        cw5: s.cacheWrite5m ?? 0,
        cw1: s.cacheWrite1h ?? 0,
        output: s.output ?? 0,
      },
    );
  }
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
