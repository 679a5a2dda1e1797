/**
 * CSV (RFC 4180, `\n` line ends, raw numbers) through csv-stringify, which does the quoting. What
 * stays ours is the one rule a library cannot know: text cells (and headers) that a spreadsheet
 * would run as a formula (starting with = + - @ tab or CR) get a leading `'`, while the values of
 * numeric columns — DECIMAL and BIGINT arrive as strings — are written as they are.
 */
import { stringify } from 'csv-stringify/sync';
import type { Cell, ColumnKind, TableModel } from './model.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell's value, neutralised if it is text a spreadsheet would evaluate. */
export function neutraliseFormula(value: Cell, kind: ColumnKind): Cell {
  return kind === 'text' && typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

export function renderCsv(model: TableModel): string {
  const header = model.columns.map((c) => neutraliseFormula(c.key, 'text'));
  const rows = model.rows.map((row) => model.columns.map((c) => neutraliseFormula(row[c.key] ?? null, c.kind)));
  // a lone CR is a line break to spreadsheets too: quoted, as RFC 4180 says (csv-stringify leaves a lone `\r` unquoted)
  return stringify([header, ...rows], { record_delimiter: 'unix', quoted_match: /\r/ });
}
