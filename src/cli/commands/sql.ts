/** `costattr sql "<query>"`: one read query over the canonical tables and views, rendered. */
import type { Command } from 'commander';
import { addInputOptions, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

export function registerSql(program: Command): void {
  const cmd = program
    .command('sql')
    .description('run one read query (SELECT/WITH/DESCRIBE/SHOW) over spans, priced_spans, prices, model_aliases, ingests')
    .argument('<query>', 'the SQL query');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (query: string, opts: InputOptions) => {
    await runInWorkspace(opts, OUTPUT_FORMATS, { ...readWorkspace(opts), sandbox: true }, async ({ db }) => {
      const [{ runReadQuery }, { queryRendering }] = await Promise.all([import('../../analysis/sql-query.js'), import('../../render/outputs/analyses.js')]);
      return queryRendering(await runReadQuery(db, query));
    });
  });
}
