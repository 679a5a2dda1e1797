// `pricing check` core: unpriced models grouped with reason, span and per-class token counts, token share.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkPricing } from '../../src/analysis/pricing-check.js';
import { Database } from '../../src/db/database.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { insertSpans } from './spans.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
  await installPriceBook(db, await loadPriceBook([]));
});
afterEach(() => db.close());

const ALL_TIME = { period: { since: undefined, until: undefined, timezone: 'UTC' } };

describe('checkPricing', () => {
  it('lists each unpriced model with its reason, spans, tokens per class and share of all tokens', async () => {
    await insertSpans(db, [
      { id: '1', model: 'gpt-4.1', input: 5000, output: 1000 }, // priced: 6,000 tokens
      { id: '2', model: 'acme-llm', input: 1000, cacheRead: 500, cacheWrite5m: 200, cacheWrite1h: 100, output: 200 }, // 2,000
      { id: '3', model: 'acme-llm', input: 1000, output: 1000 }, // 2,000
      { id: '4', model: 'claude-haiku-4-5', tier: 'flex', input: 400, output: 600 }, // 1,000
      { id: '5', model: 'acme-llm', input: 999_999, isInference: false }, // not an inference span: ignored
    ]);
    const result = await checkPricing(db, { filter: ALL_TIME });
    expect(result).toMatchObject({ spans: 4, unpriced_spans: 3, tokens: 11_000, unpriced_tokens: 5_000, priced_share: 0.545455 });
    expect(result.unpriced).toEqual([
      {
        model: 'acme-llm', provider: null, reason: 'unknown_model', spans: 2,
        input_tokens: 2000, cache_read_tokens: 500, cache_write_5m_tokens: 200, cache_write_1h_tokens: 100, output_tokens: 1200,
        tokens: 4000, token_share: 0.363636,
      },
      {
        model: 'claude-haiku-4-5', provider: null, reason: 'no_flex_rate', spans: 1,
        input_tokens: 400, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 600,
        tokens: 1000, token_share: 0.090909,
      },
    ]);
  });

  it('reports full coverage when everything is priced', async () => {
    await insertSpans(db, [{ id: '1', model: 'o3', input: 10, output: 10 }]);
    expect(await checkPricing(db, { filter: ALL_TIME })).toEqual({ spans: 1, unpriced_spans: 0, tokens: 20, unpriced_tokens: 0, priced_share: 1, unpriced: [] });
  });

  it('only counts spans in the period', async () => {
    await insertSpans(db, [
      { id: '1', model: 'acme-llm', start: '2025-10-01 00:00:00', input: 10 },
      { id: '2', model: 'acme-llm', start: '2025-11-01 00:00:00', input: 10 },
    ]);
    const result = await checkPricing(db, { filter: { period: { since: '2025-10-01', until: '2025-11-01', timezone: 'UTC' } } });
    expect(result.unpriced.map((u) => u.spans)).toEqual([1]);
  });
});
