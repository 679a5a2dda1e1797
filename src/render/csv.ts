/**
 * CSV (RFC 4180): quoted when needed, CRLF-free line ends (`\n`), raw numbers. Text cells that a
 * spreadsheet would run as a formula (starting with = + - @ tab or CR) get a leading `'`.
 */
import type { Cell, TableModel } from './model.js';

const FORMULA_START = /^[=+\-@\t\r]/;
/** A number written as text (DECIMAL and BIGINT arrive as strings): data, not a formula. */
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) && !NUMBER_TEXT.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function renderCsv(model: TableModel): string {
  const lines = [model.columns.map((c) => csvCell(c.key)).join(',')];
  for (const row of model.rows) lines.push(model.columns.map((c) => csvCell(row[c.key] ?? null)).join(','));
  return `${lines.join('\n')}\n`;
}
