/** `costattr costs --by <dims>`: flags → CostsSpec → attributeCosts → rendered output. */
import type { Command } from 'commander';
import { parseDimensions } from '../../analysis/dimensions.js';
import { CostattrError } from '../../errors.js';
import { addEngineOptions, addInputOptions, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

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
  addEngineOptions(addInputOptions(cmd, OUTPUT_FORMATS)).action(async (opts: CostsOptions) => {
    const spec = { by: parseDimensions(opts.by), top: parseTop(opts.top), filter: { period: periodOf(opts) } };
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts, { period: spec.filter.period }), async ({ engine }) => {
      const [{ attributeCosts }, { costsRendering }] = await Promise.all([import('../../analysis/costs.js'), import('../../render/outputs/analyses.js')]);
      return costsRendering(await attributeCosts(engine, spec));
    });
  });
}
