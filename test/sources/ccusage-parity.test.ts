// Claude Code logs: costattr's day × model figures against the installed ccusage (v20, the Rust
// build: `daily --json --offline --breakdown`) and against the generator's own ground truth.
// ccusage v20 counts the way costattr does: it dedupes on (message id, request id) keeping the
// record with the most tokens (so growing streaming snapshots count their final output), drops
// sidechain replays and `<synthetic>` messages, and prices 1-hour cache writes at their own rate.
// So every token class matches exactly, and costs agree to the cent and beyond. Known differences,
// each checked below rather than papered over:
// - JSON shape: v20 names the day `period` (v17: `date`) and reports per agent (`agent: "all"`);
// - model names: ccusage keeps the logged dated snapshot (`claude-sonnet-4-5-20250929`), costattr
//   reports the price book's canonical id (`claude-sonnet-4-5`);
// - money: ccusage sums IEEE doubles, costattr sums DECIMAL and rounds to 6 places in JSON, so the
//   two differ by at most half a micro-dollar plus float noise.
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { generateClaudeLogs, LIST_PRICES, type CellTruth, type GeneratedLogs } from './claude-code-gen.js';

interface CcusageBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number;
}
interface CcusageDay {
  period: string;
  modelBreakdowns: CcusageBreakdown[];
}
interface CostRow {
  day: string;
  model: string;
  cost_usd: number;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
}

/** Rounding to 6 decimals in costattr's JSON, plus float noise in ccusage's sum. */
const MONEY_TOLERANCE = 0.5e-6 + 1e-9;

/** ccusage v20's Rust binary (devDependency @ccusage/ccusage-linux-x64); npm does not mark it executable. */
function ccusageBinary(): string {
  const bin = join(ROOT, 'node_modules/@ccusage/ccusage-linux-x64/bin/ccusage');
  chmodSync(bin, 0o755);
  return bin;
}

function ccusageDaily(configDir: string): Map<string, CcusageBreakdown> {
  const run = spawnSync(ccusageBinary(), ['daily', '--json', '--offline', '--breakdown'], {
    env: { ...process.env, CLAUDE_CONFIG_DIR: configDir, TZ: 'UTC', LOG_LEVEL: '0', NO_COLOR: '1' },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout) as { daily: CcusageDay[] };
  const cells = new Map<string, CcusageBreakdown>();
  for (const day of out.daily) {
    expect(day.period).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const b of day.modelBreakdowns) cells.set(`${day.period}|${b.modelName}`, b);
  }
  return cells;
}

async function costattrDaily(configDir: string): Promise<Map<string, CostRow>> {
  const run = await runCli(['costs', '--by', 'day,model', '--format', 'json', '--quiet', '--spans', configDir]);
  expect(run.code, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout) as { rows: CostRow[] };
  return new Map(out.rows.map((r) => [`${r.day}|${r.model}`, r]));
}

/** The canonical id the price book reports for a logged model name (its dated snapshot). */
function canonical(model: string): string {
  return model.replace(/-\d{8}$/, '');
}

/** Cost of a cell from its tokens and list prices, computed here. */
function listCost(model: string, t: CellTruth): number {
  const p = LIST_PRICES[model];
  if (!p) throw new Error(`no list price for ${model}`);
  return t.input * p.input + t.output * p.output + t.cacheRead * p.cacheRead + t.cacheWrite5m * p.cacheWrite5m + t.cacheWrite1h * p.cacheWrite1h;
}

async function compare(logs: GeneratedLogs, dir: string): Promise<void> {
  const theirs = ccusageDaily(dir);
  const ours = await costattrDaily(dir);
  expect([...theirs.keys()].sort()).toEqual([...logs.cells.keys()].sort());
  const canonicalKeys = [...logs.cells.keys()].map((key) => {
    const [day, model] = key.split('|') as [string, string];
    return `${day}|${canonical(model)}`;
  });
  expect([...ours.keys()].sort()).toEqual(canonicalKeys.sort());
  for (const [key, truth] of logs.cells) {
    const [day, model] = key.split('|') as [string, string];
    const cc = theirs.get(key);
    const ca = ours.get(`${day}|${canonical(model)}`);
    if (!cc || !ca) throw new Error(`missing cell ${key}`);
    // every token class: the ground truth, and both tools equal to it
    for (const [mine, ccusage, expected] of [
      [ca.input_tokens, cc.inputTokens, truth.input],
      [ca.cache_read_tokens, cc.cacheReadTokens, truth.cacheRead],
      [ca.cache_write_tokens, cc.cacheCreationTokens, truth.cacheWrite5m + truth.cacheWrite1h],
      [ca.output_tokens, cc.outputTokens, truth.output],
    ] as const) {
      expect(mine).toBe(expected);
      expect(ccusage).toBe(expected);
    }
    // cost: both at list prices with 1-hour writes at their own rate
    const expected = listCost(model, truth);
    expect(Math.abs(ca.cost_usd - expected)).toBeLessThanOrEqual(MONEY_TOLERANCE);
    expect(Math.abs(cc.cost - expected)).toBeLessThanOrEqual(1e-9);
  }
}

describe('Claude Code logs against ccusage v20 daily --json --offline --breakdown', () => {
  it('matches every token class and cost when streaming snapshots repeat the final usage', async () => {
    const dir = tempDir('costattr-cc-');
    const logs = generateClaudeLogs(dir, { seed: 7, growingOutput: false });
    const oneHour = [...logs.cells.values()].reduce((n, c) => n + c.cacheWrite1h, 0);
    expect(oneHour).toBeGreaterThan(0);
    await compare(logs, dir);
  });

  it('matches when snapshots grow: both keep the record with the most tokens, not the first', async () => {
    const dir = tempDir('costattr-cc-');
    const logs = generateClaudeLogs(dir, { seed: 11, growingOutput: true });
    const undercountFirstRule = [...logs.cells.values()].reduce((n, c) => n + c.output - c.outputFirst, 0);
    expect(undercountFirstRule).toBeGreaterThan(0);
    await compare(logs, dir);
  });
});
