/** `sql` results: JSON as an array of row objects; a table model whose numeric columns right-align. */
import type { QueryResult, QueryValue } from '../analysis/sql-query.js';
import type { Cell, Column, Row, TableModel } from './model.js';

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/;

export function queryJson(result: QueryResult): Array<Record<string, QueryValue>> {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i] ?? null])));
}

function cell(value: QueryValue | undefined): Cell {
  if (value === undefined) return null;
  return typeof value === 'boolean' ? String(value) : value;
}

/** Result columns may repeat a name (`SELECT 1 AS a, 2 AS a`): later ones get `_2`, `_3`, … */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    let unique = name;
    for (let n = 2; seen.has(unique); n++) unique = `${name}_${n}`;
    seen.add(unique);
    return unique;
  });
}

export function queryTable(result: QueryResult): TableModel {
  const columns: Column[] = uniqueNames(result.columns.map((c) => c.name))
    .map((key, i) => ({ key, header: key, kind: NUMERIC.test(result.columns[i]?.type ?? '') ? 'number' : 'text' }));
  const rows: Row[] = result.rows.map((row) => Object.fromEntries(columns.map((c, i) => [c.key, cell(row[i])])));
  return { columns, rows, notes: [] };
}
