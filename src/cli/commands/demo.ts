/** `costattr demo`: flags → DemoSpec → runDemo (generate, ingest, price, margins, reconcile, check) → rendered output. */
import type { Command } from 'commander';
import { CostattrError } from '../../errors.js';
import { note } from '../output.js';
import { runCommand } from '../run.js';

import { DEFAULT_SEED } from '../../demo/generate.js';

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
      const seed = parseSeed(opts.seed);
      // --out names the directory the demo keeps its files in; the output itself goes to stdout
      await runCommand({ format: opts.format, quiet: opts.quiet }, ['table', 'json', 'md'], async () => {
        const [{ runDemo }, { demoRendering }] = await Promise.all([import('../../demo/run.js'), import('../../render/outputs/documents.js')]);
        return demoRendering(await runDemo({ seed, outDir: opts.out, onNote: (message) => note(opts, message) }));
      });
    });
}
