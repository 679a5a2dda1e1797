/**
 * The canonical tables every command shares. Ingest writes raw, normalised token counters here;
 * spans hold no cost: it is derived from the price book (see src/pricebook); the derived cost
 * roll-ups ingest maintains beside them are src/analysis/cost-rollup.ts's.
 * docs/data-model.md explains each column and the rules behind it.
 */
import type { Database } from './database.js';
import { adoptUnmarkedDatabase, hasIngestRuns, INGEST_ID_TABLES, INGEST_RUN_COLUMNS } from './ingest-runs.js';
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

const INGEST_COLUMNS = `
  ingest_id      INTEGER PRIMARY KEY,
  path           VARCHAR NOT NULL,
  format         VARCHAR NOT NULL,
  loaded_at      TIMESTAMP NOT NULL,
  records_read   BIGINT NOT NULL,
  spans_loaded   BIGINT NOT NULL,
  duplicates     BIGINT NOT NULL,
  rejected       BIGINT NOT NULL,
  namespace      VARCHAR,
  conventions    VARCHAR`;

const DROP_COLUMNS = `
  ingest_id      INTEGER NOT NULL,
  rule           VARCHAR NOT NULL,
  records        BIGINT NOT NULL`;

/**
 * The canonical tables, made when missing. A database from before the ingest marker gets the
 * marker table and one run covering what it holds, in the same transaction: never a marker table
 * that would make its stored rows look like an unfinished ingest.
 */
export async function createSchema(db: Database): Promise<void> {
  await db.transaction(async () => {
    const marked = await hasIngestRuns(db);
    await db.exec(`
      CREATE SEQUENCE IF NOT EXISTS ingest_seq START 1;
      CREATE TABLE IF NOT EXISTS ingests (${INGEST_COLUMNS});
      CREATE TABLE IF NOT EXISTS spans (${SPAN_COLUMNS});
      CREATE TABLE IF NOT EXISTS ingest_drops (${DROP_COLUMNS});
      CREATE TABLE IF NOT EXISTS invoice_lines (${INVOICE_LINE_COLUMNS});
      CREATE TABLE IF NOT EXISTS ingest_runs (${INGEST_RUN_COLUMNS});
    `);
    if (!marked) await adoptUnmarkedDatabase(db);
  });
}

const REVENUE_COLUMNS = `
  tenant      VARCHAR NOT NULL,
  month       VARCHAR NOT NULL,
  revenue_usd DECIMAL(18,6) NOT NULL,
  plan        VARCHAR,
  ceiling_usd DECIMAL(18,6),
  markup      DECIMAL(18,6)`;

/** Whether revenue was ever loaded: the `revenue` table exists only once a revenue file was. */
export async function hasRevenueTable(db: Database): Promise<boolean> {
  const row = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM duckdb_tables() WHERE table_name = 'revenue'`);
  return Number(row?.n ?? 0) > 0;
}

/** The `revenue` table, made by the first revenue load; databases written before the markup column get it. */
export async function createRevenueTable(db: Database): Promise<void> {
  if (!(await hasRevenueTable(db))) await db.exec(`CREATE TABLE revenue (${REVENUE_COLUMNS})`);
  else await db.exec('ALTER TABLE revenue ADD COLUMN IF NOT EXISTS markup DECIMAL(18,6)');
}

/** Tables an input can write; a read-only workspace gets temporary copies of the ones it loads into. */
export interface WritableTables {
  spans: boolean;
  invoices: boolean;
  revenue: boolean;
}

async function storedTables(db: Database): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>('SELECT table_name AS name FROM duckdb_tables() WHERE NOT temporary');
  return new Set(rows.map((r) => r.name));
}

/**
 * On a database opened read-only: temporary tables shadow the stored ones that inputs given
 * beside it will write (copies, so the stored rows stay visible), and stand in, empty, for canonical
 * tables an older database lacks. Unqualified names resolve to the temporary ones first.
 */
export async function overlayWritableTables(db: Database, writes: WritableTables): Promise<void> {
  const stored = await storedTables(db);
  const catalog = quoteIdent((await db.one<{ name: string }>('SELECT current_database() AS name'))?.name ?? 'main');
  const copy = async (table: string, ddl: string): Promise<void> => {
    if (stored.has(table)) await db.exec(`CREATE TEMP TABLE ${quoteIdent(table)} AS SELECT * FROM ${catalog}.main.${quoteIdent(table)}`);
    else await db.exec(ddl);
  };
  const loadsAny = writes.spans || writes.invoices || writes.revenue;
  if (loadsAny) {
    await copy('ingests', `CREATE TEMP TABLE ingests (${INGEST_COLUMNS})`);
    const next = await db.one<{ n: string }>(stored.has('ingests') ? `SELECT (coalesce(max(ingest_id), 0) + 1)::VARCHAR AS n FROM ingests` : `SELECT '1' AS n`);
    await db.exec(`CREATE TEMP SEQUENCE ingest_seq START ${Number(next?.n ?? 1)}`);
  }
  if (writes.spans || !stored.has('spans')) await copy('spans', `CREATE TEMP TABLE spans (${SPAN_COLUMNS})`);
  if (writes.spans || !stored.has('ingest_drops')) await copy('ingest_drops', `CREATE TEMP TABLE ingest_drops (${DROP_COLUMNS})`);
  if (writes.invoices || !stored.has('invoice_lines')) await copy('invoice_lines', `CREATE TEMP TABLE invoice_lines (${INVOICE_LINE_COLUMNS})`);
  if (writes.revenue) await copy('revenue', `CREATE TEMP TABLE revenue (${REVENUE_COLUMNS})`);
  if (!loadsAny && !stored.has('ingests')) await db.exec(`CREATE TEMP TABLE ingests (${INGEST_COLUMNS})`);
}

/**
 * On a database opened read-only that holds rows of an unfinished ingest (ids above `lastCommitted`):
 * the tables that carry ingest ids are read through temporary copies without those rows, so a
 * report sees exactly what the last ingest marker covers. The file is left as it is; the next
 * ingest rolls the rows back (src/ingest/spans/recover.ts).
 */
export async function hideUncommittedRows(db: Database, lastCommitted: number): Promise<void> {
  const catalog = quoteIdent((await db.one<{ name: string }>('SELECT current_database() AS name'))?.name ?? 'main');
  const temporary = new Set((await db.all<{ name: string }>('SELECT table_name AS name FROM duckdb_tables() WHERE temporary')).map((r) => r.name));
  for (const table of INGEST_ID_TABLES) {
    const name = quoteIdent(table);
    if (temporary.has(table)) await db.exec(`DELETE FROM temp.main.${name} WHERE ingest_id > $last`, { last: lastCommitted });
    else await db.exec(`CREATE TEMP TABLE ${name} AS SELECT * FROM ${catalog}.main.${name} WHERE ingest_id <= $last`, { last: lastCommitted });
  }
}

/** DDL for a staging table shaped like `spans` (used by ingest before the dedupe/merge step). */
export function stagingTableDdl(table: string): string {
  return `CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} (${SPAN_COLUMNS.replaceAll('NOT NULL', '')})`;
}
