// `costattr snapshot` and `costattr diff` end to end through the built CLI, on eval runs written as
// OTLP/JSON lines. Expected figures are computed here from the generated token counts × the rates of
// the price-book override, never taken from the tool's own output.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { percentile, round6, runCost, writeEval, writePricing, type EvalCall, type EvalRun, type Rates } from './eval-spans.js';

const LIST: Rates = { input: 2, cache_read: 0.2, output: 10 };
const RAISED: Rates = { input: 3, cache_read: 0.3, output: 15 };

const triageCall = (prompt: number, output: number): EvalCall => ({ prompt, tool: 500, memory: 300, cacheRead: 1000, output });
/** Four inbox-triage runs of two calls, three `faq|search` runs of one call; `prompt` is triage's prompt layer. */
function evalRuns(prompt: number): EvalRun[] {
  return [
    ...[0, 1, 2, 3].map((i) => ({ route: 'inbox-triage', calls: [triageCall(prompt, 200), triageCall(prompt, 200 + i * 50)] })),
    ...[0, 1, 2].map((i) => ({ route: 'faq|search', calls: [{ prompt: 2000, tool: 0, memory: 1000, cacheRead: 0, output: 400 + i * 100 }] })),
  ];
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const routeRuns = (runs: readonly EvalRun[], route: string) => runs.filter((r) => r.route === route);

let dir: string;
const at = (name: string) => join(dir, name);
const cli = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir });

interface Change { route: string; metric: string; base: number | null; head: number | null; delta: number | null; delta_pct: number | null; status: string }
interface DiffJson {
  base: { cost_per_run: number; price_book: { hash: string } };
  head: { cost_per_run: number; price_book: { hash: string } };
  pricing: string;
  changes: Change[];
  tripped: Array<{ rule: string; level: string; route: string; metric: string; base: number; head: number; delta_pct: number | null }>;
  failed: boolean;
  price_effect: Array<{ route: string; head_at_base_prices: number; head_at_head_prices: number; delta: number }> | null;
}

function change(result: DiffJson, route: string, metric: string): Change {
  const found = result.changes.find((c) => c.route === route && c.metric === metric);
  if (!found) throw new Error(`no change row for ${route} ${metric}`);
  return found;
}

async function snapshot(spans: string, pricing: string, out: string, ...extra: string[]): Promise<void> {
  const result = await cli('snapshot', '--spans', spans, '--pricing', pricing, '--namespace', 'acme', '--out', out, '--quiet', ...extra);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

beforeAll(async () => {
  dir = tempDir('costattr-diff-');
  writePricing(at('list.json'), LIST);
  writePricing(at('raised.json'), RAISED);
  writeEval(at('main.jsonl'), evalRuns(1000), 1);
  writeEval(at('rerun.jsonl'), evalRuns(1000), 2); // the same eval again: other trace ids and times
  writeEval(at('grown.jsonl'), evalRuns(1300), 3); // inbox-triage's prompt layer grew 30%
  await snapshot(at('main.jsonl'), at('list.json'), at('base.json'), '--label', 'main');
  await snapshot(at('rerun.jsonl'), at('list.json'), at('rerun.json'));
  await snapshot(at('rerun.jsonl'), at('raised.json'), at('raised-prices.json'));
});

describe('costattr snapshot', () => {
  it('records per-route cost per run (mean, p50, p95), layers, cache hit rate and totals, priced by hand', () => {
    const snap = JSON.parse(readFileSync(at('base.json'), 'utf8'));
    const runs = evalRuns(1000);
    const triage = routeRuns(runs, 'inbox-triage').map((r) => runCost(r, LIST));
    const faq = routeRuns(runs, 'faq|search').map((r) => runCost(r, LIST));
    const all = runs.map((r) => runCost(r, LIST));
    expect(snap.routes['inbox-triage']).toMatchObject({
      runs: 4, spans: 8,
      cost_per_run: round6(mean(triage)), p50_run_usd: round6(percentile(triage, 0.5)), p95_run_usd: round6(percentile(triage, 0.95)),
      prompt_tokens_per_run: 2000, tool_tokens_per_run: 1000, memory_tokens_per_run: 600, input_tokens_per_run: 3600,
      response_tokens_per_run: (400 + 450 + 500 + 550) / 4,
      cache_hit_rate: round6(2000 / 3600),
      models: [{ model: 'evalbot-1', run_share: 1, spend_share: 1 }],
    });
    expect(snap.routes['faq|search']).toMatchObject({ runs: 3, cost_per_run: round6(mean(faq)), cache_hit_rate: 0, tool_tokens_per_run: 0 });
    expect(snap.totals).toMatchObject({ runs: 7, spans: 11, cost_usd: round6(all.reduce((a, b) => a + b, 0)), cost_per_run: round6(mean(all)) });
    expect(snap.provenance).toMatchObject({ label: 'main', runs: 7, spans: 11, first_span: '2026-10-02T00:00:01.000000Z' });
    expect(snap.provenance.price_book.hash).toMatch(/^sha256:[0-9a-f]{16}$/);
    // the rates it was priced with, per token, so `diff` can price another run the same way
    expect(snap.rates).toEqual([{ model: 'evalbot-1', tier: 'standard', long_context: false, input: '0.000002', cache_read: '0.0000002', cache_write_5m: '0.000002', cache_write_1h: '0.000002', output: '0.00001' }]);
  });

  it('is byte-identical for the same input, with keys in sorted order', async () => {
    await snapshot(at('main.jsonl'), at('list.json'), at('base-again.json'), '--label', 'main');
    const text = readFileSync(at('base.json'), 'utf8');
    expect(readFileSync(at('base-again.json'), 'utf8')).toBe(text);
    expect(Object.keys(JSON.parse(text))).toEqual(['costattr_snapshot', 'provenance', 'rates', 'routes', 'totals', 'usage']);
  });
});

describe('costattr diff', () => {
  const gate = ['--fail-on', 'total.cost_per_run>+5%', '--fail-on', '*.prompt_tokens_per_run>+15%', '--warn-on', '*.cache_hit_rate<-0.05'];

  it('passes the same eval run twice, and stays silent under --skip-below', async () => {
    const table = await cli('diff', at('base.json'), at('rerun.json'), ...gate);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('no change in cost');
    const json = await cli('diff', at('base.json'), at('rerun.json'), ...gate, '--format', 'json');
    const result = JSON.parse(json.stdout) as DiffJson;
    expect(result.failed).toBe(false);
    expect(result.tripped).toEqual([]);
    expect(result.changes.every((c) => c.status === 'unchanged')).toBe(true);
    expect(change(result, '__total__', 'cost_per_run').base).toBe(round6(mean(evalRuns(1000).map((r) => runCost(r, LIST)))));

    const md = await cli('diff', at('base.json'), at('rerun.json'), ...gate, '--format', 'md', '--skip-below', '0.0001');
    expect(md.code).toBe(0);
    expect(md.stdout).toBe('');
    const out = await cli('diff', at('base.json'), at('rerun.json'), '--format', 'md', '--skip-below', '1%', '--out', at('comment.md'));
    expect(out.code).toBe(0);
    expect(existsSync(at('comment.md')) && readFileSync(at('comment.md'), 'utf8')).toBe('');
  });

  it('fails a prompt that grew 30% on one route, naming the route and the delta', async () => {
    const result = await cli('diff', at('base.json'), at('grown.jsonl'), ...gate, '--pricing', at('list.json'), '--namespace', 'acme', '--format', 'json', '--quiet');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cost gate failed/);
    const diff = JSON.parse(result.stdout) as DiffJson;
    expect(diff.failed).toBe(true);
    const before = routeRuns(evalRuns(1000), 'inbox-triage').map((r) => runCost(r, LIST));
    const after = routeRuns(evalRuns(1300), 'inbox-triage').map((r) => runCost(r, LIST));
    // by hand: 2 calls × 300 more uncached prompt tokens × $2/MTok = +$0.0012 per run
    expect(round6(mean(after) - mean(before))).toBe(0.0012);
    expect(change(diff, 'inbox-triage', 'cost_per_run')).toMatchObject({ base: round6(mean(before)), head: round6(mean(after)), delta: 0.0012, status: 'changed' });
    expect(change(diff, 'inbox-triage', 'prompt_tokens_per_run')).toMatchObject({ base: 2000, head: 2600, delta: 600, delta_pct: 0.3 });
    expect(change(diff, 'faq|search', 'cost_per_run').status).toBe('unchanged');
    const fails = diff.tripped.filter((t) => t.level === 'fail');
    expect(fails.map((t) => [t.rule, t.route])).toEqual([
      ['total.cost_per_run>+5%', '__total__'],
      ['*.prompt_tokens_per_run>+15%', 'inbox-triage'],
    ]);
    // cache hit rate: inbox-triage 2000/3600 → 2000/4200 (-0.079, a warning); in total
    // 8000/23400 → 8000/25800 (-0.032, under the 0.05 of the rule)
    expect(diff.tripped.filter((t) => t.level === 'warn').map((t) => t.route)).toEqual(['inbox-triage']);

    const md = await cli('diff', at('base.json'), at('grown.jsonl'), ...gate, '--pricing', at('list.json'), '--format', 'md', '--quiet');
    expect(md.code).toBe(1);
    expect(md.stdout.startsWith('<!-- costattr-diff -->\n')).toBe(true);
    const totalPct = (mean(evalRuns(1300).map((r) => runCost(r, LIST))) / mean(evalRuns(1000).map((r) => runCost(r, LIST))) - 1) * 100;
    // observed volume: 7 head runs on one day × 30 = 210 runs a month; 4 triage runs × +$0.0012 = +$0.0048 per 7 runs
    expect(md.stdout).toContain(`### ❌ costattr: +$${(0.0048 * 30).toFixed(2)}/month (+${totalPct.toFixed(1)}%) at 210 runs a month`);
    expect(md.stdout).toContain('❌ **fail** `*.prompt_tokens_per_run>+15%`: inbox-triage prompt tokens per run 2,000 → 2,600, +30.0%');
    expect(md.stdout).toContain('⚠️ **warn** `*.cache_hit_rate<-0.05`');
    expect(md.stdout).toContain('| inbox-triage | changed |');
  });

  it('does not count a price change alone by default, and shows it under --reprice', async () => {
    const gated = ['--fail-on', 'total.cost_per_run>+1%', '--fail-on', '*.p95_run_usd>+1%'];
    const byDefault = await cli('diff', at('base.json'), at('raised-prices.json'), ...gated, '--format', 'json');
    expect(byDefault.code).toBe(0);
    const plain = JSON.parse(byDefault.stdout) as DiffJson;
    expect(plain.pricing).toBe('base');
    expect(plain.base.price_book.hash).not.toBe(plain.head.price_book.hash);
    expect(plain.changes.filter((c) => c.status !== 'unchanged')).toEqual([]);

    const repriced = await cli('diff', at('base.json'), at('raised-prices.json'), ...gated, '--reprice', '--format', 'json');
    expect(repriced.code).toBe(1);
    const result = JSON.parse(repriced.stdout) as DiffJson;
    const atList = mean(evalRuns(1000).map((r) => runCost(r, LIST)));
    const atRaised = mean(evalRuns(1000).map((r) => runCost(r, RAISED)));
    expect(change(result, '__total__', 'cost_per_run')).toMatchObject({ base: round6(atList), head: round6(atRaised), delta: round6(round6(atRaised) - round6(atList)) });
    expect(change(result, '__total__', 'prompt_tokens_per_run').status).toBe('unchanged');
    expect(result.price_effect?.find((p) => p.route === '__total__')).toEqual({
      route: '__total__', head_at_base_prices: round6(atList), head_at_head_prices: round6(atRaised), delta: round6(round6(atRaised) - round6(atList)),
    });
    const table = await cli('diff', at('base.json'), at('raised-prices.json'), '--reprice');
    expect(table.stdout).toContain('price effect on the head');
  });

  it('reports routes that appear or vanish, and escapes route names in Markdown', async () => {
    const runs: EvalRun[] = [...routeRuns(evalRuns(1000), 'inbox-triage'), { route: 'summarize', calls: [{ prompt: 100, tool: 0, memory: 0, cacheRead: 0, output: 10 }] }];
    writeEval(at('reshaped.jsonl'), runs, 4);
    const result = await cli('diff', at('base.json'), '--head-spans', at('reshaped.jsonl'), '--pricing', at('list.json'), '--fail-on', '*.cost_per_run>+1%', '--format', 'json', '--quiet');
    expect(result.code).toBe(0); // change rules judge routes present on both sides only
    const diff = JSON.parse(result.stdout) as DiffJson;
    expect(change(diff, 'faq|search', 'cost_per_run')).toMatchObject({ status: 'removed', head: null, delta: null });
    expect(change(diff, 'summarize', 'cost_per_run')).toMatchObject({ status: 'added', base: null, head: round6((100 * 2 + 10 * 10) / 1e6) });
    const md = await cli('diff', at('base.json'), '--head-spans', at('reshaped.jsonl'), '--pricing', at('list.json'), '--format', 'md', '--quiet');
    expect(md.stdout).toContain('| faq\\|search | removed |');
    expect(md.stdout).toContain('| summarize | added |');
  });

  it('rejects a malformed rule with exit 2 and a caret under the offending character', async () => {
    const result = await cli('diff', at('base.json'), at('rerun.json'), '--fail-on', 'total.cost_per_rn>+10%');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--fail-on rule does not parse: unknown metric "cost_per_rn"');
    expect(result.stderr).toContain('\n  total.cost_per_rn>+10%\n        ^\n');
    const sign = await cli('diff', at('base.json'), at('rerun.json'), '--warn-on', 'total.cost_per_run>10%');
    expect(sign.code).toBe(2);
    expect(sign.stderr).toContain('\n  total.cost_per_run>10%\n                     ^\n');
  });

  it('rejects a damaged snapshot, naming the file and the field', async () => {
    const damaged = JSON.parse(readFileSync(at('base.json'), 'utf8'));
    damaged.usage.rows[0][6] = -5;
    writeFileSync(at('damaged.json'), JSON.stringify(damaged));
    const result = await cli('diff', at('base.json'), at('damaged.json'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${at('damaged.json')}: field usage.rows[0].input: expected a non-negative integer`);
  });

  it('refuses to snapshot a window without model calls', async () => {
    const empty = await cli('snapshot', '--spans', at('main.jsonl'), '--pricing', at('list.json'), '--since', '2030-01-01', '--quiet');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no spans in 2030-01-01 – … (until exclusive): spans cover');
  });
});
