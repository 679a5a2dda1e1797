// audit --tenant: one tenant's money, drilled down; figures by hand (claude-haiku-4-5: in 1 / read 0.10 / out 5;
// claude-sonnet-4-5: in 3 / out 15, per MTok).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { auditTenant } from '../../src/analysis/audit.js';
import { requireKnown } from '../../src/analysis/coverage.js';
import { parsePeriod } from '../../src/analysis/period.js';
import { CostattrError } from '../../src/errors.js';
import { openWithSpans, usd, type SpanInput } from './fixture-db.js';

const H = 'claude-haiku-4-5';
// 12 acme traces; trace k has one haiku span with k×1000 input and k×100 output → cost k × $0.0015
const acmeTraces: SpanInput[] = Array.from({ length: 12 }, (_, i) => {
  const k = i + 1;
  return {
    trace: `acme-${String(k).padStart(2, '0')}`, span: `s${k}`, model: H, tenant: 'acme',
    user: k % 2 === 0 ? 'even' : 'odd', route: k <= 6 ? 'triage' : 'search',
    input: k * 1000, output: k * 100, start: `2026-10-${String(k).padStart(2, '0')} 10:00:00`,
  };
});

let db: Database;
beforeAll(async () => {
  db = await openWithSpans([
    ...acmeTraces,
    // a second span in the most expensive trace, with cache reads and layer counters
    { trace: 'acme-12', span: 's12b', model: 'claude-sonnet-4-5', tenant: 'acme', user: 'even', route: 'search', input: 1000, cacheRead: 9000, output: 0, prompt: 9000, tool: 1000, start: '2026-10-12 10:00:05' },
    { trace: 'other', span: 'o1', model: H, tenant: 'acme-corp', input: 1, output: 1 },
    { trace: 'other2', span: 'o2', model: H, tenant: 'globex', input: 1, output: 1 },
  ]);
});
afterAll(() => db.close());

const period = parsePeriod({ timezone: 'UTC' });
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const traceCost = (k: number): number => usd([k * 1000, 1], [k * 100, 5]);
const extra = usd([1000, 3], [9000, 0.3]);

describe('audit --tenant', () => {
  it('totals the tenant and its cache hit rate', async () => {
    const result = await auditTenant(db, { tenant: 'acme', period });
    const sum = Array.from({ length: 12 }, (_, i) => traceCost(i + 1)).reduce((a, b) => a + b, 0) + extra;
    expect(traceCost(1)).toBe(0.0015);
    expect(result.summary).toMatchObject({ cost_usd: r6(sum), runs: 12, spans: 13, unpriced_spans: 0, priced_share: 1 });
    expect(result.summary.cache_hit_rate).toBe(r6(9000 / (78000 + 1000 + 9000)));
  });

  it('breaks spend down by user, route, model, day and layer', async () => {
    const result = await auditTenant(db, { tenant: 'acme', period });
    const by = (dim: 'user' | 'route' | 'model' | 'day' | 'layer') =>
      Object.fromEntries(result.breakdowns[dim].rows.map((r) => [r.values[0], r.cost_usd]));
    const ks = (pred: (k: number) => boolean) => Array.from({ length: 12 }, (_, i) => i + 1).filter(pred);
    const sumOf = (list: number[]) => r6(list.reduce((a, k) => a + traceCost(k), 0));
    expect(by('user')).toEqual({ even: r6(sumOf(ks((k) => k % 2 === 0)) + extra), odd: sumOf(ks((k) => k % 2 === 1)) });
    expect(by('route')).toEqual({ search: r6(sumOf(ks((k) => k > 6)) + extra), triage: sumOf(ks((k) => k <= 6)) });
    expect(by('model')).toEqual({ [H]: sumOf(ks(() => true)), 'claude-sonnet-4-5': extra });
    expect(by('day')['2026-10-12']).toBe(r6(traceCost(12) + extra));
    expect(Object.keys(by('day'))).toHaveLength(12);
    expect(by('layer')).toEqual({
      prompt: usd([9000, 0.3]),
      tool: usd([1000, 3]),
      unknown: usd([78000, 1]),
      response: usd([7800, 5]),
    });
  });

  it('lists the 10 most expensive traces with their spans', async () => {
    const result = await auditTenant(db, { tenant: 'acme', period });
    expect(result.topTraces.map((t) => t.trace_id)).toEqual(
      ['acme-12', 'acme-11', 'acme-10', 'acme-09', 'acme-08', 'acme-07', 'acme-06', 'acme-05', 'acme-04', 'acme-03']);
    const top = result.topTraces[0];
    expect(top?.cost_usd).toBe(r6(traceCost(12) + extra));
    expect(top?.start).toBe('2026-10-12 10:00:00');
    expect(top?.spans).toEqual([
      { span_id: 's12', name: `chat ${H}`, model: H, priced: true, input_tokens: 12000, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 1200, cost_usd: traceCost(12) },
      { span_id: 's12b', name: 'chat claude-sonnet-4-5', model: 'claude-sonnet-4-5', priced: true, input_tokens: 1000, cache_read_tokens: 9000, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 0, cost_usd: extra },
    ]);
  });

  it('rejects an unknown tenant with exit 2 and the closest ids', async () => {
    const error = await requireKnown(db, 'tenant', 'acmee', '--tenant').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CostattrError);
    expect((error as CostattrError).exitCode).toBe(2);
    expect((error as CostattrError).message).toMatch(/unknown tenant "acmee"/);
    expect((error as CostattrError).hint).toBe('closest tenant names: acme, acme-corp, globex');
    await expect(requireKnown(db, 'tenant', 'acme', '--tenant')).resolves.toBeUndefined();
    await expect(requireKnown(db, 'tenant', '__unattributed__', '--tenant')).resolves.toBeUndefined();
  });
});
