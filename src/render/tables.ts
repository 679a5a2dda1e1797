/** One entry point for the human and CSV formats of a list of table models. */
import { CostattrError } from '../errors.js';
import { renderCsv } from './csv.js';
import { renderMarkdownDocument } from './md.js';
import type { TableModel } from './model.js';
import { renderTables, type TableOptions } from './table.js';

export type TableFormat = 'table' | 'csv' | 'md';

export function renderTableModels(models: readonly TableModel[], format: TableFormat, options: TableOptions): string {
  switch (format) {
    case 'table':
      return renderTables(models, options);
    case 'md':
      return renderMarkdownDocument(models);
    case 'csv': {
      const [only, ...more] = models;
      if (!only || more.length > 0) throw new CostattrError('BAD_USAGE', 'CSV output holds one table; use --format json|table|md here');
      return renderCsv(only);
    }
    default:
      return (format satisfies never) as string;
  }
}
