/**
 * The canonical tables every command shares. Ingest writes raw, normalised token counters here;
 * cost is never stored: it is derived at query time from the price book (see src/pricebook).
 * docs/data-model.md explains each column and the rules behind it.
 */
import type { Database } from './database.js';
import { EXACT_USD } from './money.js';
import { quoteIdent } from './quote.js';

/** Token classes a model call is split into; disjoint, each priced on its own. */
export const TOKEN_CLASSES = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output'] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

/** Attribution tags read from the custom namespace (`<ns>.tenant_id`, …). */
export const TAG_FIELDS = ['tenant', 'user_id', 'task', 'route', 'tier', 'effort'] as const;
export type TagField = (typeof TAG_FIELDS)[number];

export const UNATTRIBUTED = '__unattributed__';
export const UNTRACED = '__untraced__';

const SPAN_COLUMNS = `
  trace_id              VARCHAR NOT NULL,
  span_id               VARCHAR NOT NULL,
  parent_span_id        VARCHAR,
  ingest_id             INTEGER NOT NULL,
  source                VARCHAR NOT NULL,
  scope_name            VARCHAR,
  service_name          VARCHAR,
  name                  VARCHAR,
  operation             VARCHAR,
  start_time            TIMESTAMP,
  end_time              TIMESTAMP,
  is_inference          BOOLEAN NOT NULL,
  provider              VARCHAR,
  request_model         VARCHAR,
  response_model        VARCHAR,
  service_tier          VARCHAR NOT NULL,
  input_tokens          BIGINT NOT NULL,
  cache_read_tokens     BIGINT NOT NULL,
  cache_write_5m_tokens BIGINT NOT NULL,
  cache_write_1h_tokens BIGINT NOT NULL,
  output_tokens         BIGINT NOT NULL,
  reasoning_tokens      BIGINT NOT NULL,
  reported_input_tokens BIGINT,
  input_convention      VARCHAR NOT NULL,
  has_cache_counts      BOOLEAN NOT NULL,
  tag_tenant            VARCHAR,
  tag_user_id           VARCHAR,
  tag_task              VARCHAR,
  tag_route             VARCHAR,
  tag_tier              VARCHAR,
  tag_effort            VARCHAR,
  tenant                VARCHAR,
  user_id               VARCHAR,
  task                  VARCHAR,
  route                 VARCHAR,
  tier                  VARCHAR,
  effort                VARCHAR,
  prompt_tokens         BIGINT,
  tool_tokens           BIGINT,
  memory_tokens         BIGINT,
  tool_name             VARCHAR,
  tool_arguments        VARCHAR,
  conversation_id       VARCHAR,
  response_id           VARCHAR,
  tags_json             VARCHAR`;

/** Column list of `spans` in order, for staging tables and appenders. */
export const SPAN_COLUMN_NAMES: readonly string[] = SPAN_COLUMNS.split(',')
  .map((line) => line.trim().split(/\s+/)[0] ?? '')
  .filter((name) => name.length > 0);

/** Invoice charge classes: the span token classes, plus `other` (web search, storage, …). */
export const INVOICE_CLASSES = [...TOKEN_CLASSES, 'other'] as const;
export type InvoiceClass = (typeof INVOICE_CLASSES)[number];

/** One billed line as the provider exported it (see docs/data-model.md `invoice_lines`). */
const INVOICE_LINE_COLUMNS = `
  ingest_id        INTEGER NOT NULL,
  provider         VARCHAR NOT NULL,
  kind             VARCHAR NOT NULL,
  day              DATE NOT NULL,
  model            VARCHAR,
  token_class      VARCHAR NOT NULL,
  quantity         BIGINT,
  amount_usd       ${EXACT_USD},
  list_amount_usd  ${EXACT_USD},
  tier             VARCHAR NOT NULL,
  long_context     BOOLEAN NOT NULL,
  workspace        VARCHAR,
  project          VARCHAR,
  api_key          VARCHAR,
  description      VARCHAR,
  source_file      VARCHAR NOT NULL,
  source_row       BIGINT NOT NULL`;

export async function createSchema(db: Database): Promise<void> {
  await db.exec(`
    CREATE SEQUENCE IF NOT EXISTS ingest_seq START 1;
    CREATE TABLE IF NOT EXISTS ingests (
      ingest_id      INTEGER PRIMARY KEY,
      path           VARCHAR NOT NULL,
      format         VARCHAR NOT NULL,
      loaded_at      TIMESTAMP NOT NULL,
      records_read   BIGINT NOT NULL,
      spans_loaded   BIGINT NOT NULL,
      duplicates     BIGINT NOT NULL,
      rejected       BIGINT NOT NULL,
      namespace      VARCHAR,
      conventions    VARCHAR
    );
    CREATE TABLE IF NOT EXISTS spans (${SPAN_COLUMNS});
    CREATE TABLE IF NOT EXISTS ingest_drops (
      ingest_id      INTEGER NOT NULL,
      rule           VARCHAR NOT NULL,
      records        BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS invoice_lines (${INVOICE_LINE_COLUMNS});
  `);
}

/** DDL for a staging table shaped like `spans` (used by ingest before the dedupe/merge step). */
export function stagingTableDdl(table: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} (${SPAN_COLUMNS.replaceAll('NOT NULL', '')})`;
}
