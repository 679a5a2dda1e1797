/** `costattr quality`: flags → an analysis database → assessQuality → the per-source data-quality report. */
import type { Command } from 'commander';
import { assessQuality } from '../../analysis/quality.js';
import { wantsColor } from '../../render/color.js';
import { renderJson } from '../../render/json.js';
import { qualityJson, qualityTable } from '../../render/quality.js';
import { renderTableModels, type TableFormat } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, openAnalysisDb, type InputOptions } from '../common.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

export function registerQuality(program: Command): void {
  const cmd = program
    .command('quality')
    .description('data quality per span source: records, duplicates by rule, rejected, conventions, missing tags, unpriced, attributable share');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: InputOptions) => {
    const format = formatOf(opts, OUTPUT_FORMATS) as TableFormat | 'json';
    const db = await openAnalysisDb(opts);
    let result;
    try {
      result = await assessQuality(db);
    } finally {
      db.close();
    }
    if (format === 'json') emit(opts, renderJson(qualityJson(result)));
    else emit(opts, renderTableModels([qualityTable(result)], format, { color: wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined) }));
  });
}
