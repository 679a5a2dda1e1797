/**
 * Terminal tables (cli-table3), coloured with chalk only when the caller says the output is a
 * colour terminal (the CLI decides: TTY, NO_COLOR, --out). Numbers are right-aligned.
 */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import { displayCell, isNumeric, type TableModel } from './model.js';
import { safeInline, safeMessage } from './terminal-text.js';

export interface TableOptions {
  color: boolean;
}

export function renderTable(model: TableModel, options: TableOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const table = new Table({
    head: model.columns.map((c) => chalk.bold(safeInline(c.header))),
    colAligns: model.columns.map((c) => (isNumeric(c.kind) ? 'right' : 'left')),
    style: { head: [], border: [] },
    // no rule between body rows: compact, and easier to scan
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of model.rows) {
    table.push(model.columns.map((c) => displayCell(row[c.key] ?? null, c.kind)));
  }
  const parts: string[] = [];
  if (model.title) parts.push(chalk.bold(safeInline(model.title)));
  parts.push(table.toString());
  for (const line of model.notes) parts.push(chalk.yellow(safeMessage(line)));
  return parts.join('\n');
}

/** Several tables (e.g. an audit's sections) separated by a blank line. */
export function renderTables(models: readonly TableModel[], options: TableOptions): string {
  return models.map((m) => renderTable(m, options)).join('\n\n');
}
