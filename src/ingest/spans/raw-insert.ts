/**
 * How a source that reads its records with SQL (Claude Code, LiteLLM, Langfuse) writes them into the
 * raw span table: a SELECT whose expressions (text, by raw column; integers already typed go to the
 * typed twins) are inserted with the row ids the ingest gave the file. Normalisation, validation and
 * dedupe then run exactly as for OTLP and flat tables.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { quoteIdent } from '../../db/quote.js';
import type { SourceLoadContext } from '../sources/source.js';
import { numberColumn, RAW_TABLE, type RawColumn, type RawNumberColumn } from './raw-table.js';

export interface RawSelect {
  /** FROM clause (a table or subquery) the expressions read; must expose `ord`, the record's ordinal (its line). */
  from: string;
  /** Raw column → SQL expression; columns left out stay NULL. */
  columns: Partial<Record<RawColumn, string>>;
  /**
   * Integer raw column → BIGINT expression (a typed JSON field, epoch microseconds): a non-negative
   * value lands in the column's typed twin, unparsed; otherwise the text column gets its `columns`
   * expression when there is one, else the value as text, for the validator to judge.
   */
  numbers?: Partial<Record<RawNumberColumn, string>>;
  params?: Record<string, DuckDBValue>;
  /** ORDER BY of the row ids, when `ord` alone can tie (several records of one line); default `ord`. */
  order?: string;
}

/** Insert the rows; returns how many. */
export async function insertRaw(ctx: Pick<SourceLoadContext, 'db' | 'fileIdx' | 'ridBase'>, select: RawSelect): Promise<number> {
  const { db, fileIdx, ridBase } = ctx;
  const texts = new Map<string, string>(Object.entries(select.columns));
  const typed: string[] = [];
  const typedTargets: string[] = [];
  for (const [c, n] of Object.entries(select.numbers ?? {})) {
    typedTargets.push(quoteIdent(numberColumn(c as RawColumn)));
    typed.push(`CASE WHEN (${n}) >= 0 THEN (${n}) END`);
    texts.set(c, `CASE WHEN ((${n}) >= 0) IS NOT TRUE THEN ${texts.get(c) ?? n} END`);
  }
  const entries = [...texts];
  const targets = ['rid', 'file_idx', 'line', ...entries.map(([c]) => quoteIdent(c)), ...typedTargets];
  const values = [
    `(row_number() OVER (ORDER BY ${select.order ?? 'ord'}))::INTEGER - 1 + $costattr_rid_base`,
    '$costattr_file_idx',
    'ord::INTEGER',
    ...entries.map(([, expr]) => `CAST(${expr} AS VARCHAR)`),
    ...typed,
  ];
  await db.exec(`INSERT INTO ${quoteIdent(RAW_TABLE)} (${targets.join(', ')}) SELECT ${values.join(', ')} FROM ${select.from}`, {
    ...select.params,
    costattr_rid_base: ridBase,
    costattr_file_idx: fileIdx,
  });
  const n = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(RAW_TABLE)} WHERE file_idx = $f`, { f: fileIdx });
  return Number(n?.n ?? 0);
}
