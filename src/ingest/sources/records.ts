/**
 * Export files of the record-shaped sources (LiteLLM spend logs, Langfuse observations) read as one
 * JSON object per record, whatever the container: JSON Lines, a JSON document (an array, or one
 * object spread over lines), or CSV (each row turned into an object of text values; JSON-valued
 * cells such as `metadata` are parsed where read, see `jsonField`). Fields are then picked with
 * DuckDB's JSON functions, so a column added or missing in some version of the exporter never
 * breaks the read.
 *
 * A line that cannot be read (not JSON; a CSV row with too few or too many cells, an unterminated
 * quote) is never reported in the database engine's words: it becomes a problem naming its line and
 * why, which stops the ingest or, under --skip-invalid, is left out and listed.
 */
import { readFile } from 'node:fs/promises';
import type { Database } from '../../db/database.js';
import { quoteIdent, quoteLiteral } from '../../db/quote.js';
import { CostattrError, parseJsonDocument } from '../../errors.js';
import { csvColumnNames, firstLine, loadCsv, parseHeader } from '../invoices/raw.js';
import type { SourceLoadResult, SourceProblem } from './source.js';

export const RECORDS_TABLE = 'costattr_source_records';
const LINES_TABLE = 'costattr_source_lines';
const CSV_TABLE = 'costattr_source_csv';
/** Longest JSON record read (DuckDB buffers twice this per thread; ingest runs under a 512 MB limit). */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;
/** Unreadable lines whose reason is worked out (each is parsed again in JS); the rest say `not valid JSON`. */
const EXPLAINED_LINES = 1000;
/** How much of an unreadable line is kept to explain it. */
const EXPLAINED_BYTES = 64 * 1024;

/**
 * Run `use` with the file's records in RECORDS_TABLE (ord = line, or CSV line counting the header
 * as 1), given their count; the lines it could not read join the result's problems. The tables are
 * dropped afterwards, whatever happens.
 */
export async function withRecords(db: Database, path: string, use: (records: number) => Promise<SourceLoadResult>): Promise<SourceLoadResult> {
  try {
    const read = await loadRecords(db, path);
    const result = await use(read.records);
    return read.problems.length === 0 ? result : { ...result, problems: [...read.problems, ...(result.problems ?? [])] };
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(RECORDS_TABLE)}; DROP TABLE IF EXISTS ${quoteIdent(LINES_TABLE)}; DROP TABLE IF EXISTS ${quoteIdent(CSV_TABLE)}`);
  }
}

interface RecordsRead {
  records: number;
  problems: SourceProblem[];
}

async function loadRecords(db: Database, path: string): Promise<RecordsRead> {
  const problems = path.toLowerCase().endsWith('.csv') ? await loadCsvRecords(db, path) : await loadJsonRecords(db, path);
  await db.exec(`
    CREATE OR REPLACE TEMP MACRO costattr_json_field(rec, key) AS CASE
      WHEN json_type(rec, key) = 'VARCHAR' THEN TRY_CAST(json_extract_string(rec, key) AS JSON)
      ELSE json_extract(rec, key) END`);
  const n = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(RECORDS_TABLE)}`);
  return { records: Number(n?.n ?? 0), problems };
}

/** CSV rows as objects of text values; rows DuckDB cannot split into the header's cells are problems. */
async function loadCsvRecords(db: Database, path: string): Promise<SourceProblem[]> {
  const header = parseHeader(await firstLine(path));
  const rejects = await loadCsv(db, path, header, true, CSV_TABLE);
  const object = `json_object(${csvColumnNames(header).map((name) => `${quoteLiteral(name)}, ${quoteIdent(name)}`).join(', ')})`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(RECORDS_TABLE)} AS SELECT source_row AS ord, ${object} AS rec FROM ${quoteIdent(CSV_TABLE)}`);
  return rejects.map((r) => ({ line: r.line, field: r.field, message: `unreadable CSV row: ${r.message}` }));
}

/**
 * JSON Lines, one record (or an array of records) per line; a file whose first line is not a JSON
 * value on its own is one JSON document (an array, or an object spread over lines).
 */
async function loadJsonRecords(db: Database, path: string): Promise<SourceProblem[]> {
  // every line as text: JSON never holds a raw control character, so \x01 splits nothing valid
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(LINES_TABLE)} AS
     SELECT ord, line, json_valid(line) AS valid FROM (
       SELECT row_number() OVER () AS ord, line FROM read_csv($path, header = false, auto_detect = false, delim = '\x01', quote = '', escape = '',
         columns = {'line': 'VARCHAR'}, max_line_size = ${MAX_RECORD_BYTES}, buffer_size = ${2 * MAX_RECORD_BYTES},
         strict_mode = false, null_padding = true))
     WHERE trim(coalesce(line, '')) <> ''`,
    { path },
  ).catch((err: unknown) => {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read the file: ${firstMessageLine(err)}`, { cause: err });
  });
  const first = await db.one<{ valid: boolean }>(`SELECT valid FROM ${quoteIdent(LINES_TABLE)} ORDER BY ord LIMIT 1`);
  if (first !== undefined && !first.valid) {
    await loadJsonDocument(db, path);
    return [];
  }
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(RECORDS_TABLE)} AS
     SELECT ord, line::JSON AS rec FROM ${quoteIdent(LINES_TABLE)} WHERE valid AND json_type(line::JSON) <> 'ARRAY'
     UNION ALL
     SELECT ord, unnest(json_extract(line::JSON, '$[*]')) AS rec FROM ${quoteIdent(LINES_TABLE)} WHERE valid AND json_type(line::JSON) = 'ARRAY'`,
  );
  const bad = await db.all<{ ord: number; head: string }>(
    `SELECT ord::INTEGER AS ord, left(line, ${EXPLAINED_BYTES}) AS head FROM ${quoteIdent(LINES_TABLE)} WHERE NOT valid ORDER BY ord LIMIT ${EXPLAINED_LINES}`,
  );
  const unexplained = await db.all<{ ord: number }>(
    `SELECT ord::INTEGER AS ord FROM ${quoteIdent(LINES_TABLE)} WHERE NOT valid ORDER BY ord OFFSET ${EXPLAINED_LINES}`,
  );
  await db.exec(`DROP TABLE ${quoteIdent(LINES_TABLE)}`); // the records hold every valid line again: free the text
  return [
    ...bad.map((b) => ({ line: b.ord, message: `not valid JSON: ${jsonSyntaxError(b.head)}` })),
    ...unexplained.map((u) => ({ line: u.ord, message: 'not valid JSON' })),
  ];
}

/** One JSON document: its records are the array's elements, or the object itself. */
async function loadJsonDocument(db: Database, path: string): Promise<void> {
  try {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(RECORDS_TABLE)} AS
       SELECT row_number() OVER () AS ord, json AS rec FROM read_json_objects($path, format = 'auto', maximum_object_size = ${MAX_RECORD_BYTES})`,
      { path },
    );
  } catch (err) {
    // say where, in JSON's words: the document is unreadable anyway, so reading it whole costs nothing that matters
    parseJsonDocument(path, await readFile(path, 'utf8'), 'not valid JSON');
    throw new CostattrError('BAD_INPUT', `${path}: not a JSON document: ${firstMessageLine(err)}`, { cause: err });
  }
}

function jsonSyntaxError(text: string): string {
  try {
    JSON.parse(text);
    return 'not one JSON value';
  } catch (err) {
    return (err as Error).message;
  }
}

function firstMessageLine(err: unknown): string {
  return ((err as Error).message.split('\n')[0] ?? '').replace(/^[A-Za-z ]+ Error: /, '');
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
