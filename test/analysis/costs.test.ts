// costs --by: figures computed by hand from token counts × Anthropic list prices (per MTok):
// claude-sonnet-4-5 in 3 / cache read 0.30 / write 5m 3.75 / write 1h 6 / out 15;
// claude-haiku-4-5  in 1 / cache read 0.10 / write 5m 1.25 / write 1h 2  / out 5.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { attributeCosts, type CostsResult } from '../../src/analysis/costs.js';
import type { Dimension } from '../../src/analysis/dimensions.js';
import { parsePeriod } from '../../src/analysis/period.js';
import { openWithSpans, usd, type SpanInput } from './fixture-db.js';

const S = 'claude-sonnet-4-5';
const H = 'claude-haiku-4-5';

const SPANS: SpanInput[] = [
  { trace: 't1', span: 's1', model: S, task: 'k1', tier: 'paid', tenant: 'acme', user: 'u1', route: 'triage', input: 1000, cacheRead: 20000, write5m: 2000, output: 500 },
  { trace: 't1', span: 's2', model: H, task: 'k1', tier: 'paid', tenant: 'acme', user: 'u1', route: 'triage', input: 3000, output: 1000 },
  { trace: 't1', span: 'tool', model: null, tenant: 'acme', user: 'u1', route: 'triage', input: 99999, inference: false },
  { trace: 't2', span: 's3', model: S, task: 'k2', tier: 'paid', effort: 'high', tenant: 'acme', user: 'u2', route: 'triage', input: 10000, write1h: 5000, output: 2000 },
  { trace: 't3', span: 's4', model: H, tenant: 'acme', user: 'u1', route: 'search', input: 500, output: 100 },
  { trace: 't4', span: 's5', model: `${S}-20250929`, tenant: 'globex', user: 'u3', route: 'triage', input: 2000, cacheRead: 8000, output: 1000 },
  { trace: 't5', span: 's6', model: H, tenant: null, route: 'triage', input: 1234, output: 321, start: '2026-10-05 02:00:00' },
  { trace: 't6', span: 's7', model: 'mystery-model-1', tenant: 'globex', user: 'u3', route: 'triage', input: 4000, output: 1000 },
  { trace: 't7', span: 's8', model: H, tenant: 'initech', user: 'u4', route: 'search', input: 100, output: 20, start: '2027-01-01 01:00:00' },
];

const cost = {
  s1: usd([1000, 3], [20000, 0.3], [2000, 3.75], [500, 15]),
  s2: usd([3000, 1], [1000, 5]),
  s3: usd([10000, 3], [5000, 6], [2000, 15]),
  s4: usd([500, 1], [100, 5]),
  s5: usd([2000, 3], [8000, 0.3], [1000, 15]),
  s6: usd([1234, 1], [321, 5]),
  s8: usd([100, 1], [20, 5]),
};
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const TOTAL = r6(cost.s1 + cost.s2 + cost.s3 + cost.s4 + cost.s5 + cost.s6 + cost.s8);

let db: Database;
beforeAll(async () => {
  db = await openWithSpans(SPANS);
});
afterAll(() => db.close());

const UTC = parsePeriod({ timezone: 'UTC' });
const NY = parsePeriod({ timezone: 'America/New_York' });
const run = (by: Dimension[], options: { top?: number; period?: typeof UTC } = {}): Promise<CostsResult> =>
  attributeCosts(db, { by, filter: { period: options.period ?? UTC }, top: options.top });
const byValue = (result: CostsResult): Record<string, number> =>
  Object.fromEntries(result.rows.map((r) => [r.values.join('|'), r.cost_usd]));

describe('costs --by tenant', () => {
  it('prices each tenant to the 6th decimal, ordered by cost, tenant-less spend kept', async () => {
    const result = await run(['tenant']);
    expect(cost.s1).toBe(0.024); // 3000 + 6000 + 7500 + 7500 micro-dollars
    expect(result.rows.map((r) => r.values[0])).toEqual(['acme', 'globex', '__unattributed__', 'initech']);
    expect(byValue(result)).toEqual({
      acme: r6(cost.s1 + cost.s2 + cost.s3 + cost.s4),
      globex: cost.s5,
      __unattributed__: cost.s6,
      initech: cost.s8,
    });
    expect(result.totals.cost_usd).toBe(TOTAL);
    expect(TOTAL).toBe(0.149439);
  });

  it('conserves spend: tenants + __unattributed__ = total', async () => {
    const result = await run(['tenant']);
    const micro = result.rows.reduce((sum, r) => sum + Math.round(r.cost_usd * 1e6), 0);
    expect(micro).toBe(Math.round(result.totals.cost_usd * 1e6));
    expect(result.totals.unattributed_usd).toBe(cost.s6);
    expect(result.rows.reduce((sum, r) => sum + r.share, 0)).toBeCloseTo(1, 5);
  });

  it('counts runs and spans, sums tokens per class and computes the cache hit rate', async () => {
    const acme = (await run(['tenant'])).rows.find((r) => r.values[0] === 'acme');
    expect(acme).toMatchObject({
      runs: 3,
      spans: 4, // the tool span is not an inference span
      input_tokens: 1000 + 3000 + 10000 + 500,
      cache_read_tokens: 20000,
      cache_write_tokens: 2000 + 5000,
      output_tokens: 500 + 1000 + 2000 + 100,
      cache_hit_rate: r6(20000 / (14500 + 20000 + 7000)),
      share: r6((cost.s1 + cost.s2 + cost.s3 + cost.s4) / TOTAL),
    });
  });

  it('gives per-run percentiles over the traces of the group (linear interpolation)', async () => {
    const rows = (await run(['tenant'])).rows;
    const acme = rows.find((r) => r.values[0] === 'acme');
    const t1 = cost.s1 + cost.s2;
    const t2 = cost.s3;
    const t3 = cost.s4; // sorted: t3 < t1 < t2
    expect(acme?.p50_run_usd).toBe(r6(t1));
    expect(acme?.p95_run_usd).toBe(r6(t1 + 0.9 * (t2 - t1)));
    expect(acme?.p99_run_usd).toBe(r6(t1 + 0.98 * (t2 - t1)));
    expect(t3).toBeLessThan(t1);
    // globex: one priced run and one unpriced run (cost 0, a lower bound)
    const globex = rows.find((r) => r.values[0] === 'globex');
    expect(globex).toMatchObject({ runs: 2, p50_run_usd: r6(cost.s5 / 2), p95_run_usd: r6(cost.s5 * 0.95), p99_run_usd: r6(cost.s5 * 0.99) });
  });

  it('reports unpriced spans instead of pricing them at $0 silently', async () => {
    const result = await run(['tenant']);
    const allTokens = 1000 + 20000 + 2000 + 500 + 3000 + 1000 + 10000 + 5000 + 2000 + 500 + 100 + 2000 + 8000 + 1000 + 1234 + 321 + 5000 + 120;
    expect(result.totals.unpriced_spans).toBe(1);
    expect(result.totals.priced_share).toBe(r6((allTokens - 5000) / allTokens));
    expect(result.unpriced).toEqual([
      { model: 'mystery-model-1', reason: 'unknown_model', spans: 1, tokens: 5000, token_share: r6(5000 / allTokens) },
    ]);
  });

  it('says how concentrated spend is (top 10% of tenants, at least one; __unattributed__ is not a tenant)', async () => {
    const result = await run(['tenant']);
    expect(result.concentration).toEqual({ groups: 3, top_groups: 1, share: r6((cost.s1 + cost.s2 + cost.s3 + cost.s4) / TOTAL) });
  });

  it('--top keeps the first N rows and folds the rest, totals unchanged', async () => {
    const result = await run(['tenant'], { top: 1 });
    expect(result.rows.map((r) => r.values[0])).toEqual(['acme']);
    expect(result.rest).toMatchObject({ groups: 3, cost_usd: r6(cost.s5 + cost.s6 + cost.s8), spans: 4 });
    expect(result.totals.cost_usd).toBe(TOTAL);
  });
});

describe('costs by other dimensions', () => {
  it('by user, route and model', async () => {
    expect(byValue(await run(['user']))).toEqual({
      u1: r6(cost.s1 + cost.s2 + cost.s4), u2: cost.s3, u3: cost.s5, u4: cost.s8, __unattributed__: cost.s6,
    });
    expect(byValue(await run(['route']))).toEqual({
      triage: r6(cost.s1 + cost.s2 + cost.s3 + cost.s5 + cost.s6), search: r6(cost.s4 + cost.s8),
    });
    const models = await run(['model']);
    expect(byValue(models)).toEqual({
      [S]: r6(cost.s1 + cost.s3 + cost.s5), // the dated snapshot folds into the canonical id
      [H]: r6(cost.s2 + cost.s4 + cost.s6 + cost.s8),
      'mystery-model-1': 0,
    });
    expect(models.rows.find((r) => r.values[0] === S)?.runs).toBe(3);
  });

  it('by task, tier, effort and provider (tag-less spend in __unattributed__)', async () => {
    const rest = r6(TOTAL - cost.s1 - cost.s2 - cost.s3);
    expect(byValue(await run(['task']))).toEqual({ k1: r6(cost.s1 + cost.s2), k2: cost.s3, __unattributed__: rest });
    expect(byValue(await run(['tier']))).toEqual({ paid: r6(cost.s1 + cost.s2 + cost.s3), __unattributed__: rest });
    expect(byValue(await run(['effort']))).toEqual({ high: cost.s3, __unattributed__: r6(TOTAL - cost.s3) });
    expect(byValue(await run(['provider']))).toEqual({ anthropic: TOTAL });
  });

  it('by two dimensions at once, ordered by cost then values', async () => {
    const result = await run(['tenant', 'model']);
    expect(result.rows.map((r) => r.values.join('|'))).toEqual([
      `acme|${S}`, `globex|${S}`, `acme|${H}`, `__unattributed__|${H}`, `initech|${H}`, 'globex|mystery-model-1',
    ]);
    expect(result.rows[0]?.cost_usd).toBe(r6(cost.s1 + cost.s3));
  });

  it('buckets day, week and month in UTC by default', async () => {
    const rest = r6(TOTAL - cost.s8);
    expect(byValue(await run(['day']))).toEqual({ '2026-10-05': rest, '2027-01-01': cost.s8 });
    expect(byValue(await run(['week']))).toEqual({ '2026-W41': rest, '2026-W53': cost.s8 });
    expect(byValue(await run(['month']))).toEqual({ '2026-10': rest, '2027-01': cost.s8 });
  });

  it('cuts buckets in --timezone: 02:00 UTC is the previous day in New York', async () => {
    const rest = r6(TOTAL - cost.s8 - cost.s6);
    expect(byValue(await run(['day'], { period: NY }))).toEqual({ '2026-10-05': rest, '2026-10-04': cost.s6, '2026-12-31': cost.s8 });
    expect(byValue(await run(['week'], { period: NY }))).toEqual({ '2026-W41': rest, '2026-W40': cost.s6, '2026-W53': cost.s8 });
    expect(byValue(await run(['month'], { period: NY }))).toEqual({ '2026-10': r6(rest + cost.s6), '2026-12': cost.s8 });
  });

  it('filters by --since/--until (until exclusive) and --month in the time zone', async () => {
    const since = await attributeCosts(db, { by: ['tenant'], filter: { period: parsePeriod({ since: '2026-10-05', until: '2026-10-06', timezone: 'UTC' }) } });
    expect(since.totals.cost_usd).toBe(r6(TOTAL - cost.s8));
    const nyOct = await attributeCosts(db, { by: ['tenant'], filter: { period: parsePeriod({ month: '2026-10', timezone: 'America/New_York' }) } });
    expect(nyOct.totals.cost_usd).toBe(r6(TOTAL - cost.s8));
    const nyDec = await attributeCosts(db, { by: ['tenant'], filter: { period: parsePeriod({ month: '2026-12', timezone: 'America/New_York' }) } });
    expect(byValue(nyDec)).toEqual({ initech: cost.s8 });
    const utcDec = await attributeCosts(db, { by: ['tenant'], filter: { period: parsePeriod({ month: '2026-12', timezone: 'UTC' }) } });
    expect(utcDec.rows).toEqual([]);
    expect(utcDec.totals).toEqual({ cost_usd: 0, unattributed_usd: 0, unpriced_spans: 0, priced_share: 1 });
  });

  it('filters one tenant', async () => {
    const result = await attributeCosts(db, { by: ['user'], filter: { period: UTC, tenant: 'globex' } });
    expect(byValue(result)).toEqual({ u3: cost.s5 });
    expect(result.totals.unpriced_spans).toBe(1);
  });

  it('rejects a bad time zone and a bad --top', async () => {
    await expect(run(['day'], { period: parsePeriod({ timezone: 'Mars/Olympus' }) })).rejects.toThrow(/time zone/);
    await expect(run(['tenant'], { top: 0 })).rejects.toThrow(/--top/);
  });
});
