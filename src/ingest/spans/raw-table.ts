/**
 * The raw span table flat tables and sources load into first: one text column per canonical field,
 * exactly as the source gave it (plus typed twins of the integer columns, see RAW_NUMBER_COLUMNS). OTLP lands in a compact twin of it (src/ingest/spans/raw-coded.ts)
 * that a view decodes back to these columns; validation and normalisation (normalise.ts) then run
 * once, in SQL, over both, so the convention rules exist in one place.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';

export const RAW_TABLE = 'costattr_span_raw';

/** Text columns, in table order after (rid, file_idx, line). */
export const RAW_TEXT_COLUMNS = [
  'source',
  'trace_id',
  'span_id',
  'parent_span_id',
  'scope_name',
  'service_name',
  'name',
  'operation',
  'request_type',
  'start_time',
  'end_time',
  'provider',
  'request_model',
  'response_model',
  'service_tier',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
  'tool_name',
  'tool_arguments',
  'conversation_id',
  'response_id',
  'tag_tenant',
  'tag_user_id',
  'tag_task',
  'tag_route',
  'tag_tier',
  'tag_effort',
  'prompt_tokens',
  'tool_tokens',
  'memory_tokens',
  'tags_json',
  /** Non-standard attributes grouped by first key segment: {"acme": {"tenant_id": …}}; OTLP only. */
  'extra',
] as const;
export type RawColumn = (typeof RAW_TEXT_COLUMNS)[number];

/** Raw columns holding token counts: validated as non-negative integers. */
export const RAW_TOKEN_COLUMNS: readonly RawColumn[] = [
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_5m_tokens',
  'cache_write_1h_tokens',
  'reasoning_tokens',
  'prompt_tokens',
  'tool_tokens',
  'memory_tokens',
];

/**
 * Raw columns that also have a typed twin, `<column>_n BIGINT`: a loader that already holds the value
 * as a non-negative integer (OTLP's token counts and nanosecond times, a JSON reader's typed fields)
 * writes it there and leaves the text column NULL, so the normaliser neither validates nor parses it
 * again. Anything else (text, a negative or fractional count) goes to the text column as before.
 */
export const RAW_NUMBER_COLUMNS: readonly RawColumn[] = [...RAW_TOKEN_COLUMNS, 'start_time', 'end_time'];
export type RawNumberColumn = (typeof RAW_NUMBER_COLUMNS)[number];
export const numberColumn = (c: RawColumn): string => `${c}_n`;

export const RAW_COLUMN_INDEX: Readonly<Record<RawColumn, number>> = Object.fromEntries(
  RAW_TEXT_COLUMNS.map((name, i) => [name, i]),
) as Record<RawColumn, number>;

export async function createRawTable(db: Database): Promise<void> {
  const text = RAW_TEXT_COLUMNS.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ');
  const numbers = RAW_NUMBER_COLUMNS.map((c) => `${quoteIdent(numberColumn(c))} BIGINT`).join(', ');
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(RAW_TABLE)} (rid INTEGER, file_idx INTEGER, line INTEGER, ${text}, ${numbers})`);
}
