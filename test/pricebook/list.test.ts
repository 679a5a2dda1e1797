// `pricing list` core: filter by provider and by the date rows are in effect; rates exactly as written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPrices, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';

describe('listPrices', () => {
  it('shows a provider\'s models with aliases and exact per-MTok strings', async () => {
    const list = listPrices(await loadPriceBook([]), { provider: 'anthropic' });
    expect(new Set(list.models.map((m) => m.provider))).toEqual(new Set(['anthropic']));
    const sonnet = list.models.find((m) => m.model === 'claude-sonnet-4-5');
    expect(sonnet?.aliases).toContain('claude sonnet 4.5');
    expect(sonnet?.prices[0]).toEqual({
      tier: 'standard', min_input_tokens: 0, effective_from: '2025-09-29', effective_to: null,
      per_mtok: { input: '3', cache_read: '0.3', cache_write_5m: '3.75', cache_write_1h: '6', output: '15' },
    });
    expect(sonnet?.prices.map((p) => `${p.tier}@${p.min_input_tokens}`)).toEqual(['standard@0', 'standard@200000', 'batch@0', 'batch@200000']);
  });

  it('as of a date keeps only the rows in effect that day', async () => {
    const file = join(tempDir('pricebook-'), 'discount.json');
    const rates = (input: string) => ({ input, cache_read: '0', cache_write_5m: input, cache_write_1h: input, output: '1' });
    writeFileSync(file, JSON.stringify({ provider: 'acme', models: [{ model: 'acme-1', prices: [
      { effective_from: '2025-01-01', per_mtok: rates('2') },
      { effective_from: '2025-06-01', per_mtok: rates('1') },
    ] }] }));
    const book = await loadPriceBook([file]);
    const inputOn = (asOf: string) => listPrices(book, { provider: 'acme', asOf }).models[0]?.prices.map((p) => p.per_mtok.input);
    expect(inputOn('2025-05-31')).toEqual(['2']);
    expect(inputOn('2025-06-01')).toEqual(['1']);
    expect(listPrices(book, { provider: 'acme', asOf: '2024-12-31' }).models).toEqual([]);
    expect(listPrices(book, { provider: 'acme' }).models[0]?.prices.map((p) => [p.effective_from, p.effective_to])).toEqual([
      ['2025-01-01', '2025-06-01'],
      ['2025-06-01', null],
    ]);
  });

  it('rejects an unknown provider and a malformed date', async () => {
    const book = await loadPriceBook([]);
    expect(() => listPrices(book, { provider: 'nope' })).toThrow('--provider nope: the price book has anthropic, google, openai');
    expect(() => listPrices(book, { asOf: '2025-13-45' })).toThrow('--as-of 2025-13-45');
  });
});
