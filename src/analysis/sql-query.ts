/**
 * `costattr sql`: one ad-hoc read query over the canonical tables and views (spans, priced_spans,
 * prices, model_aliases, ingests). Only a single statement that DuckDB classifies as a query is
 * run (SELECT, WITH, DESCRIBE, SHOW, and DuckDB's FROM-first/SUMMARIZE/PIVOT forms). The boundary
 * is the workspace: `sql` runs on a read-only database sandboxed from files, extensions and settings.
 */
import { StatementType } from '../db/duckdb.js';
import type { Database } from '../db/database.js';
import { CostattrError } from '../errors.js';

export interface QueryColumn {
  name: string;
  /** DuckDB type, e.g. `BIGINT`, `DECIMAL(38,15)`, `VARCHAR`. */
  type: string;
}

export type QueryValue = string | number | boolean | null;

export interface QueryResult {
  columns: QueryColumn[];
  /** BIGINT/DECIMAL/TIMESTAMP as strings (lossless), DOUBLE/INTEGER as numbers, nested values as JSON text. */
  rows: QueryValue[][];
}

function plain(value: unknown): QueryValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

export async function runReadQuery(db: Database, sql: string): Promise<QueryResult> {
  const rejected = (why: string) =>
    new CostattrError('BAD_USAGE', `sql: ${why}`, { hint: 'give one SELECT, WITH, DESCRIBE or SHOW statement' });
  let count: number;
  try {
    count = (await db.connection.extractStatements(sql)).count;
  } catch (err) {
    throw new CostattrError('BAD_USAGE', `sql: ${(err as Error).message}`, { cause: err });
  }
  if (count !== 1) throw rejected(count === 0 ? 'no statement given' : `${count} statements given; only one is run`);
  let reader;
  try {
    const prepared = await db.connection.prepare(sql);
    if (prepared.statementType !== StatementType.SELECT) throw rejected('only read queries are run');
    reader = await prepared.runAndReadAll();
  } catch (err) {
    if (err instanceof CostattrError) throw err;
    throw new CostattrError('BAD_USAGE', `sql: ${(err as Error).message}`, { cause: err });
  }
  const names = reader.columnNames();
  const types = reader.columnTypes();
  return {
    columns: names.map((name, i) => ({ name, type: types[i]?.toString() ?? 'UNKNOWN' })),
    rows: reader.getRowsJson().map((row) => row.map(plain)),
  };
}
