// whatif: deltas worked out by hand from the price book's own rates (read from the book, not typed in).
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { whatif, type WhatifSpec } from '../../src/analysis/whatif.js';
import { loadPriceBook, type RatesPerMtok } from '../../src/pricebook/index.js';
import { openWithSpans, type SpanInput } from '../analysis/fixture-db.js';

const ALL = { period: { since: undefined, until: undefined, timezone: 'UTC' } };
const NO_CHANGE: WhatifSpec['changes'] = { swaps: [], batchShare: [], cacheHit: [] };

async function rates(model: string, tier = 'standard', on = '2026-10-05'): Promise<Record<keyof RatesPerMtok, number>> {
  const book = await loadPriceBook([]);
  const row = book.rows
    .filter((r) => r.model === model && r.tier === tier && r.minInputTokens === 0 && r.effectiveFrom <= on && (r.effectiveTo === null || on < r.effectiveTo))
    .at(0);
  if (!row) throw new Error(`no ${tier} rate for ${model} on ${on}`);
  return Object.fromEntries(Object.entries(row.perMtok).map(([k, v]) => [k, Number(v) / 1e6])) as Record<keyof RatesPerMtok, number>;
}

const cost = (r: Record<keyof RatesPerMtok, number>, t: { input?: number; cacheRead?: number; output?: number }) =>
  (t.input ?? 0) * r.input + (t.cacheRead ?? 0) * r.cache_read + (t.output ?? 0) * r.output;

let db: Database | undefined;
afterEach(() => db?.close());

async function run(spans: SpanInput[], changes: Partial<WhatifSpec['changes']>) {
  db = await openWithSpans(spans);
  return whatif(db, { filter: ALL, changes: { ...NO_CHANGE, ...changes } });
}

describe('whatif', () => {
  it('swaps Opus for Sonnet: the delta and the 4–5× ratio come from the book rates', async () => {
    const tokens = { input: 12_000, cacheRead: 9_800, output: 2_300 };
    const result = await run([
      { trace: 'a', span: '1', model: 'claude-opus-4-1', tenant: 'acme', route: 'triage', ...tokens },
      { trace: 'b', span: '2', model: 'claude-opus-4-1-20250805', tenant: 'acme', route: 'triage', ...tokens },
      { trace: 'c', span: '3', model: 'claude-haiku-4-5', tenant: 'beta', route: 'summary', input: 1000, output: 10 },
    ], { swaps: [{ tenant: null, from: 'Claude Opus 4.1', to: 'claude-sonnet-4-5' }] });
    const opus = 2 * cost(await rates('claude-opus-4-1'), tokens);
    const sonnet = 2 * cost(await rates('claude-sonnet-4-5'), tokens);
    const ratio = opus / sonnet;
    expect(ratio).toBeGreaterThanOrEqual(4);
    expect(ratio).toBeLessThanOrEqual(5);
    expect(result.swaps).toEqual([{ from: 'claude-opus-4-1', to: 'claude-sonnet-4-5', spans: 2, base_usd: expect.closeTo(opus, 6), whatif_usd: expect.closeTo(sonnet, 6), cost_ratio: expect.closeTo(ratio, 5) }]);
    const acme = result.rows.find((r) => r.tenant === 'acme');
    expect(acme).toMatchObject({ route: 'triage', spans: 2 });
    expect(acme?.delta_usd).toBeCloseTo(sonnet - opus, 6);
    const beta = result.rows.find((r) => r.tenant === 'beta');
    expect(beta?.delta_usd).toBe(0);
  });

  it('prices every span at the rates effective on --as-of (o3 before and after its price cut)', async () => {
    const tokens = { input: 50_000, output: 4_000 };
    const result = await run([{ trace: 'a', span: '1', model: 'o3', provider: 'openai', tenant: 'acme', route: 'report', start: '2025-05-01 10:00:00', ...tokens }], { asOf: '2025-07-01' });
    const before = cost(await rates('o3', 'standard', '2025-05-01'), tokens);
    const after = cost(await rates('o3', 'standard', '2025-07-01'), tokens);
    expect(before).not.toBeCloseTo(after, 6);
    expect(result.totals.base_usd).toBeCloseTo(before, 6);
    expect(result.totals.whatif_usd).toBeCloseTo(after, 6);
    expect(result.totals.delta_usd).toBeCloseTo(after - before, 6);
  });

  it('moves a share of a route to the batch tier', async () => {
    const tokens = { input: 100_000, output: 10_000 };
    const result = await run([
      { trace: 'a', span: '1', model: 'claude-sonnet-4-5', tenant: 'acme', route: 'report', ...tokens },
      { trace: 'b', span: '2', model: 'claude-sonnet-4-5', tenant: 'acme', route: 'triage', ...tokens },
    ], { batchShare: [{ route: 'report', share: 0.5 }] });
    const standard = cost(await rates('claude-sonnet-4-5'), tokens);
    const batch = cost(await rates('claude-sonnet-4-5', 'batch'), tokens);
    const report = result.rows.find((r) => r.route === 'report');
    expect(report?.spans).toBe(1);
    expect(report?.whatif_usd).toBeCloseTo(0.5 * standard + 0.5 * batch, 6);
    expect(result.rows.find((r) => r.route === 'triage')?.delta_usd).toBe(0);
  });

  it('raises a route to a cache-hit target by moving uncached input into cache reads', async () => {
    // total input 10,000 with 2,000 cached → target 8,000 cached: 6,000 tokens move
    const result = await run([{ trace: 'a', span: '1', model: 'claude-sonnet-4-5', tenant: 'acme', route: 'triage', input: 8_000, cacheRead: 2_000, output: 500 }],
      { cacheHit: [{ route: 'triage', share: 0.8 }] });
    const r = await rates('claude-sonnet-4-5');
    expect(result.totals.base_usd).toBeCloseTo(cost(r, { input: 8_000, cacheRead: 2_000, output: 500 }), 6);
    expect(result.totals.whatif_usd).toBeCloseTo(cost(r, { input: 2_000, cacheRead: 8_000, output: 500 }), 6);
  });

  it('refuses a swap to a model the book does not know', async () => {
    await expect(run([{ trace: 'a', span: '1', model: 'claude-opus-4-1', tenant: 'acme' }], { swaps: [{ tenant: null, from: 'claude-opus-4-1', to: 'no-such-model' }] }))
      .rejects.toThrow(/no-such-model is not in the price book/);
  });
});
