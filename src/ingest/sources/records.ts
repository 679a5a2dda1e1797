/**
 * Export files of the record-shaped sources (LiteLLM spend logs, Langfuse observations) read as one
 * JSON object per record, whatever the container: JSON Lines, a JSON array, or CSV (each row turned
 * into an object of text values; JSON-valued cells such as `metadata` are parsed where read, see
 * `jsonField`). Fields are then picked with DuckDB's JSON functions, so a column added or missing
 * in some version of the exporter never breaks the read.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { CostattrError } from '../../errors.js';

export const RECORDS_TABLE = 'costattr_source_records';
/** Longest JSON record read (DuckDB buffers twice this per thread; ingest runs under a 512 MB limit). */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

/**
 * Run `use` with the file's records in RECORDS_TABLE (ord = line, or CSV line counting the header
 * as 1), given their count; the table is dropped afterwards, whatever happens.
 */
export async function withRecords<T>(db: Database, path: string, use: (records: number) => Promise<T>): Promise<T> {
  try {
    return await use(await loadRecords(db, path));
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(RECORDS_TABLE)}`);
  }
}

async function loadRecords(db: Database, path: string): Promise<number> {
  const csv = path.toLowerCase().endsWith('.csv');
  const reader = csv
    ? `SELECT row_number() OVER () + 1 AS ord, to_json(t) AS rec FROM read_csv($path, header = true, all_varchar = true) t`
    : `SELECT row_number() OVER () AS ord, json AS rec FROM read_json_objects($path, format = 'auto', maximum_object_size = ${MAX_RECORD_BYTES})`;
  try {
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(RECORDS_TABLE)} AS ${reader}`, { path });
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read as ${csv ? 'CSV' : 'JSON'}: ${(err as Error).message}`, { cause: err });
  }
  await db.exec(`
    CREATE OR REPLACE TEMP MACRO costattr_json_field(rec, key) AS CASE
      WHEN json_type(rec, key) = 'VARCHAR' THEN TRY_CAST(json_extract_string(rec, key) AS JSON)
      ELSE json_extract(rec, key) END`);
  const n = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(RECORDS_TABLE)}`);
  return Number(n?.n ?? 0);
}

/** A top-level text field, trying each spelling in turn (empty text counts as absent). */
export function textField(...keys: string[]): string {
  const parts = keys.map((k) => `nullif(json_extract_string(rec, '$."${k.replaceAll('"', '')}"'), '')`);
  return parts.length === 1 ? (parts[0] ?? 'NULL') : `coalesce(${parts.join(', ')})`;
}

/** A JSON-valued field (an object, or a CSV cell holding JSON text). */
export function jsonField(key: string): string {
  return `costattr_json_field(rec, '$."${key.replaceAll('"', '')}"')`;
}
