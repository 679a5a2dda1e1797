/**
 * What every report renders from: a title, headline sentences (plain text: each format escapes
 * them), key figures, charts and table models. Built per report kind (report-daily/-weekly/
 * -monthly.ts); `full` keeps every row (HTML), otherwise long tables are cut to a chat-sized top.
 */
import type { Chart } from './html/charts.js';
import type { Figure } from './html/document.js';
import type { Row, TableModel } from './model.js';

export interface ReportView {
  title: string;
  subtitle: string;
  headline: string[];
  figures: Figure[];
  charts: Chart[];
  tables: TableModel[];
}

export interface ViewOptions {
  /** Every row (HTML); otherwise tables are cut to `SHORT_ROWS`. */
  full: boolean;
}

export const SHORT_ROWS = 10;

/** Cut a table's rows for chat-sized output, saying how many were left out. */
export function limitRows(model: TableModel, options: ViewOptions, limit = SHORT_ROWS): TableModel {
  if (options.full || model.rows.length <= limit) return model;
  const left = model.rows.length - limit;
  return { ...model, rows: model.rows.slice(0, limit), notes: [...model.notes, `${left} more row${left === 1 ? '' : 's'} in --format html or json`] };
}

export function table(title: string, columns: TableModel['columns'], rows: Row[], notes: string[] = []): TableModel {
  return { title, columns, rows, notes };
}

export function pct(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function signedPct(fraction: number | null): string {
  if (fraction === null) return 'new';
  return `${fraction >= 0 ? '+' : '−'}${Math.abs(fraction * 100).toFixed(1)}%`;
}

/** Share points: 0.052 → `+5.2 pts`. */
export function points(fraction: number): string {
  return `${fraction >= 0 ? '+' : '−'}${Math.abs(fraction * 100).toFixed(1)} pts`;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Up to `keep` parts by share, the rest folded into `other` (a mix chart stays readable). */
export function foldShares(parts: ReadonlyArray<{ name: string; share: number }>, keep = 6): Array<{ name: string; share: number }> {
  const sorted = [...parts].sort((a, b) => b.share - a.share);
  if (sorted.length <= keep + 1) return sorted;
  const other = sorted.slice(keep).reduce((sum, p) => sum + p.share, 0);
  return [...sorted.slice(0, keep), { name: 'other', share: other }];
}

export function unpricedNote(unpriced: ReadonlyArray<{ spans: number; model: string }>): string[] {
  if (unpriced.length === 0) return [];
  const spans = unpriced.reduce((sum, u) => sum + u.spans, 0);
  return [`${plural(spans, 'span')} of ${unpriced.map((u) => u.model).join(', ')} could not be priced: totals are a lower bound.`];
}
