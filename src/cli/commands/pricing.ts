/** `costattr pricing list|check`: show the price book; list the models in the data it cannot price. */
import type { Command } from 'commander';
import { checkPricing } from '../../analysis/pricing-check.js';
import { loadPriceBook, listPrices } from '../../pricebook/index.js';
import { wantsColor } from '../../render/color.js';
import { renderJson } from '../../render/json.js';
import type { TableModel } from '../../render/model.js';
import { priceListTable, pricingCheckNotes, pricingCheckTable } from '../../render/pricing.js';
import { renderTableModels, type TableFormat } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, note, openAnalysisDb, periodOf, type InputOptions } from '../common.js';

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
    .option('--pricing <files...>', 'price overrides merged over the built-in book')
    .option('--format <format>', `output format: ${LIST_FORMATS.join('|')}`, 'table')
    .option('--out <file>', 'write the output to a file instead of stdout')
    .action(async (opts: ListOptions) => {
      const format = formatOf(opts, LIST_FORMATS) as TableFormat | 'json';
      const list = listPrices(await loadPriceBook(opts.pricing ?? []), { provider: opts.provider, asOf: opts.asOf });
      if (format === 'json') emit(opts, renderJson(list));
      else emit(opts, renderTable(priceListTable(list), format, opts));
    });

  const check = pricing
    .command('check')
    .description('list the models in the data the price book cannot price, with span and token counts');
  addInputOptions(check, LIST_FORMATS).action(async (opts: InputOptions) => {
    const format = formatOf(opts, LIST_FORMATS) as TableFormat | 'json';
    const period = periodOf(opts);
    const db = await openAnalysisDb(opts);
    let result;
    try {
      result = await checkPricing(db, { filter: { period } });
    } finally {
      db.close();
    }
    if (format === 'json') {
      emit(opts, renderJson(result));
      for (const line of pricingCheckNotes(result)) note(opts, line);
    } else {
      emit(opts, renderTable(pricingCheckTable(result), format, opts));
      if (format === 'csv') for (const line of pricingCheckNotes(result)) note(opts, line);
    }
  });
}

function renderTable(model: TableModel, format: TableFormat, opts: { out?: string }): string {
  const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
  return renderTableModels([model], format, { color });
}
