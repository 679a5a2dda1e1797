/** `costattr pricing list|check`: show the price book; list the models in the data it cannot price. */
import type { Command } from 'commander';
import { addInputOptions, collect, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runCommand, runInWorkspace } from '../run.js';

const LIST_FORMATS = ['table', 'json', 'csv', 'md'] as const;

interface ListOptions {
  provider?: string;
  asOf?: string;
  pricing?: string[];
  format?: string;
  out?: string;
}

export function registerPricing(program: Command): void {
  const pricing = program.command('pricing').description('the price book, and what in the data it cannot price');

  pricing
    .command('list')
    .description('show the price book (USD per million tokens), built-in plus --pricing overrides')
    .option('--provider <name>', 'only this provider (anthropic, openai, google, …)')
    .option('--as-of <date>', 'only the rows in effect on this date (YYYY-MM-DD)')
    .option('--pricing <file>', 'price overrides merged over the built-in book (repeatable)', collect)
    .option('--format <format>', `output format: ${LIST_FORMATS.join('|')}`, 'table')
    .option('--out <file>', 'write the output to a file instead of stdout')
    .action(async (opts: ListOptions) => {
      await runCommand(opts, LIST_FORMATS, async () => {
        const [{ loadPriceBook, listPrices }, { priceListRendering }] = await Promise.all([import('../../pricebook/index.js'), import('../../render/outputs/analyses.js')]);
        return priceListRendering(listPrices(await loadPriceBook(opts.pricing ?? []), { provider: opts.provider, asOf: opts.asOf }));
      });
    });

  const check = pricing
    .command('check')
    .description('list the models in the data the price book cannot price, with span and token counts');
  addInputOptions(check, LIST_FORMATS).action(async (opts: InputOptions) => {
    const filter = { period: periodOf(opts) };
    await runInWorkspace(opts, LIST_FORMATS, readWorkspace(opts, { period: filter.period }), async ({ db }) => {
      const [{ checkPricing }, { pricingCheckRendering }] = await Promise.all([import('../../analysis/pricing-check.js'), import('../../render/outputs/analyses.js')]);
      return pricingCheckRendering(await checkPricing(db, { filter }));
    });
  });
}
