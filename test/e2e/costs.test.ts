// End to end: the built CLI over a tiny hand-written OTLP/JSON export (fixtures/costs-mini.otlp.jsonl),
// compared with golden files whose figures are re-derived here from token counts × list prices.
// Regenerate the goldens with UPDATE_GOLDEN=1 (then check the diff by hand).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';

const FIXTURE = join(ROOT, 'test/e2e/fixtures/costs-mini.otlp.jsonl');
const GOLDEN = join(ROOT, 'test/e2e/golden');
const BASE = ['--spans', FIXTURE, '--namespace', 'shop', '--quiet'];

async function costs(args: string[]): Promise<string> {
  const result = await runCli(['costs', ...BASE, ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

const golden = (name: string, actual: string): void => expectGolden(join(GOLDEN, name), actual);

// What the fixture holds (per MTok: sonnet-4-5 in 3 / read 0.30 / 5m 3.75 / out 15; haiku-4-5 in 1 / read 0.10 / out 5):
const usd = (micro: number): number => Math.round(micro) / 1e6; // micro = tokens × $/MTok
const A1 = usd(32 * 3 + 20000 * 0.3 + 1000 * 3.75 + 180 * 15); // acme/alice, Anthropic input excludes cache → 0.012546
const A3 = usd(800 * 1 + 200 * 5); // acme/alice → 0.0018
const B1 = usd((5000 - 3000) * 1 + 3000 * 0.1 + 400 * 5); // acme/bob, semconv input includes cache → 0.0043
const C1 = usd(1200 * 3 + 300 * 15); // globex (exported twice, counted once) → 0.0081
const D1 = usd(1000 * 1 + 100 * 5); // no tenant → 0.0015
const F1 = usd(10 * 1 + 10 * 5); // tenant "=2+3|x*_" → 0.00006
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const TOTAL = r6(A1 + A3 + B1 + C1 + D1 + F1);
const TOKENS = (32 + 20000 + 1000 + 180) + (800 + 200) + (5000 + 400) + (1200 + 300) + (1000 + 100) + (2000 + 500) + 20;

describe('costattr costs (end to end)', () => {
  it('--format json matches the hand-computed figures and the golden file', async () => {
    const out = await costs(['--by', 'tenant', '--format', 'json']);
    const json = JSON.parse(out) as { by: string[]; rows: Array<Record<string, unknown>>; totals: Record<string, number> };
    expect(A1).toBe(0.012546);
    expect(json.by).toEqual(['tenant']);
    expect(json.rows.map((r) => [r.tenant, r.cost_usd])).toEqual([
      ['acme', r6(A1 + A3 + B1)], ['globex', C1], ['__unattributed__', D1], ['=2+3|x*_', F1],
    ]);
    expect(Object.keys(json.rows[0] ?? {})).toEqual(['tenant', 'cost_usd', 'runs', 'spans', 'input_tokens', 'cache_read_tokens',
      'cache_write_tokens', 'output_tokens', 'share', 'p50_run_usd', 'p95_run_usd', 'p99_run_usd', 'cache_hit_rate']);
    expect(json.rows[0]).toMatchObject({
      runs: 2, spans: 3, input_tokens: 32 + 800 + 2000, cache_read_tokens: 23000, cache_write_tokens: 1000, output_tokens: 780,
      p50_run_usd: r6((B1 + A1 + A3) / 2), p99_run_usd: r6(B1 + 0.99 * (A1 + A3 - B1)),
      cache_hit_rate: r6(23000 / (2832 + 23000 + 1000)),
    });
    expect(json.totals).toEqual({ cost_usd: TOTAL, unattributed_usd: D1, unpriced_spans: 1, priced_share: r6((TOKENS - 2500) / TOKENS) });
    golden('costs-by-tenant.json', out);
  });

  it('--format table prints money right-aligned, the total, concentration and the lower-bound note', async () => {
    const out = await costs(['--by', 'tenant']);
    expect(out).toContain('│ acme             │    $0.02 │'); // 0.018646 to the cent
    expect(out).toContain('│ =2+3|x*_         │ $0.00006 │'); // sub-cent: two significant digits, never $0.00
    expect(out).toContain('│ $0.009323 │'); // acme's p50/run (B1 + A1 + A3) / 2, a unit cost to the micro-dollar
    expect(out).toContain('the top 10% of tenants (1 of 3) make 65.9% of spend'); // 0.018646 / 0.028306
    expect(out).toContain('total is a lower bound: 1 span of model mystery-model-1 unpriced (7.6% of tokens; unknown_model)'); // 2500 / 32732
    golden('costs-by-tenant.txt', out);
  });

  it('--format csv neutralises the formula-like tenant', async () => {
    const out = await costs(['--by', 'tenant', '--format', 'csv']);
    expect(out.split('\n')[4]).toBe(`'=2+3|x*_,0.00006,1,1,10,0,0,10,${r6(F1 / TOTAL)},0.00006,0.00006,0.00006,0`);
    golden('costs-by-tenant.csv', out);
  });

  it('--format md escapes the tenant name', async () => {
    const out = await costs(['--by', 'tenant', '--format', 'md']);
    expect(out).toContain('| =2+3\\|x\\*\\_ | $0.00006 |');
    golden('costs-by-tenant.md', out);
  });

  it('--by layer splits the cached prefix over prompt, tool, memory', async () => {
    const out = await costs(['--by', 'layer', '--format', 'json']);
    const rows = (JSON.parse(out) as { rows: Array<{ layer: string; cost_usd: number }> }).rows;
    // A1's input: cache read [0,20000) 5m write [20000,21000) uncached [21000,21032);
    // layers prompt [0,15000) tool [15000,20000) memory [20000,21000) unknown [21000,21032)
    expect(Object.fromEntries(rows.map((r) => [r.layer, r.cost_usd]))).toEqual({
      prompt: usd(15000 * 0.3),
      tool: usd(5000 * 0.3),
      memory: usd(1000 * 3.75),
      unknown: r6(usd(32 * 3) + usd(800) + usd(2000 + 300) + usd(1200 * 3) + usd(1000) + usd(10)),
      response: r6(usd(180 * 15) + usd(200 * 5) + usd(400 * 5) + usd(300 * 15) + usd(100 * 5) + usd(10 * 5)),
    });
    golden('costs-by-layer.json', out);
  });

  it('--top folds the rest into one row in the table', async () => {
    const out = await costs(['--by', 'route', '--top', '1']);
    expect(out).toContain('(other: 2 more)');
    golden('costs-by-route-top1.txt', out);
  });

  it('--by week and --timezone: the 03:00 UTC span falls on the previous day in New York', async () => {
    const utc = JSON.parse(await costs(['--by', 'day', '--format', 'json'])) as { rows: Array<{ day: string; cost_usd: number }> };
    expect(utc.rows.map((r) => [r.day, r.cost_usd])).toEqual([['2026-10-05', r6(TOTAL - D1)], ['2026-10-06', D1]]);
    const ny = JSON.parse(await costs(['--by', 'day', '--timezone', 'America/New_York', '--format', 'json'])) as typeof utc;
    expect(ny.rows.map((r) => [r.day, r.cost_usd])).toEqual([['2026-10-05', TOTAL]]);
  });

  it('bad --by is a usage error (exit 2), as JSON under --format json', async () => {
    const result = await runCli(['costs', ...BASE, '--by', 'colour', '--format', 'json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr)).toMatchObject({ code: 'BAD_USAGE' });
  });
});

describe('costattr audit and sql (end to end)', () => {
  it('audits a tenant', async () => {
    const result = await runCli(['audit', ...BASE, '--tenant', 'acme', '--format', 'json']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { totals: { cost_usd: number }; top_traces: Array<{ cost_usd: number }> };
    expect(json.totals.cost_usd).toBe(r6(A1 + A3 + B1));
    expect(json.top_traces.map((t) => t.cost_usd)).toEqual([r6(A1 + A3), B1]);
    const md = await runCli(['audit', ...BASE, '--tenant', 'acme', '--format', 'md']);
    expect(md.stdout).toContain('### by layer');
  });

  it('names the closest tenants for an unknown one (exit 2)', async () => {
    const result = await runCli(['audit', ...BASE, '--tenant', 'acm']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown tenant "acm"');
    expect(result.stderr).toContain('closest tenant names: acme, globex');
  });

  it('runs a read query and refuses a write', async () => {
    const ok = await runCli(['sql', ...BASE, '--format', 'csv', 'SELECT count(*) AS spans FROM priced_spans']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('spans\n7\n'); // 8 inference spans in the file, one of them exported twice
    const refused = await runCli(['sql', ...BASE, 'DELETE FROM spans']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('only read queries');
  });
});
