/** `costattr sql "<query>"`: one read query over the canonical tables and views, rendered. */
import type { Command } from 'commander';
import { runReadQuery } from '../../analysis/sql-query.js';
import { wantsColor } from '../../render/color.js';
import { renderJson } from '../../render/json.js';
import { queryJson, queryTable } from '../../render/query.js';
import { renderTableModels, type TableFormat } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, openAnalysisDb, type InputOptions } from '../common.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

export function registerSql(program: Command): void {
  const cmd = program
    .command('sql')
    .description('run one read query (SELECT/WITH/DESCRIBE/SHOW) over spans, priced_spans, prices, model_aliases, ingests')
    .argument('<query>', 'the SQL query');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (query: string, opts: InputOptions) => {
    // formatOf checked the value against this list, so the narrowing is sound
    const format = formatOf(opts, OUTPUT_FORMATS) as TableFormat | 'json';
    const db = await openAnalysisDb(opts);
    let result;
    try {
      result = await runReadQuery(db, query);
    } finally {
      db.close();
    }
    if (format === 'json') emit(opts, renderJson(queryJson(result)));
    else {
      const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
      emit(opts, renderTableModels([queryTable(result)], format, { color }));
    }
  });
}
