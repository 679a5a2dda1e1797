// The one way tests put canonical rows straight into `spans` (bypassing ingest, which has its own tests):
// `spanRow` fills every column of the real table with neutral defaults that a test overrides, and
// `insertSpanRows` writes rows through DuckDB's appender in the column order of src/db/schema.ts.
// Values are cast to the column types by DuckDB, so timestamps may be given as text
// (`2026-10-05 12:00:00`, or ISO with a `Z`, both read as UTC).
import type { DuckDBAppender } from '@duckdb/node-api';
import type { Database } from '../../src/db/database.js';
import { SPAN_COLUMN_NAMES } from '../../src/db/schema.js';

/** One row of `spans`, column for column (docs/data-model.md says what each one means). */
export interface CanonicalSpan {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  ingest_id: number;
  source: string;
  scope_name: string | null;
  service_name: string | null;
  name: string | null;
  operation: string | null;
  start_time: string | null;
  end_time: string | null;
  is_inference: boolean;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  service_tier: string;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  reported_input_tokens: number | null;
  input_convention: string;
  has_cache_counts: boolean;
  tag_tenant: string | null;
  tag_user_id: string | null;
  tag_task: string | null;
  tag_route: string | null;
  tag_tier: string | null;
  tag_effort: string | null;
  tenant: string | null;
  user_id: string | null;
  task: string | null;
  route: string | null;
  tier: string | null;
  effort: string | null;
  prompt_tokens: number | null;
  tool_tokens: number | null;
  memory_tokens: number | null;
  tool_name: string | null;
  tool_arguments: string | null;
  conversation_id: string | null;
  response_id: string | null;
  tags_json: string | null;
}

let spanCounter = 0;

/**
 * A canonical span: an inference call of a `test` ingest with no tokens, no tags and no time, priced
 * as given (`exclusive` input, cache counters present, standard tier); `overrides` set the rest.
 */
export function spanRow(overrides: Partial<CanonicalSpan> = {}): CanonicalSpan {
  return {
    trace_id: 'trace', span_id: `span-${++spanCounter}`, parent_span_id: null, ingest_id: 1, source: 'test',
    scope_name: null, service_name: null, name: null, operation: null, start_time: null, end_time: null,
    is_inference: true, provider: null, request_model: null, response_model: null, service_tier: 'standard',
    input_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 0,
    reasoning_tokens: 0, reported_input_tokens: null, input_convention: 'exclusive', has_cache_counts: true,
    tag_tenant: null, tag_user_id: null, tag_task: null, tag_route: null, tag_tier: null, tag_effort: null,
    tenant: null, user_id: null, task: null, route: null, tier: null, effort: null,
    prompt_tokens: null, tool_tokens: null, memory_tokens: null, tool_name: null, tool_arguments: null,
    conversation_id: null, response_id: null, tags_json: null,
    ...overrides,
  };
}

type SpanValue = CanonicalSpan[keyof CanonicalSpan];

function append(appender: DuckDBAppender, column: string, value: SpanValue | undefined): void {
  if (value === undefined) throw new Error(`spanRow has no value for spans.${column}: add the column to CanonicalSpan (test/helpers/spans.ts)`);
  if (value === null) appender.appendNull();
  else if (typeof value === 'boolean') appender.appendBoolean(value);
  else if (typeof value === 'number') {
    if (Number.isInteger(value)) appender.appendBigInt(BigInt(value));
    else appender.appendDouble(value);
  } else appender.appendVarchar(value);
}

/** Append the rows to `spans` (one appender, flushed before it returns). */
export async function insertSpanRows(db: Database, rows: readonly CanonicalSpan[]): Promise<void> {
  if (rows.length === 0) return;
  const appender = await db.connection.createAppender('spans');
  try {
    for (const row of rows) {
      const values: Readonly<Record<string, SpanValue>> = row as unknown as Record<string, SpanValue>;
      for (const column of SPAN_COLUMN_NAMES) append(appender, column, values[column]);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
