/**
 * CSV (RFC 4180): quoted when needed, CRLF-free line ends (`\n`), raw numbers. Text cells that a
 * spreadsheet would run as a formula (starting with = + - @ tab or CR) get a leading `'`; numeric
 * columns are written as they are.
 */
import type { Cell, ColumnKind, TableModel } from './model.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell; text is neutralised, values of a numeric column (DECIMAL and BIGINT arrive as strings) are data. */
export function csvCell(value: Cell, kind: ColumnKind = 'text'): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = kind === 'text' && FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsv(model: TableModel): string {
  const lines = [model.columns.map((c) => csvCell(c.key)).join(',')];
  for (const row of model.rows) lines.push(model.columns.map((c) => csvCell(row[c.key] ?? null, c.kind)).join(','));
  return `${lines.join('\n')}\n`;
}
