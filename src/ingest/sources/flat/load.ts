/**
 * Flat span tables (JSON Lines, CSV, Parquet) through DuckDB's own readers: the file is read into a
 * temp table with a row number, mapped column by column onto the raw table as text, and left to the
 * shared validator and normaliser. Lines the readers cannot take (a CSV row with too few or too many
 * fields, bytes that are not UTF-8, a JSON line that does not parse) come back as problems naming
 * their true line, and the rows around them keep their own line numbers.
 */
import type { Database } from '../../../db/database.js';
import { quoteIdent, quoteLiteral } from '../../../db/quote.js';
import { badInput, CostattrError } from '../../../errors.js';
import { RAW_TABLE } from '../../spans/raw-table.js';
import type { SourceLoadContext, SourceLoadResult, SourceProblem } from '../source.js';
import { checkJsonLines, DEFAULT_INPUT_LIMITS, type InputLimits } from '../input.js';
import { isUtf8File, judgeCsvLine, judgeJsonLine, writeCleanCopy, type CleanCopy } from './lines.js';
import { asText } from './columns.js';
import { mapFlatColumns } from './mapping.js';
import { loadTypedParquet } from './typed.js';

export type FlatFormat = 'jsonl' | 'csv' | 'parquet';

const SOURCE_TABLE = 'costattr_flat_source';
const GAPS_TABLE = 'costattr_flat_gaps';
const REJECTS_TABLE = 'costattr_flat_rejects';
const REJECT_SCANS_TABLE = 'costattr_flat_reject_scans';
const ROW_COLUMN = 'costattr_row';

/** CSV: every value as text; a row DuckDB cannot take is stored in the rejects table, not fatal. */
const READERS: Record<FlatFormat, string> = {
  jsonl: `read_json($path, format = 'newline_delimited')`,
  csv: `read_csv($path, header = true, all_varchar = true, quote = '"', escape = '"', store_rejects = true, rejects_table = ${quoteLiteral(REJECTS_TABLE)}, rejects_scan = ${quoteLiteral(REJECT_SCANS_TABLE)})`,
  parquet: `read_parquet($path)`,
};

/** Lines before the first record: the CSV header. */
const HEADER_LINES: Record<FlatFormat, number> = { jsonl: 0, csv: 1, parquet: 0 };

interface ColumnInfo {
  column_name: string;
  column_type: string;
}

/** DuckDB's message without the SQL it quotes, naming the user's file rather than a cleaned copy. */
function readerMessage(err: unknown, path: string, copy: CleanCopy | undefined): string {
  const text = (err as Error).message.split(/\n\s*LINE \d+:/)[0] ?? '';
  return (copy ? text.replaceAll(copy.path, path) : text).trim();
}

async function dropWorkTables(db: Database): Promise<void> {
  for (const t of [SOURCE_TABLE, GAPS_TABLE, REJECTS_TABLE, REJECT_SCANS_TABLE]) await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
}

/** Read `source` into the source table; the reader's error, if it failed. */
async function readSource(db: Database, source: string, format: FlatFormat): Promise<unknown> {
  await dropWorkTables(db);
  try {
    await db.exec(
      `CREATE TEMP TABLE ${quoteIdent(SOURCE_TABLE)} AS SELECT row_number() OVER () AS ${ROW_COLUMN}, * FROM ${READERS[format]}`,
      { path: source },
    );
    return undefined;
  } catch (err) {
    return err;
  }
}

async function describeSource(db: Database): Promise<Map<string, string>> {
  const columns = await db.all<ColumnInfo & Record<string, unknown>>(`DESCRIBE ${quoteIdent(SOURCE_TABLE)}`);
  return new Map(columns.filter((c) => c.column_name !== ROW_COLUMN).map((c) => [c.column_name, c.column_type]));
}

/** JSON Lines whose lines are not all objects come back from DuckDB as one bare `json` column. */
function isBareJson(types: Map<string, string>): boolean {
  return types.size === 1 && types.get('json') === 'JSON';
}

/** The CSV rows DuckDB rejected, one problem per line (its first error). */
async function csvRejects(db: Database): Promise<SourceProblem[]> {
  const rows = await db.all<{ line: string; column_name: string | null; error_type: string; error_message: string }>(
    `SELECT DISTINCT ON (line) line::VARCHAR AS line, column_name, error_type::VARCHAR AS error_type, error_message
       FROM ${quoteIdent(REJECTS_TABLE)} ORDER BY line, column_idx NULLS FIRST`,
  );
  return rows.map((r) => {
    const problem = r.error_type === 'MISSING COLUMNS' ? 'the row has fewer fields than the header'
      : r.error_type === 'TOO MANY COLUMNS' ? 'the row has more fields than the header'
      : r.error_type.toLowerCase();
    return { line: Number(r.line), ...(r.column_name ? { field: r.column_name } : {}), message: `${problem} (${r.error_message})` };
  });
}

/**
 * The line each source row came from: its row number plus the header and the gap lines (blank,
 * or left out) before it. Row k follows exactly the gaps g_j with g_j - j - header < k.
 */
async function lineExpression(db: Database, gaps: number[], header: number): Promise<{ join: string; line: string }> {
  const row = `s.${ROW_COLUMN}`;
  if (gaps.length === 0) return { join: '', line: `${row} + ${header}` };
  await db.exec(
    `CREATE TEMP TABLE ${quoteIdent(GAPS_TABLE)} AS
       SELECT g - n - $header AS t, max(n) AS shift
         FROM (SELECT g, row_number() OVER (ORDER BY g) AS n FROM (SELECT DISTINCT unnest(from_json($gaps, '["BIGINT"]')) AS g))
        GROUP BY t`,
    { gaps: JSON.stringify(gaps), header },
  );
  return { join: `ASOF LEFT JOIN ${quoteIdent(GAPS_TABLE)} gp ON ${row} > gp.t`, line: `${row} + ${header} + coalesce(gp.shift, 0)` };
}

/** Read the file, falling back to a cleaned copy where DuckDB cannot read the file itself. */
async function readFlatFile(db: Database, path: string, format: FlatFormat, limits: InputLimits): Promise<CleanCopy | undefined> {
  // DuckDB's JSON reader crashes on JSON nested thousands deep, and reads a gzip bomb whole: bounds first
  if (format === 'jsonl') await checkJsonLines(path, limits);
  // DuckDB's CSV reader fails hard (and can crash) on bytes that are not UTF-8 while it stores rejects
  let copy = format === 'csv' && !(await isUtf8File(path, limits)) ? await writeCleanCopy(path, judgeCsvLine, limits) : undefined;
  try {
    let err = await readSource(db, copy?.path ?? path, format);
    if (format === 'jsonl' && copy === undefined && (err !== undefined || isBareJson(await describeSource(db)))) {
      copy = await writeCleanCopy(path, judgeJsonLine, limits);
      err = await readSource(db, copy.path, format);
    }
    if (err !== undefined) {
      throw new CostattrError('BAD_INPUT', `${path}: cannot read as ${format}: ${readerMessage(err, path, copy)}`, { cause: err });
    }
    const header = copy?.problems.find((p) => p.line === 1);
    if (format === 'csv' && header) throw badInput(path, { line: 1 }, undefined, `the header: ${header.message}`);
    return copy;
  } catch (err) {
    copy?.dispose();
    throw err;
  }
}

/**
 * Load one flat table: Parquet read in place when it can be (typed.ts), else through the source
 * table. Positions are lines for JSON Lines and CSV (the header is line 1) and rows for Parquet. Records read: rows loaded into the raw table plus the lines left out as problems.
 */
export async function loadFlatFile(ctx: SourceLoadContext, path: string, format: FlatFormat): Promise<SourceLoadResult> {
  const typed = format === 'parquet' ? await loadTypedParquet(ctx, path) : undefined;
  if (typed !== undefined) return typed;
  const { db } = ctx;
  const copy = await readFlatFile(db, path, format, ctx.options.limits ?? DEFAULT_INPUT_LIMITS);
  try {
    const problems = [...(copy?.problems ?? []), ...(format === 'csv' ? await csvRejects(db) : [])];
    const count = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(SOURCE_TABLE)}`);
    const rows = Number(count?.n ?? 0);
    const types = await describeSource(db);
    const columns = mapFlatColumns(path, [...types.keys()], ctx.options.mapping ?? {}, rows);

    const gaps = [...(copy?.gaps ?? []), ...problems.map((p) => p.line)];
    const { join, line } = await lineExpression(db, gaps, HEADER_LINES[format]);
    const targets = ['rid', 'file_idx', 'line', 'source'];
    const values = [`s.${ROW_COLUMN} - 1 + $ridBase`, '$fileIdx', line, `'flat'`];
    for (const [raw, source] of columns) {
      targets.push(quoteIdent(raw));
      values.push(asText(source, types.get(source) ?? 'VARCHAR'));
    }
    await db.exec(
      `INSERT INTO ${quoteIdent(RAW_TABLE)} (${targets.join(', ')}) SELECT ${values.join(', ')} FROM ${quoteIdent(SOURCE_TABLE)} s ${join}`,
      { ridBase: ctx.ridBase, fileIdx: ctx.fileIdx },
    );
    return { records: rows + problems.length, rows, problems: problems.sort((a, b) => a.line - b.line) };
  } finally {
    copy?.dispose();
    await dropWorkTables(db);
  }
}
