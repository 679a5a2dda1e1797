/**
 * A flat Parquet table read in place: its columns are already typed, so instead of copying the
 * file into a source table and the raw table as text, it is registered as a typed raw relation
 * (src/ingest/spans/raw-typed.ts) that the normaliser reads straight into staging. Row numbers
 * come from the reader (`file_row_number`), so no window runs over the rows. Counts and strings
 * pass through the same text as the copy path would give them; integers and timestamps go to the
 * raw columns' typed twins (columns.ts), which the normaliser reads to the same values.
 */
import { realpathSync } from 'node:fs';
import { quoteIdent, quoteLiteral } from '../../../db/quote.js';
import { addTypedRelation } from '../../spans/raw-typed.js';
import { numberColumn, RAW_NUMBER_COLUMNS, RAW_TEXT_COLUMNS } from '../../spans/raw-table.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';
import { asText, typedTwin } from './columns.js';
import { mapFlatColumns } from './mapping.js';

const ROW_NUMBER = 'file_row_number';
/** DuckDB's readers expand these in a path: such a file is read through the copy path (its literal link goes away after loading). */
const GLOB_CHARACTERS = /[*?[\]{}]/;

/** The table registered for the normaliser; undefined when the file must take the copy path (which also words any reader error). */
export async function loadTypedParquet(ctx: SourceLoadContext, path: string): Promise<SourceLoadResult | undefined> {
  const { db } = ctx;
  let file: string;
  let types: Map<string, string>;
  let rows: number;
  try {
    file = realpathSync(path);
    if (GLOB_CHARACTERS.test(file)) return undefined;
    const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(file)})`);
    types = new Map(described.map((c) => [c.column_name, c.column_type]));
    rows = Number((await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM read_parquet(${quoteLiteral(file)})`))?.n ?? 0);
  } catch {
    return undefined;
  }
  if ([...types.keys()].some((c) => c.toLowerCase() === ROW_NUMBER)) return undefined;
  const reader = `read_parquet(${quoteLiteral(file)}, file_row_number = true)`;
  const columns = mapFlatColumns(path, [...types.keys()], ctx.options.mapping ?? {}, rows);
  const twins = new Map<string, string>();
  const texts = RAW_TEXT_COLUMNS.map((raw) => {
    if (raw === 'source') return `'flat' AS source`;
    const source = columns.get(raw);
    if (source === undefined) return `NULL::VARCHAR AS ${quoteIdent(raw)}`;
    const type = types.get(source) ?? 'VARCHAR';
    const twin = typedTwin(raw, source, type);
    if (twin === undefined) return `${asText(source, type)} AS ${quoteIdent(raw)}`;
    twins.set(raw, twin);
    return `CASE WHEN (${twin}) IS NULL THEN ${asText(source, type)} END AS ${quoteIdent(raw)}`;
  });
  const numbers = RAW_NUMBER_COLUMNS.map((raw) => `${twins.get(raw) ?? 'NULL::BIGINT'} AS ${quoteIdent(numberColumn(raw))}`);
  await addTypedRelation(db, ctx.fileIdx, file, `
    SELECT (s.${ROW_NUMBER} + ${ctx.ridBase})::INTEGER AS rid, ${ctx.fileIdx}::INTEGER AS file_idx, (s.${ROW_NUMBER} + 1)::INTEGER AS line,
      ${[...texts, ...numbers].join(', ')}
    FROM ${reader} s`);
  return { records: rows, rows };
}
