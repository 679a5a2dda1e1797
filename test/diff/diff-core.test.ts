// diffSnapshots on hand-made snapshots: which rates price each side, and how rules treat routes
// that appear or vanish. Costs are computed here from the tokens and the per-token rates.
import { describe, expect, it } from 'vitest';
import { diffSnapshots, type DiffInput } from '../../src/analysis/diff.js';
import { parseRule } from '../../src/analysis/diff-rules.js';
import type { RateRow, UsageRow } from '../../src/analysis/run-usage.js';

const rate = (model: string, input: string, output: string): RateRow => ({
  model, tier: 'standard', long_context: false, input, cache_read: '0', cache_write_5m: input, cache_write_1h: input, output,
});
const use = (run: number, route: string, model: string, input: number, output: number): UsageRow => ({
  run, route, model, tier: 'standard', long_context: false, spans: 1,
  input, cache_read: 0, cache_write_5m: 0, cache_write_1h: 0, output, prompt: null, tool: null, memory: null,
});
const side = (source: string, rates: RateRow[], usage: UsageRow[]): DiffInput => ({
  source, rates, usage,
  provenance: { label: null, costattr_version: 'test', spans: usage.length, runs: 0, first_span: null, last_span: null, price_book: { hash: `sha256:${source}`, date: null } },
});

describe('diffSnapshots', () => {
  const base = side('base', [rate('small', '0.000001', '0.000004')], [use(0, 'a', 'small', 1000, 100), use(1, 'a', 'small', 1000, 300)]);

  it('prices a model the base never used at the head rate, and says so', () => {
    const head = side('head', [rate('big', '0.00001', '0.00004')], [use(0, 'a', 'big', 1000, 100), use(1, 'a', 'big', 1000, 300)]);
    const result = diffSnapshots(base, head, { reprice: false, rules: [] });
    // base: (1000 × 1e-6 + 100 × 4e-6 + 1000 × 1e-6 + 300 × 4e-6) / 2 = 0.0018; head at its own rates: 0.018
    expect(result.base?.cost_per_run).toBe(0.0018);
    expect(result.head.cost_per_run).toBe(0.018);
    expect(result.notes).toContain("big (standard) has no rate in the base: priced at the head's rate");
  });

  it('leaves a model nobody priced unpriced, and calls the total a lower bound', () => {
    const head = side('head', [], [use(0, 'a', 'mystery', 1000, 100), use(1, 'a', 'small', 1000, 300)]);
    const result = diffSnapshots(base, head, { reprice: false, rules: [] });
    expect(result.head.cost_usd).toBe(0.0022); // only the `small` run: 1000 × 1e-6 + 300 × 4e-6
    expect(result.head.unpriced_spans).toBe(1);
    expect(result.notes).toContain('1 head spans have no price: the head cost is a lower bound');
  });

  it('judges change rules on shared routes only, and level rules on added routes too', () => {
    const head = side('head', base.rates, [use(0, 'a', 'small', 1000, 100), use(1, 'a', 'small', 1000, 300), use(2, 'new', 'small', 50000, 0)]);
    const result = diffSnapshots(base, head, {
      reprice: false,
      rules: [parseRule('*.cost_per_run>+1%', 'fail'), parseRule('*.cost_per_run>0.01', 'warn'), parseRule('route:gone.runs<-1', 'warn')],
    });
    expect(result.failed).toBe(false);
    expect(result.tripped.map((t) => [t.rule, t.route, t.head])).toEqual([['*.cost_per_run>0.01', 'new', 0.05]]);
    expect(result.changes.find((c) => c.route === 'new' && c.metric === 'runs')).toMatchObject({ status: 'added', base: null, head: 1 });
    expect(result.notes).toContain('rule route:gone.runs<-1: route gone is on neither side');
  });

  it('skips only when nothing moved beyond the threshold', () => {
    const head = side('head', base.rates, [use(0, 'a', 'small', 1010, 100), use(1, 'a', 'small', 1000, 300)]);
    // cost per run +0.000005 (10 tokens × 1e-6 / 2 runs), +0.28%
    expect(diffSnapshots(base, head, { reprice: false, rules: [], skipBelow: { kind: 'usd', value: 0.00001 } }).skipped).toBe(true);
    expect(diffSnapshots(base, head, { reprice: false, rules: [], skipBelow: { kind: 'usd', value: 0.000001 } }).skipped).toBe(false);
    expect(diffSnapshots(base, head, { reprice: false, rules: [], skipBelow: { kind: 'pct', value: 0.001 } }).skipped).toBe(false);
    expect(diffSnapshots(base, head, { reprice: false, rules: [parseRule('total.runs>=2', 'warn')], skipBelow: { kind: 'pct', value: 0.5 } }).skipped).toBe(false);
  });
});

describe('why a route moved', () => {
  const base = side('base', [rate('small', '0.000001', '0.000004'), rate('big', '0.00001', '0.00004')], [use(0, 'a', 'small', 1000, 100), use(1, 'a', 'small', 1000, 300)]);

  it('names a model swap first, then the token counts that moved the cost the same way', () => {
    // head: the big model, 20% more input and the same output
    const head = side('head', base.rates, [use(0, 'a', 'big', 1200, 100), use(1, 'a', 'big', 1200, 300)]);
    const result = diffSnapshots(base, head, { reprice: false, rules: [], runsPerMonth: 1000 });
    expect(result.why.filter((d) => d.route === 'a')).toEqual([
      { route: 'a', metric: 'model', base: 'small', head: 'big' },
      { route: 'a', metric: 'input_tokens_per_run', base: 1000, head: 1200, delta_pct: 0.2, layer: null },
    ]);
    // monthly: 1000 runs at (1200 × 1e-5 + 200 × 4e-5 = $0.02) vs (1000 × 1e-6 + 200 × 4e-6 = $0.0018) a run
    expect(result.changes.find((c) => c.route === '__total__' && c.metric === 'monthly_usd')).toMatchObject({ base: 1.8, head: 20, delta: 18.2 });
  });

  it('leaves out counts that moved against the cost', () => {
    // less input (-10%) but four times the output: only the output explains the rise
    const head = side('head', base.rates, [use(0, 'a', 'small', 900, 400), use(1, 'a', 'small', 900, 1200)]);
    const why = diffSnapshots(base, head, { reprice: false, rules: [] }).why.filter((d) => d.route === 'a');
    expect(why.map((d) => d.metric)).toEqual(['response_tokens_per_run']);
  });
});
