// --pricing overrides: replace a built-in row, add dated rows, add a private model; reject bad files clearly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';
import { exact, insertSpans, pricedById } from './spans.js';

const rates = (input: string, output: string) => ({ input, cache_read: '0', cache_write_5m: input, cache_write_1h: input, output });

function writeBook(doc: unknown): string {
  const file = join(tempDir('pricebook-'), 'override.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

let db: Database | undefined;
afterEach(() => db?.close());

async function priceWith(files: string[], spans: Parameters<typeof insertSpans>[1]) {
  db = await Database.open();
  await installPriceBook(db, await loadPriceBook(files));
  await insertSpans(db, spans);
  return pricedById(db);
}

describe('price overrides', () => {
  it('prices each day of a month with the row effective that day (price change mid-month)', async () => {
    const file = writeBook({
      provider: 'acme',
      models: [{
        model: 'acme-private-1',
        aliases: ['Acme Private One'],
        prices: [
          { effective_from: '2025-03-01', tier: 'standard', per_mtok: rates('1', '2') },
          { effective_from: '2025-03-15', tier: 'standard', per_mtok: rates('0.5', '1') },
        ],
      }],
    });
    const rows = await priceWith([file], [
      { id: '1-before', model: 'acme-private-1', start: '2025-02-28 23:59:59', input: 1_000_000 },
      { id: '2-first', model: 'acme-private-1', start: '2025-03-01 00:00:00', input: 1_000_000, output: 1_000_000 },
      { id: '3-last-old', model: 'Acme Private One', start: '2025-03-14 23:59:59', input: 1_000_000 },
      { id: '4-new', model: 'acme-private-1', start: '2025-03-15 00:00:00', input: 1_000_000, output: 1_000_000 },
      { id: '5-later', model: 'acme-private-1', start: '2025-03-31 12:00:00', input: 2_000_000 },
    ]);
    expect(rows.get('1-before')).toMatchObject({ priced: false, unpriced_reason: 'no_price_on_date' });
    expect(exact(rows.get('2-first')?.cost_usd)).toBe('3'); // 1M × $1 + 1M × $2
    expect(exact(rows.get('3-last-old')?.cost_usd)).toBe('1');
    expect(exact(rows.get('4-new')?.cost_usd)).toBe('1.5'); // 1M × $0.50 + 1M × $1
    expect(exact(rows.get('5-later')?.cost_usd)).toBe('1'); // 2M × $0.50
  });

  it('replaces the built-in row with the same model, tier, threshold and date, and adds a discount from a date', async () => {
    const file = writeBook({
      provider: 'anthropic',
      models: [{
        model: 'claude-sonnet-4-5',
        prices: [
          { effective_from: '2025-09-29', tier: 'standard', per_mtok: rates('2.4', '12') },
          { effective_from: '2026-01-01', tier: 'standard', per_mtok: rates('2.1', '10.5') },
        ],
      }],
    });
    const rows = await priceWith([file], [
      { id: 'replaced', model: 'claude-sonnet-4-5-20250929', start: '2025-12-31 23:00:00', input: 100_000, output: 100_000 },
      { id: 'discount', model: 'claude-sonnet-4-5-20250929', start: '2026-01-01 01:00:00', input: 100_000, output: 100_000 },
      { id: 'batch-kept', model: 'claude-sonnet-4-5', tier: 'batch', input: 100_000 },
      { id: 'long-kept', model: 'claude-sonnet-4-5', input: 200_000 },
    ]);
    expect(exact(rows.get('replaced')?.cost_usd)).toBe('1.44'); // 0.1M × 2.4 + 0.1M × 12, not the list 3 + 15
    expect(exact(rows.get('discount')?.cost_usd)).toBe('1.26'); // 0.1M × 2.1 + 0.1M × 10.5
    expect(exact(rows.get('batch-kept')?.cost_usd)).toBe('0.15'); // built-in batch row untouched: 0.1M × 1.5
    expect(exact(rows.get('long-kept')?.cost_usd)).toBe('1.2'); // built-in >200k row untouched: 0.2M × 6
  });

  it('leaves requests below a tier\'s only (long-context) row unpriced', async () => {
    const file = writeBook({
      provider: 'acme',
      models: [{ model: 'acme-long', prices: [{ effective_from: '2025-01-01', tier: 'standard', min_input_tokens: 100_000, per_mtok: rates('1', '1') }] }],
    });
    const rows = await priceWith([file], [
      { id: 'short', model: 'acme-long', input: 99_999 },
      { id: 'long', model: 'acme-long', input: 100_000 },
    ]);
    expect(rows.get('short')).toMatchObject({ priced: false, unpriced_reason: 'no_standard_rate' });
    expect(rows.get('long')).toMatchObject({ priced: true, long_context: true });
    expect(exact(rows.get('long')?.cost_usd)).toBe('0.1');
  });

  it('names the file and the JSON path of a bad field', async () => {
    const file = writeBook({
      provider: 'acme',
      models: [{ model: 'ok', prices: [] }, { model: 'bad', prices: [{ effective_from: '2025-01-01', tier: 'standard', per_mtok: { ...rates('1', '2'), input: 3 } }] }],
    });
    const error = await loadPriceBook([file]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(CostattrError);
    expect((error as CostattrError).exitCode).toBe(2);
    expect((error as CostattrError).message).toContain(`${file}: models[1].prices[0].per_mtok.input: expected a decimal string`);
  });

  it.each([
    [{ provider: 'x', models: [{ model: 'm', prices: [{ effective_from: '2025-02-30', per_mtok: rates('1', '1') }] }] }, 'models[0].prices[0].effective_from: not a calendar date'],
    [{ provider: 'x', models: [{ model: 'm', prices: [{ effective_from: '2025-02-01', tier: 'turbo', per_mtok: rates('1', '1') }] }] }, 'models[0].prices[0].tier: expected one of standard, batch, flex, priority'],
    [{ provider: 'x', models: [{ model: 'm', prices: [{ effective_from: '2025-02-01', min_input_tokens: -1, per_mtok: rates('1', '1') }] }] }, 'models[0].prices[0].min_input_tokens: expected a non-negative integer'],
    [{ provider: 'x', models: [{ model: 'm', prices: [{ effective_from: '2025-02-01', per_mtok: { input: '1' } }] }] }, 'models[0].prices[0].per_mtok.cache_read: expected a decimal string'],
    [{ provider: 'x', models: [{ model: 'm', prices: [{ effective_from: '2025-02-01', per_mtok: { ...rates('1', '1'), reasoning: '1' } }] }] }, 'models[0].prices[0].per_mtok.reasoning: unknown token class'],
    [{ models: [] }, 'provider: expected a non-empty string'],
    [{ provider: 'anthropic', models: [{ model: 'gpt-4.1', prices: [] }] }, 'model gpt-4.1 belongs to provider openai, not anthropic'],
  ])('rejects %j', async (doc, message) => {
    const file = writeBook(doc);
    await expect(loadPriceBook([file])).rejects.toThrow(message.startsWith('model ') ? message : `${file}: ${message}`);
  });

  it('rejects an alias that would name two models', async () => {
    const file = writeBook({ provider: 'acme', models: [{ model: 'acme-1', aliases: ['Claude Sonnet 4.5'], prices: [] }] });
    await expect(loadPriceBook([file])).rejects.toThrow('claude sonnet 4.5 refers to both claude-sonnet-4-5 and acme-1');
  });

  it('rejects a file that is not JSON, naming it', async () => {
    const file = join(tempDir('pricebook-'), 'broken.json');
    writeFileSync(file, '{"provider": ');
    await expect(loadPriceBook([file])).rejects.toThrow(`${file}: invalid JSON`);
  });
});
