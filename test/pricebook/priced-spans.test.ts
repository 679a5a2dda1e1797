// priced_spans against hand-computed figures: list prices (USD per MTok) × token counts, worked out here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { exact, insertSpans, pricedById } from './spans.js';

let db: Database;
beforeEach(async () => {
  db = await Database.open();
  await installPriceBook(db, await loadPriceBook([]));
});
afterEach(() => db.close());

describe('priced_spans', () => {
  it('prices every token class of a Sonnet 4.5 call from the list price', async () => {
    // Sonnet 4.5: input $3, cache read $0.30, 5m write $3.75, 1h write $6, output $15 per MTok
    await insertSpans(db, [{ id: 'a', model: 'claude-sonnet-4-5-20250929', input: 1000, cacheRead: 2000, cacheWrite5m: 3000, cacheWrite1h: 4000, output: 500 }]);
    const row = (await pricedById(db)).get('a');
    expect(row).toMatchObject({ model: 'claude-sonnet-4-5', priced: true, unpriced_reason: null, long_context: false, total_input_tokens: '10000' });
    expect(exact(row?.cost_input)).toBe('0.003'); // 1000 × 3 / 1e6
    expect(exact(row?.cost_cache_read)).toBe('0.0006'); // 2000 × 0.30 / 1e6
    expect(exact(row?.cost_cache_write_5m)).toBe('0.01125'); // 3000 × 3.75 / 1e6
    expect(exact(row?.cost_cache_write_1h)).toBe('0.024'); // 4000 × 6 / 1e6
    expect(exact(row?.cost_output)).toBe('0.0075'); // 500 × 15 / 1e6
    expect(exact(row?.cost_usd)).toBe('0.04635');
    expect(exact(row?.rate_input)).toBe('0.000003');
  });

  it('keeps sub-cent money exact over many tokens (gpt-4o-mini cached input $0.075/MTok)', async () => {
    await insertSpans(db, [{ id: 'a', model: 'gpt-4o-mini-2024-07-18', input: 7, cacheRead: 123_456_789, output: 3 }]);
    const row = (await pricedById(db)).get('a');
    // 7 × 0.15 + 123456789 × 0.075 + 3 × 0.6 = 1.05 + 9259259.175 + 1.8 = 9259262.025 micro-dollars
    expect(exact(row?.cost_usd)).toBe('9.259262025');
  });

  it('resolves dated snapshots, display names, provider prefixes and Bedrock ids to the canonical model', async () => {
    await insertSpans(db, [
      { id: '1', model: 'Claude Sonnet 4.5' },
      { id: '2', model: 'anthropic/claude-sonnet-4-5-20250929' },
      { id: '3', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' },
      { id: '4', model: 'claude-sonnet-4-5@20250929' },
      { id: '5', model: 'openai/gpt-4.1-2025-04-14' },
      { id: '6', model: 'gpt-4.1-2099-12-31' },
      { id: '7', model: 'models/gemini-2.5-pro' },
      { id: '8', model: null, requestModel: 'GPT-4o-mini' },
      { id: '9', model: 'gpt-4.1-mini', requestModel: 'gpt-4.1' },
    ]);
    const rows = await pricedById(db);
    const models = [...rows.values()].map((r) => [r.span_id, r.model, r.priced]);
    expect(models).toEqual([
      ['1', 'claude-sonnet-4-5', true],
      ['2', 'claude-sonnet-4-5', true],
      ['3', 'claude-sonnet-4-5', true],
      ['4', 'claude-sonnet-4-5', true],
      ['5', 'gpt-4.1', true],
      ['6', 'gpt-4.1', true],
      ['7', 'gemini-2.5-pro', true],
      ['8', 'gpt-4o-mini', true],
      ['9', 'gpt-4.1-mini', true], // the response model (what served) wins over the request model
    ]);
  });

  it('prices each day at the row in effect that day (o3 price cut on 2025-06-10)', async () => {
    await insertSpans(db, [
      { id: 'before', model: 'o3-2025-04-16', start: '2025-06-09 23:59:59', input: 1_000_000, output: 1_000_000 },
      { id: 'after', model: 'o3-2025-04-16', start: '2025-06-10 00:00:00', input: 1_000_000, output: 1_000_000 },
    ]);
    const rows = await pricedById(db);
    expect(exact(rows.get('before')?.cost_usd)).toBe('50'); // $10 + $40 at launch
    expect(exact(rows.get('after')?.cost_usd)).toBe('10'); // $2 + $8 after the cut
  });

  it('prefers an exact snapshot entry over the date-stripped family name', async () => {
    await insertSpans(db, [
      { id: 'may', model: 'gpt-4o-2024-05-13', input: 1_000_000 },
      { id: 'aug', model: 'gpt-4o-2024-08-06', input: 1_000_000 },
    ]);
    const rows = await pricedById(db);
    expect(rows.get('may')?.model).toBe('gpt-4o-2024-05-13');
    expect(exact(rows.get('may')?.cost_usd)).toBe('5');
    expect(exact(rows.get('aug')?.cost_usd)).toBe('2.5');
  });

  it('prices the whole request at the long-context rate from 200,000 total input tokens', async () => {
    await insertSpans(db, [
      // total input 199,999 (uncached + cache read): standard rows
      { id: 'below', model: 'claude-sonnet-4-5', input: 100_000, cacheRead: 99_999, output: 1000 },
      // total input 200,000 across uncached, read and both writes: every class at the >200k rows
      { id: 'at', model: 'claude-sonnet-4-5', input: 100_000, cacheRead: 50_000, cacheWrite5m: 30_000, cacheWrite1h: 20_000, output: 1000 },
    ]);
    const rows = await pricedById(db);
    const below = rows.get('below');
    const at = rows.get('at');
    expect(below?.long_context).toBe(false);
    // 100000 × 3 + 99999 × 0.30 + 1000 × 15 = 300000 + 29999.7 + 15000 micro-dollars
    expect(exact(below?.cost_usd)).toBe('0.3449997');
    expect(at?.long_context).toBe(true);
    // long rows: input 6, read 0.60, 5m 7.50, 1h 12, output 22.50
    // 100000 × 6 + 50000 × 0.6 + 30000 × 7.5 + 20000 × 12 + 1000 × 22.5 = 600000 + 30000 + 225000 + 240000 + 22500
    expect(exact(at?.cost_usd)).toBe('1.1175');
    expect(at?.total_input_tokens).toBe('200000');
  });

  it('applies OpenAI\'s 272k long-context rows per tier (gpt-5.4 priority)', async () => {
    await insertSpans(db, [
      { id: 'below', model: 'gpt-5.4-2026-03-05', start: '2026-05-01 00:00:00', tier: 'priority', input: 171_999, cacheRead: 100_000, output: 1000 },
      { id: 'at', model: 'gpt-5.4-2026-03-05', start: '2026-05-01 00:00:00', tier: 'priority', input: 172_000, cacheRead: 100_000, output: 1000 },
    ]);
    const rows = await pricedById(db);
    // priority: input $5, cached $0.50, output $30: 859995 + 50000 + 30000 micro-dollars
    expect(exact(rows.get('below')?.cost_usd)).toBe('0.939995');
    // ≥272k: input and cached 2× ($10, $1), output 1.5× ($45): 1720000 + 100000 + 45000
    expect(exact(rows.get('at')?.cost_usd)).toBe('1.865');
    expect(rows.get('at')?.long_context).toBe(true);
  });

  it('prices batch spans at the batch rows', async () => {
    await insertSpans(db, [
      { id: 'openai', model: 'gpt-4.1', tier: 'batch', input: 1_000_000, cacheRead: 1_000_000, output: 1_000_000 },
      { id: 'anthropic', model: 'claude-haiku-4-5', tier: 'batch', input: 1_000_000, cacheWrite1h: 1_000_000, output: 1_000_000 },
    ]);
    const rows = await pricedById(db);
    // gpt-4.1 batch: $1 input, $0.25 cached, $4 output per MTok
    expect(exact(rows.get('openai')?.cost_usd)).toBe('5.25');
    // Haiku 4.5 batch = half of $1 / $2 (1h write) / $5
    expect(exact(rows.get('anthropic')?.cost_usd)).toBe('4');
  });

  it('leaves a tier without a rate unpriced with a reason, never at the standard rate', async () => {
    await insertSpans(db, [
      { id: 'prio', model: 'claude-sonnet-4-5', tier: 'priority', input: 1000, output: 10 },
      { id: 'flex', model: 'gemini-2.5-pro', tier: 'flex', input: 1000 },
    ]);
    const rows = await pricedById(db);
    expect(rows.get('prio')).toMatchObject({ priced: false, unpriced_reason: 'no_priority_rate', rate_input: null });
    expect(exact(rows.get('prio')?.cost_usd)).toBe('0');
    expect(rows.get('flex')).toMatchObject({ priced: false, unpriced_reason: 'no_flex_rate' });
  });

  it('leaves an unknown model unpriced at cost 0 and keeps its name', async () => {
    await insertSpans(db, [{ id: 'x', model: 'acme-llm-7b', input: 5000, output: 100 }]);
    const row = (await pricedById(db)).get('x');
    expect(row).toMatchObject({ model: 'acme-llm-7b', priced: false, unpriced_reason: 'unknown_model', long_context: false });
    for (const cost of ['cost_input', 'cost_cache_read', 'cost_cache_write_5m', 'cost_cache_write_1h', 'cost_output', 'cost_usd']) {
      expect(exact(row?.[cost])).toBe('0');
    }
  });

  it('says no_price_on_date before the first row of a known model', async () => {
    // claude-sonnet-4-5 rows start 2025-09-29
    await insertSpans(db, [{ id: 'early', model: 'claude-sonnet-4-5', start: '2025-09-28 23:59:59', input: 10 }]);
    expect((await pricedById(db)).get('early')).toMatchObject({ priced: false, unpriced_reason: 'no_price_on_date' });
  });

  it('covers inference spans only', async () => {
    await insertSpans(db, [
      { id: 'call', model: 'gpt-4.1', input: 10 },
      { id: 'tool', model: 'gpt-4.1', input: 10, isInference: false },
    ]);
    expect([...(await pricedById(db)).keys()]).toEqual(['call']);
  });

  it('uses DECIMAL(38,15) for every rate and cost column', async () => {
    const types = await db.all<{ column_name: string; column_type: string }>('DESCRIBE priced_spans');
    const money = types.filter((t) => /^(rate|cost)_/.test(t.column_name));
    expect(money).toHaveLength(11);
    expect(new Set(money.map((t) => t.column_type))).toEqual(new Set(['DECIMAL(38,15)']));
    const priceTypes = await db.all<{ column_name: string; column_type: string }>('DESCRIBE prices');
    expect(priceTypes.find((t) => t.column_name === 'cache_write_1h')?.column_type).toBe('DECIMAL(38,15)');
  });
});
