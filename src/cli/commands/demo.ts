/** `costattr demo`: flags → DemoSpec → runDemo (generate, ingest, price, margins, reconcile, check) → rendered output. */
import type { Command } from 'commander';
import { DEFAULT_SEED } from '../../demo/generate.js';
import { demoJson, demoTables } from '../../demo/report.js';
import { runDemo } from '../../demo/run.js';
import { CostattrError } from '../../errors.js';
import { wantsColor } from '../../render/color.js';
import { renderJson } from '../../render/json.js';
import { renderTableModels } from '../../render/tables.js';
import { emit, formatOf, note } from '../common.js';

interface DemoOptions {
  out?: string;
  format?: string;
  seed?: string;
  quiet?: boolean;
}

function parseSeed(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SEED;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new CostattrError('BAD_USAGE', `--seed ${value}: expected a whole number from 0 to 4294967295`);
  return Number(value);
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the worked example end to end: generate a month of a 40-tenant agent, attribute it, reproduce the segment table')
    .option('--out <dir>', 'keep the generated spans, revenue, invoices and truth.json in this directory')
    .option('--format <format>', 'output format: table|json|md', 'table')
    .option('--seed <n>', `random seed (default ${DEFAULT_SEED})`)
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (opts: DemoOptions) => {
      const format = formatOf(opts, ['table', 'json', 'md']);
      const seed = parseSeed(opts.seed);
      const result = await runDemo({ seed, outDir: opts.out, onNote: (message) => note(opts, message) });
      if (format === 'json') emit({}, renderJson(demoJson(result)));
      else {
        const color = wantsColor(process.env, process.stdout.isTTY === true, false);
        emit({}, renderTableModels(demoTables(result), format === 'md' ? 'md' : 'table', { color }));
      }
      // a mismatch means attribution disagrees with the ground truth: report it as a failed check
      const c = result.check;
      if (c.matched !== c.tenants || !c.unattributed_matches || !result.invoice.untraced_matches) process.exitCode = 1;
    });
}
