/**
 * Flat span tables (JSON Lines, CSV, Parquet) through DuckDB's own readers: the file is read into a
 * temp table with a row number, mapped column by column onto the raw table as text, and left to the
 * shared validator and normaliser.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { CostattrError } from '../../errors.js';
import { FLAT_COLUMNS, resolveMapping } from './mapping.js';
import { RAW_TABLE } from './raw-table.js';
import type { SpanFileFormat } from './types.js';

const SOURCE_TABLE = 'costattr_flat_source';
const ROW_COLUMN = 'costattr_row';

const READERS: Record<Exclude<SpanFileFormat, 'otlp'>, string> = {
  jsonl: `read_json($path, format = 'newline_delimited')`,
  csv: `read_csv($path, header = true, all_varchar = true)`,
  parquet: `read_parquet($path)`,
};

interface ColumnInfo {
  column_name: string;
  column_type: string;
}

function asText(column: string, type: string): string {
  const ident = quoteIdent(column);
  return /^(STRUCT|MAP|JSON)|\[\]$/.test(type) ? `to_json(${ident})::VARCHAR` : `CAST(${ident} AS VARCHAR)`;
}

/**
 * Load one flat table; returns how many records it holds. Positions are lines for JSON Lines and CSV
 * (the header is line 1) and rows for Parquet.
 */
export async function loadFlatFile(
  db: Database,
  path: string,
  format: Exclude<SpanFileFormat, 'otlp'>,
  fileIdx: number,
  ridBase: number,
  mapping: Record<string, string>,
): Promise<number> {
  try {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(SOURCE_TABLE)} AS SELECT row_number() OVER () AS ${ROW_COLUMN}, * FROM ${READERS[format]}`,
      { path },
    );
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read as ${format}: ${(err as Error).message}`, { cause: err });
  }
  const columns = await db.all<ColumnInfo & Record<string, unknown>>(`DESCRIBE ${quoteIdent(SOURCE_TABLE)}`);
  const types = new Map(columns.map((c) => [c.column_name, c.column_type]));
  const resolved = resolveMapping(path, [...types.keys()].filter((c) => c !== ROW_COLUMN), mapping);
  const targets = ['rid', 'file_idx', 'line', 'source'];
  const values = [`${ROW_COLUMN} + $ridBase`, '$fileIdx', `${ROW_COLUMN} + $lineOffset`, `'flat'`];
  for (const [canonical, source] of resolved) {
    const raw = FLAT_COLUMNS[canonical];
    if (raw === undefined) continue;
    targets.push(quoteIdent(raw));
    values.push(asText(source, types.get(source) ?? 'VARCHAR'));
  }
  await db.exec(
    `INSERT INTO ${quoteIdent(RAW_TABLE)} (${targets.join(', ')}) SELECT ${values.join(', ')} FROM ${quoteIdent(SOURCE_TABLE)}`,
    { ridBase, fileIdx, lineOffset: format === 'csv' ? 1 : 0 },
  );
  const count = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(SOURCE_TABLE)}`);
  await db.exec(`DROP TABLE ${quoteIdent(SOURCE_TABLE)}`);
  return Number(count?.n ?? 0);
}
