/**
 * Loading a scenario straight into the canonical `spans` table (bypassing ingest, which has its own
 * tests), and the small price book the integration tests price it with.
 */
import { Database } from '../../../src/db/database.js';
import type { PriceBook, PriceRow } from '../../../src/pricebook/index.js';
import { installPriceBook } from '../../../src/pricebook/index.js';
import { insertSpanRows, spanRow } from '../../helpers/spans.js';
import { MODELS, providerOf, type SpanRow } from './builder.js';

/** USD per million tokens: input, cache read, cache write 5m, cache write 1h, output (list prices). */
export const TEST_PRICES: Record<string, [string, string, string, string, string]> = {
  [MODELS.haiku]: ['1', '0.1', '1.25', '2', '5'],
  [MODELS.sonnet]: ['3', '0.3', '3.75', '6', '15'],
  [MODELS.opus]: ['5', '0.5', '6.25', '10', '25'],
  [MODELS.opusOld]: ['15', '1.5', '18.75', '30', '75'],
  [MODELS.mini]: ['0.25', '0.025', '0.25', '0.25', '2'],
  [MODELS.flagship]: ['10', '1', '10', '10', '45'],
};

export function testPriceBook(): PriceBook {
  const rows: PriceRow[] = Object.entries(TEST_PRICES).map(([model, [input, read, w5, w1, output]]) => ({
    provider: providerOf(model), model, tier: 'standard', minInputTokens: 0, effectiveFrom: '2025-01-01', effectiveTo: null,
    perMtok: { input, cache_read: read, cache_write_5m: w5, cache_write_1h: w1, output }, source: 'test',
  }));
  return { models: Object.keys(TEST_PRICES).map((model) => ({ provider: providerOf(model), model, aliases: [] })), rows };
}

/** Insert rows into `spans` (the scenario's rows are canonical columns already). */
export async function insertSpans(db: Database, spans: readonly SpanRow[]): Promise<void> {
  await insertSpanRows(db, spans.map((row) => spanRow(row)));
}

/** An in-memory database with the scenario's spans, priced with the test book. */
export async function scenarioDb(spans: readonly SpanRow[], path?: string): Promise<Database> {
  const db = await Database.open({ path });
  await insertSpans(db, spans);
  await installPriceBook(db, testPriceBook());
  return db;
}
