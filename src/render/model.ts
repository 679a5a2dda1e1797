/**
 * The generic table model every renderer works on: typed columns, plain rows, notes. Analysis
 * results are turned into this shape once (per command), then printed as table, CSV or Markdown.
 */
import { formatSignedUsd, formatUnitUsd, formatUsd } from './money.js';
import { safeInline } from './terminal-text.js';

/**
 * How a column's values are shown: money in USD (to the cent), a change in money (signed), a unit
 * cost in USD (per run or per call: to the micro-dollar), token/count integers, fractions, other
 * numbers as given, or text. money.ts decides the money styles.
 */
export type ColumnKind = 'text' | 'int' | 'money' | 'money_delta' | 'unit_money' | 'rate' | 'number';

export interface Column {
  key: string;
  header: string;
  kind: ColumnKind;
  /** When the terminal is too narrow, the order this column gives way in (1 first); unset: always shown. */
  dropRank?: number;
}

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface TableModel {
  title?: string;
  columns: Column[];
  rows: Row[];
  /** Sentences printed under the table (table/md); CSV carries data only. */
  notes: string[];
}

const INT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A cell as a human reads it (table and Markdown): `$1,234.57` (money.ts), `12,345`, `42.0%`; empty for null. */
export function displayCell(value: Cell, kind: ColumnKind): string {
  if (value === null) return '';
  if (typeof value === 'string') return safeInline(value);
  switch (kind) {
    case 'money':
      return formatUsd(value);
    case 'money_delta':
      return formatSignedUsd(value);
    case 'unit_money':
      return formatUnitUsd(value);
    case 'int':
      return INT.format(value);
    case 'rate':
      return `${(value * 100).toFixed(1)}%`;
    case 'number':
    case 'text':
      return String(value);
    default:
      return (kind satisfies never) as string;
  }
}

export function isNumeric(kind: ColumnKind): boolean {
  return kind !== 'text';
}
