/** `costattr costs --by <dims>`: flags → CostsSpec → attributeCosts → rendered output. */
import type { Command } from 'commander';
import { attributeCosts } from '../../analysis/costs.js';
import { parseDimensions } from '../../analysis/dimensions.js';
import { CostattrError } from '../../errors.js';
import { wantsColor } from '../../render/color.js';
import { costsJson, costsNotes, costsTable } from '../../render/costs.js';
import { renderJson } from '../../render/json.js';
import { renderTableModels, type TableFormat } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, note, openAnalysisDb, periodOf, type InputOptions } from '../common.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

interface CostsOptions extends InputOptions {
  by: string;
  top?: string;
}

export function parseTop(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CostattrError('BAD_USAGE', `--top ${value}: expected a whole number ≥ 1`);
  return Number(value);
}

export function registerCosts(program: Command): void {
  const cmd = program
    .command('costs')
    .description('attribute priced spend by tenant, user, task, route, model, provider, tier, effort, day/week/month or layer')
    .requiredOption('--by <dims>', 'comma list: tenant,user,task,route,model,provider,tier,effort,day,week,month,layer')
    .option('--top <n>', 'show the N most expensive groups (totals still cover everything)');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: CostsOptions) => {
    // formatOf checked the value against this list, so the narrowing is sound
    const format = formatOf(opts, OUTPUT_FORMATS) as TableFormat | 'json';
    const by = parseDimensions(opts.by);
    const top = parseTop(opts.top);
    const period = periodOf(opts);
    const db = await openAnalysisDb(opts);
    let result;
    try {
      result = await attributeCosts(db, { by, filter: { period }, top });
    } finally {
      db.close();
    }
    if (format === 'json') {
      emit(opts, renderJson(costsJson(result)));
      for (const line of costsNotes(result)) note(opts, line);
    } else {
      const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
      emit(opts, renderTableModels([costsTable(result, { summary: format !== 'csv' })], format, { color }));
      if (format === 'csv') for (const line of costsNotes(result)) note(opts, line);
    }
  });
}
