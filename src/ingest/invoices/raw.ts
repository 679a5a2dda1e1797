/**
 * Reading an invoice file into the TEMP table `invoice_raw` through DuckDB's own readers, every
 * value as text (adapters cast with clear errors): CSV with the header we read ourselves as the
 * explicit column list, JSON pages (`{"data":[{bucket…,"results":[…]}]}`) flattened to one row
 * per result. Each raw row has `source_row` (CSV: file line; JSON: result ordinal) and `location`.
 */
import { open, readFile } from 'node:fs/promises';
import type { Database } from '../../db/database.js';
import { quoteLiteral } from '../../db/quote.js';
import { CostattrError, parseJsonDocument } from '../../errors.js';
import { RAW_TABLE } from './adapter.js';

/** The first line of a file (header), without a BOM; reads at most 64 KiB. */
export async function firstLine(path: string): Promise<string> {
  const handle = await open(path, 'r').catch((err: unknown) => {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read invoice file: ${(err as Error).message}`, { cause: err });
  });
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    return head.split(/\r?\n/, 1)[0] ?? '';
  } finally {
    await handle.close();
  }
}

export function looksLikeJson(head: string): boolean {
  return /^\s*[[{]/.test(head);
}

export interface CsvHeader {
  delimiter: string;
  names: string[];
}

/** Split a header line (quotes allowed) on the delimiter it uses most: comma, tab or semicolon. */
export function parseHeader(line: string): CsvHeader {
  const counts = [',', '\t', ';'].map((d) => [d, line.split(d).length] as const);
  const delimiter = counts.reduce((best, c) => (c[1] > best[1] ? c : best))[0];
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { current += '"'; i++; }
      else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) { names.push(current.trim()); current = ''; }
    else current += ch;
  }
  names.push(current.trim());
  return { delimiter, names };
}

/** The header's names as loadCsv names the columns: a blank one `column<n>`, a repeated one `<name>_<n>`. */
export function csvColumnNames(header: CsvHeader): string[] {
  const seen = new Set<string>();
  return header.names.map((name, i) => {
    const base = name.length > 0 ? name : `column${i + 1}`;
    const label = seen.has(base) ? `${base}_${i + 1}` : base;
    seen.add(label);
    return label;
  });
}

/** A CSV line DuckDB could not read (wrong field count, bad encoding), left out under --skip-invalid. */
export interface CsvReject {
  line: number;
  field: string | undefined;
  message: string;
}

const REJECTS = 'invoice_csv_rejects';
const REJECT_SCANS = 'invoice_csv_reject_scans';

/**
 * Load a CSV into `table` (default `invoice_raw`), columns as named by its header (`csvColumnNames`),
 * all VARCHAR. Under --skip-invalid unreadable lines are left out and returned, and `source_row`
 * still names each kept row's line.
 */
export async function loadCsv(db: Database, path: string, header: CsvHeader, skipInvalid: boolean, table = RAW_TABLE): Promise<CsvReject[]> {
  const unique = csvColumnNames(header);
  const columns = `{${unique.map((name) => `${quoteLiteral(name)}: 'VARCHAR'`).join(', ')}}`;
  const rejects = skipInvalid ? `, store_rejects = true, rejects_table = '${REJECTS}', rejects_scan = '${REJECT_SCANS}'` : '';
  await db.exec(`DROP TABLE IF EXISTS ${REJECTS}; DROP TABLE IF EXISTS ${REJECT_SCANS}`);
  try {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE ${table} AS
       SELECT row_number() OVER () + 1 AS source_row, CAST(NULL AS VARCHAR) AS location, *
       FROM read_csv($path, header = true, auto_detect = false, delim = $delim, quote = '"', escape = '"',
                     columns = ${columns}, null_padding = false, ignore_errors = $ignore${rejects})`,
      { path, delim: header.delimiter, ignore: skipInvalid },
    );
  } catch (err) {
    const message = (err as Error).message;
    const line = /line[: ]+(\d+)/i.exec(message)?.[1];
    const first = message.split('\n').find((l) => l.trim().length > 0) ?? message;
    throw new CostattrError('BAD_INPUT', `${path}${line ? `:${line}` : ''}: malformed CSV: ${first}`, {
      hint: '--skip-invalid loads the readable rows and skips the rest',
      cause: err,
    });
  }
  if (!skipInvalid) return [];
  const rejected = await db.all<{ line: number; field: string | null; message: string }>(
    `SELECT line::INTEGER AS line, first(column_name ORDER BY column_idx) AS field, first(error_message ORDER BY column_idx) AS message
     FROM ${REJECTS} GROUP BY line ORDER BY line`,
  );
  if (rejected.length > 0) {
    // the kept rows were numbered as if no line was left out: give each the line it came from
    await db.exec(
      `UPDATE ${table} SET source_row = kept.line
       FROM (SELECT line, row_number() OVER (ORDER BY line) + 1 AS position
             FROM range(2, 2 + (SELECT count(*) FROM ${table}) + ${rejected.length}) AS lines(line)
             WHERE line NOT IN (SELECT line FROM ${REJECTS})) AS kept
       WHERE ${table}.source_row = kept.position`,
    );
  }
  await db.exec(`DROP TABLE IF EXISTS ${REJECTS}; DROP TABLE IF EXISTS ${REJECT_SCANS}`);
  return rejected.map((r) => ({ line: r.line, field: r.field ?? undefined, message: r.message }));
}

/**
 * Load provider API pages into `invoice_raw(source_row, location, bucket_start, result)`. A file
 * may hold one page, an array of pages, or one page per line (paged downloads concatenated).
 */
export async function loadJsonPages(db: Database, path: string): Promise<void> {
  try {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE ${RAW_TABLE} AS
       WITH docs AS (
         SELECT row_number() OVER () AS doc_no, json FROM read_json_objects($path, format = 'auto')
       ),
       buckets AS (
         SELECT doc_no, unnest(json_extract(json, '$.data[*]')) AS bucket,
                generate_subscripts(json_extract(json, '$.data[*]'), 1) - 1 AS bucket_no
         FROM docs
       ),
       results AS (
         SELECT doc_no, bucket_no, bucket, unnest(json_extract(bucket, '$.results[*]')) AS result,
                generate_subscripts(json_extract(bucket, '$.results[*]'), 1) - 1 AS result_no
         FROM buckets
       )
       SELECT row_number() OVER (ORDER BY doc_no, bucket_no, result_no) AS source_row,
              'page ' || doc_no || ' data[' || bucket_no || '].results[' || result_no || ']' AS location,
              coalesce(json_extract_string(bucket, '$.starting_at'), json_extract_string(bucket, '$.start_time')) AS bucket_start,
              result
       FROM results`,
      { path },
    );
  } catch (err) {
    await throwJsonSyntaxError(path);
    throw new CostattrError('BAD_INPUT', `${path}: invalid JSON: ${(err as Error).message.split('\n')[0] ?? ''}`, { cause: err });
  }
}

/** Name the line DuckDB's JSON reader stopped at (its own line numbers are off by one), when JS can find it. */
async function throwJsonSyntaxError(path: string): Promise<void> {
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  const syntaxError = (line: string) => {
    try {
      JSON.parse(line);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  if (lines.length > 1 && syntaxError(lines[0] ?? '') === undefined) {
    // one page per line (paged downloads concatenated): the first line that is not a document
    const at = lines.findIndex((line) => line.trim() !== '' && syntaxError(line) !== undefined);
    if (at >= 0) throw new CostattrError('BAD_INPUT', `${path}: invalid JSON at line ${at + 1}: ${syntaxError(lines[at] ?? '') ?? ''}`);
    return;
  }
  parseJsonDocument(path, text, 'invalid JSON');
}

/** Keys of the first JSON result (for detection), or [] when the file has none. */
export async function jsonResultKeys(db: Database): Promise<string[]> {
  const row = await db.one<{ keys: string[] | null }>(`SELECT json_keys(result) AS keys FROM ${RAW_TABLE} ORDER BY source_row LIMIT 1`);
  return row?.keys ?? [];
}
