/**
 * Flat span tables: one span per JSON line, CSV row or Parquet row, columns named canonically, by a
 * common alias or by the user's mapping (mapping.ts). One source per container format, as each
 * takes its own place in detection: Parquet by its extension before anything else, CSV by its
 * extension after the sources that export CSV, JSON Lines as whatever no other source claims.
 */
import type { SpanSource } from '../source.js';
import { loadFlatFile, type FlatFormat } from './load.js';

function flatTable(format: FlatFormat, detect: SpanSource['detect']): SpanSource {
  return {
    name: 'flat',
    format,
    position: format === 'parquet' ? 'row' : 'line',
    detect,
    load: (ctx, file) => loadFlatFile(ctx, file.path, format),
  };
}

export const flatParquet = flatTable('parquet', (head) => head.is('.parquet'));
export const flatCsv = flatTable('csv', (head) => head.is('.csv'));
export const flatJsonl = flatTable('jsonl', () => true);
