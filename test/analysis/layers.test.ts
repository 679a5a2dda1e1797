// --by layer: the prefix rule on a hand example (claude-sonnet-4-5: in 3 / read 0.30 / 5m 3.75 / 1h 6 / out 15;
// claude-haiku-4-5: in 1 / out 5, per MTok).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { attributeCosts } from '../../src/analysis/costs.js';
import { parsePeriod } from '../../src/analysis/period.js';
import { openWithSpans, usd } from './fixture-db.js';

let db: Database;
beforeAll(async () => {
  db = await openWithSpans([
    // input laid out as cache_read [0,6000) 5m [6000,7000) 1h [7000,7500) uncached [7500,10000);
    // layers prompt [0,5000) tool [5000,8000) memory [8000,9500) unknown [9500,10000)
    { trace: 'a', span: 'l1', model: 'claude-sonnet-4-5', tenant: 'acme', cacheRead: 6000, write5m: 1000, write1h: 500, input: 2500, output: 400, prompt: 5000, tool: 3000, memory: 1500 },
    // no layer counters: input is unknown, never invented
    { trace: 'a', span: 'l2', model: 'claude-haiku-4-5', tenant: 'acme', input: 1000, output: 200 },
    // counters larger than the input are clipped; no output → no response row
    { trace: 'b', span: 'l3', model: 'claude-sonnet-4-5', tenant: 'globex', input: 1000, prompt: 800, tool: 800, memory: null },
  ]);
});
afterAll(() => db.close());

const period = parsePeriod({ timezone: 'UTC' });
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const expected = {
  prompt: usd([5000, 0.3], [800, 3]),
  tool: usd([1000, 0.3], [1000, 3.75], [500, 6], [500, 3], [200, 3]),
  memory: usd([1500, 3]),
  unknown: usd([500, 3], [1000, 1]),
  response: usd([400, 15], [200, 5]),
};

describe('costs --by layer', () => {
  it('splits input cost in prefix order, cached prefix first, and output to response', async () => {
    const result = await attributeCosts(db, { by: ['layer'], filter: { period } });
    const got = Object.fromEntries(result.rows.map((r) => [r.values[0], r.cost_usd]));
    expect(got).toEqual(expected);
    expect(expected.tool).toBe(0.00915);
    const tool = result.rows.find((r) => r.values[0] === 'tool');
    expect(tool).toMatchObject({ spans: 2, runs: 2, input_tokens: 700, cache_read_tokens: 1000, cache_write_tokens: 1500, output_tokens: 0 });
    const prompt = result.rows.find((r) => r.values[0] === 'prompt');
    expect(prompt).toMatchObject({ input_tokens: 800, cache_read_tokens: 5000, cache_write_tokens: 0 });
    const response = result.rows.find((r) => r.values[0] === 'response');
    expect(response).toMatchObject({ output_tokens: 600, spans: 2, cache_hit_rate: null });
  });

  it('layers sum exactly to the span cost', async () => {
    const result = await attributeCosts(db, { by: ['layer'], filter: { period } });
    const spanTotal = usd([6000, 0.3], [1000, 3.75], [500, 6], [2500, 3], [400, 15]) + usd([1000, 1], [200, 5]) + usd([1000, 3]);
    const micro = result.rows.reduce((sum, r) => sum + Math.round(r.cost_usd * 1e6), 0);
    expect(micro).toBe(Math.round(spanTotal * 1e6));
    expect(result.totals.cost_usd).toBe(r6(spanTotal));
    const tokens = result.rows.reduce((sum, r) => sum + r.input_tokens + r.cache_read_tokens + r.cache_write_tokens + r.output_tokens, 0);
    expect(tokens).toBe(10000 + 400 + 1200 + 1000);
  });

  it('combines with other dimensions', async () => {
    const result = await attributeCosts(db, { by: ['tenant', 'layer'], filter: { period } });
    const got = Object.fromEntries(result.rows.map((r) => [r.values.join('|'), r.cost_usd]));
    expect(got).toEqual({
      'acme|prompt': usd([5000, 0.3]),
      'acme|tool': usd([1000, 0.3], [1000, 3.75], [500, 6], [500, 3]),
      'acme|memory': usd([1500, 3]),
      'acme|unknown': usd([500, 3], [1000, 1]),
      'acme|response': usd([400, 15], [200, 5]),
      'globex|prompt': usd([800, 3]),
      'globex|tool': usd([200, 3]),
    });
  });
});

describe('costs --by layer beyond the BIGINT range', () => {
  it('prices a span too large for 10⁻¹⁵ USD integer products exactly, through DECIMAL', async () => {
    // claude-haiku-4-5 (in 1 / read 0.10 per MTok): 3e9 tokens × 5e9 femto-USD per output token would overflow a BIGINT
    const big = await openWithSpans([
      { trace: 'z', span: 'big', model: 'claude-haiku-4-5', tenant: 'acme', cacheRead: 2_000_000_000, input: 1_000_000_000, output: 0, prompt: 2_500_000_000, tool: null, memory: null },
    ]);
    try {
      const result = await attributeCosts(big, { by: ['layer'], filter: { period } });
      const got = Object.fromEntries(result.rows.map((r) => [r.values[0], r.cost_usd]));
      expect(got).toEqual({ prompt: 200 + 500, unknown: 500 });
      expect(result.totals.cost_usd).toBe(1200);
    } finally {
      big.close();
    }
  });
});
