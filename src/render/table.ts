/**
 * Terminal tables (cli-table3), coloured with chalk only when the caller says the output is a
 * colour terminal, and fitted to the width the caller gives (fit.ts: ranked columns give way, long
 * text wraps, a note names what was left out). Numbers are right-aligned.
 */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { droppedNote, fitColumns } from './fit.js';
import { displayCell, isNumeric, type TableModel } from './model.js';
import { safeInline, safeMessage } from './terminal-text.js';

export interface TableOptions {
  color: boolean;
  /** Terminal columns to fit; undefined: every column at its full width. */
  width?: number | undefined;
}

const textWidth = (text: string): number => [...text].length;
const longestWord = (text: string): number => Math.max(0, ...text.split(' ').map(textWidth));

export function renderTable(model: TableModel, options: TableOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const headers = model.columns.map((c) => safeInline(c.header));
  const cells = model.rows.map((row) => model.columns.map((c) => displayCell(row[c.key] ?? null, c.kind)));
  const widest = (measure: (text: string) => number) => headers.map((h, i) => Math.max(measure(h), ...cells.map((r) => measure(r[i] ?? ''))));
  const fit = fitColumns(model.columns, { widest: widest(textWidth), longestWord: widest(longestWord) }, options.width);
  const pick = <T>(values: readonly T[]): T[] => fit.shown.map((i) => values[i] as T);
  // a column that breaks inside words says so on each of its cells
  const hard = new Set([...fit.wrap].filter(([, w]) => w.hard).map(([i]) => i));
  const cellsOf = (texts: readonly string[]) => fit.shown.map((i) => (hard.has(i) ? { content: texts[i] ?? '', wrapOnWordBoundary: false } : texts[i] ?? ''));
  const table = new Table({
    // cli-table3 takes cell objects in the head as in rows; its types only say strings
    head: cellsOf(headers.map((h) => chalk.bold(h))) as string[],
    colAligns: pick(model.columns).map((c) => (isNumeric(c.kind) ? 'right' : 'left')),
    colWidths: fit.shown.map((i) => {
      const wrapped = fit.wrap.get(i);
      return wrapped === undefined ? null : wrapped.width + 2;
    }),
    wordWrap: fit.wrap.size > 0,
    style: { head: [], border: [] },
    // no rule between body rows: compact, and easier to scan
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of cells) table.push(cellsOf(row));
  const notes = fit.dropped.length > 0 && options.width !== undefined ? [...model.notes, droppedNote(fit.dropped, options.width)] : model.notes;
  const parts: string[] = [];
  if (model.title) parts.push(chalk.bold(safeInline(model.title)));
  parts.push(table.toString());
  for (const line of notes) parts.push(chalk.yellow(safeMessage(line)));
  return parts.join('\n');
}

/** Several tables (e.g. an audit's sections) separated by a blank line. */
export function renderTables(models: readonly TableModel[], options: TableOptions): string {
  return models.map((m) => renderTable(m, options)).join('\n\n');
}
