// The pull-request comment of `costattr diff --format md` through the built CLI: golden files on the
// eval fixture, with the monthly effect, the "why" and the totals checked against figures computed
// here from the generated tokens × the override's rates. A missing baseline is an error unless
// --allow-missing-base; a ± rule trips on a move in either direction.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';
import { runCost, writeEval, writePricing, type EvalRun, type Rates } from './eval-spans.js';

const LIST: Rates = { input: 2, cache_read: 0.2, output: 10 };
const GOLDEN = join(import.meta.dirname, 'golden');

/** As in diff.e2e: four inbox-triage runs (two calls, `prompt` tokens of prompt layer each), three faq|search runs. */
function evalRuns(prompt: number): EvalRun[] {
  return [
    ...[0, 1, 2, 3].map((i) => ({ route: 'inbox-triage', calls: [200, 200 + i * 50].map((output) => ({ prompt, tool: 500, memory: 300, cacheRead: 1000, output })) })),
    ...[0, 1, 2].map((i) => ({ route: 'faq|search', calls: [{ prompt: 2000, tool: 0, memory: 1000, cacheRead: 0, output: 400 + i * 100 }] })),
  ];
}
const sum = (runs: readonly EvalRun[]) => runs.reduce((total, run) => total + runCost(run, LIST), 0);
const cents = (usd: number) => `$${usd.toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;

let dir: string;
const at = (name: string) => join(dir, name);
const cli = (...args: string[]): Promise<CliResult> => runCli(args, { cwd: dir });
/** The provenance footer names the running version and this run's temp paths: pinned for the golden. */
const pinned = (text: string) => text.replaceAll(/costattr \d+\.\d+\.\d+[^\s<]*/g, 'costattr <version>');

beforeAll(async () => {
  dir = tempDir('costattr-comment-');
  writePricing(at('list.json'), LIST);
  writeEval(at('main.jsonl'), evalRuns(1000), 1);
  writeEval(at('grown.jsonl'), evalRuns(1300), 3);
  for (const name of ['main', 'grown']) {
    const result = await cli('snapshot', '--spans', at(`${name}.jsonl`), '--pricing', at('list.json'), '--namespace', 'acme', '--label', name, '--out', at(`${name}.json`), '--quiet');
    expect(result.code).toBe(0);
  }
});

describe('the PR comment', () => {
  const gate = ['--fail-on', 'total.cost_per_run>+5%', '--warn-on', '*.cache_hit_rate<-0.05'];

  it('leads with the monthly effect at --runs-per-month, and says why the route moved', async () => {
    const md = await cli('diff', at('main.json'), at('grown.json'), ...gate, '--runs-per-month', '120k', '--format', 'md', '--quiet');
    expect(md.code).toBe(1);
    const [before, after] = [sum(evalRuns(1000)), sum(evalRuns(1300))];
    // 120,000 runs a month at each side's cost per run (7 runs each): the change is +$0.0048 × 120000 / 7
    expect(after - before).toBeCloseTo(0.0048, 12);
    const pct = ((after - before) / before) * 100;
    expect(md.stdout).toContain(`### ❌ costattr: +${cents((0.0048 * 120000) / 7)}/month (+${pct.toFixed(1)}%) at 120,000 runs a month\n`);
    expect(md.stdout).toContain(`Monthly estimate ${cents((before * 120000) / 7)} → ${cents((after * 120000) / 7)} at 120,000 runs a month (--runs-per-month)`);
    // inbox-triage: 4 of 7 runs; its cost per run $0.00835 → $0.00955; input 3,600 → 4,200 tokens a run, all of it prompt layer
    const triage = [sum(evalRuns(1000).slice(0, 4)), sum(evalRuns(1300).slice(0, 4))].map((usd) => (usd * 120000) / 7);
    expect(md.stdout).toContain(
      `| inbox-triage | ${cents(triage[0] ?? 0)} | +${cents((triage[1] ?? 0) - (triage[0] ?? 0))} (+14.4%) | ${cents(triage[1] ?? 0)} | $0.00835 → $0.00955 | ` +
        'input tokens per run 3,600 → 4,200 (+16.7%; prompt layer +600); cache hit rate 55.6% → 47.6% |',
    );
    const [visible, folded] = md.stdout.split('<details>');
    expect(visible).not.toContain('faq\\|search'); // unchanged: only in the folded table
    expect(folded).toContain('| faq\\|search | unchanged |');
    expect(md.stdout).toContain('<details><summary>Totals, every route and all changed metrics</summary>');
    expect(md.stdout).toContain(`| cost of the eval run | ${cents(before)} | ${cents(after)} |`);
    expectGolden(join(GOLDEN, 'comment-grown.md'), pinned(md.stdout));
  });

  it('projects the head\'s observed volume when --runs-per-month is not given, and says so', async () => {
    const md = await cli('diff', at('main.json'), at('grown.json'), '--format', 'md', '--quiet');
    expect(md.code).toBe(0);
    // 7 runs within one day → 210 runs a month
    expect(md.stdout).toContain(`### ✅ costattr: +${cents(0.0048 * 30)}/month`);
    expect(md.stdout).toContain('at 210 runs a month (observed: 7 head runs over 1 day × 30; set --runs-per-month for production volume)');
  });

  it('fails on a monthly threshold in either direction', async () => {
    const down = await cli('diff', at('grown.json'), at('main.json'), '--fail-on', 'total.monthly_usd>±50', '--runs-per-month', '120000', '--format', 'json', '--quiet');
    expect(down.code).toBe(1);
    const result = JSON.parse(down.stdout) as { tripped: Array<{ rule: string; delta: number }>; monthly: { runs_per_month: number; basis: string } };
    expect(result.monthly).toEqual({ runs_per_month: 120000, basis: 'given', observed: null });
    expect(result.tripped.map((t) => t.rule)).toEqual(['total.monthly_usd>±50']);
    expect(result.tripped[0]?.delta).toBeCloseTo(-(0.0048 * 120000) / 7, 4);
    const small = await cli('diff', at('grown.json'), at('main.json'), '--fail-on', 'total.monthly_usd>±100', '--runs-per-month', '120000', '--quiet');
    expect(small.code).toBe(0);
  });

  it('refuses a missing baseline (exit 2) unless --allow-missing-base, then shows the head alone', async () => {
    const missing = await cli('diff', at('nowhere/base.json'), at('grown.json'), '--format', 'md');
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`base: ${at('nowhere/base.json')} does not exist: there is no baseline to compare with`);
    const allowed = await cli('diff', at('nowhere/base.json'), at('grown.json'), ...gate, '--runs-per-month', '70', '--allow-missing-base', '--format', 'md', '--quiet');
    expect(allowed.code).toBe(0); // change rules need a baseline
    const after = sum(evalRuns(1300));
    // 70 runs a month at the head's cost per run (7 runs): 10 × the eval run
    expect(allowed.stdout).toContain(`### ℹ️ costattr: no baseline: the head costs ${cents(after * 10)}/month at 70 runs a month\n`);
    expect(allowed.stdout).toContain(`| total | 7 | $0.010171 | ${cents(after * 10)} |`);
    expectGolden(join(GOLDEN, 'comment-no-base.md'), pinned(allowed.stdout));
  });

  it('keeps a damaged baseline an error even with --allow-missing-base', async () => {
    writeFileSync(at('torn.json'), readFileSync(at('main.json'), 'utf8').slice(0, 300));
    const torn = await cli('diff', at('torn.json'), at('grown.json'), '--allow-missing-base', '--format', 'md');
    expect(torn.code).toBe(2);
    expect(torn.stdout).toBe('');
    expect(torn.stderr).toContain(`${at('torn.json')}: not valid JSON`);
  });
});

/** The `costattr diff …` step of the GitHub Actions workflow in docs/ci.md, as argv (its quoting is single quotes only). */
function workflowDiffArgs(): string[] {
  const doc = readFileSync(join(ROOT, 'docs/ci.md'), 'utf8');
  const step = /\n {10}costattr diff ([\s\S]*?--out costattr-comment\.md)\n/.exec(doc)?.[1];
  if (step === undefined) throw new Error('docs/ci.md has no `costattr diff … --out costattr-comment.md` step');
  const words = step.replaceAll('\\\n', ' ').match(/'[^']*'|\S+/g) ?? [];
  return ['diff', ...words.map((word) => word.replace(/^'(.*)'$/, '$1'))];
}

describe('the workflow in docs/ci.md', () => {
  it('runs as written: a comment without a baseline on the first PR, the gate against main after', async () => {
    const args = workflowDiffArgs();
    expect(args).toContain('--allow-missing-base');
    const repo = join(dir, 'repo');
    mkdirSync(repo, { recursive: true });
    copyFileSync(at('grown.json'), join(repo, 'costattr-head.json'));
    const first = await runCli([...args, '--quiet'], { cwd: repo });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(readFileSync(join(repo, 'costattr-comment.md'), 'utf8')).toContain('costattr: no baseline: the head costs');

    mkdirSync(join(repo, '.costattr'));
    copyFileSync(at('main.json'), join(repo, '.costattr/base.json'));
    const gated = await runCli([...args, '--quiet'], { cwd: repo });
    // +7.2% cost per run is under the +10% and ±20% rules, +$82.29 a month (at 120k runs) under +$500: no
    // failure (exit 0); inbox-triage's prompt layer grew 30%, over the +15% warning: ⚠️
    expect(gated.code).toBe(0);
    const comment = readFileSync(join(repo, 'costattr-comment.md'), 'utf8');
    expect(comment).toContain('⚠️ **warn** `*.prompt_tokens_per_run>+15%`: inbox-triage prompt tokens per run 2,000 → 2,600, +30.0%');
    expect(comment).toContain(`### ⚠️ costattr: +${cents((0.0048 * 120000) / 7)}/month (+7.2%) at 120,000 runs a month`);
  });
});
