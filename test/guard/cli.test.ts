// The built CLI end to end: recommend → replay round trip, --fail, a bad policy (exit 2 naming the
// field), and whatif's JSON and Markdown.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { daysFrom, writeMonth, type Burst } from './month.js';

const OCTOBER = daysFrom('2026-10-01', 31);
const BURSTS: Burst[] = [
  ...OCTOBER.map((d) => ({ tenant: 'steady', minute: `${d} 10:00`, requests: 20 })),
  ...OCTOBER.slice(0, 10).map((d) => ({ tenant: 'runaway', minute: `${d} 10:00`, requests: 20 })),
  { tenant: 'runaway', minute: '2026-10-11 10:00', requests: 120 },
];

let dir: string;
let spans: string;
beforeAll(() => {
  dir = tempDir('guard-cli-');
  spans = writeMonth(dir, BURSTS);
});

const write = (name: string, doc: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc));
  return file;
};

describe('costattr guard (CLI)', () => {
  it('recommends a policy that guard --policy accepts, and --fail exits 1 on the kill switch', async () => {
    const policyFile = join(dir, 'recommended.json');
    const rec = await runCli(['guard', '--recommend', '--spans', spans, '--month', '2026-10', '--out', policyFile, '--quiet']);
    expect(rec.code, rec.stderr).toBe(0);
    const policy = JSON.parse(readFileSync(policyFile, 'utf8'));
    // runaway's p99 minute: 60 calls (the loop day spills 120 calls over two minutes) → 180
    expect(policy.tenants.runaway.rate_limit.requests_per_minute).toBe(180);

    const replay = await runCli(['guard', '--policy', policyFile, '--spans', spans, '--month', '2026-10', '--format', 'json', '--quiet']);
    expect(replay.code, replay.stderr).toBe(0);
    const result = JSON.parse(replay.stdout);
    expect(Object.keys(result).slice(0, 5)).toEqual(['schema_version', 'events', 'tenants', 'blocked_usd', 'saved_usd']);
    const kills = result.events.filter((e: { rule: string }) => e.rule === 'kill_switch');
    expect(kills).toEqual([expect.objectContaining({ tenant: 'runaway', time: '2026-10-11T10:01:20', action: 'pause', requests: 40 })]);
    expect(result.tenants.find((t: { tenant: string }) => t.tenant === 'steady')).toMatchObject({ requests_blocked: 0, false_positive_days: [] });

    const gated = await runCli(['guard', '--policy', policyFile, '--spans', spans, '--month', '2026-10', '--fail', '--format', 'md', '--quiet']);
    expect(gated.code).toBe(1);
    expect(gated.stdout).toContain('| kill\\_switch |');
    expect(gated.stderr).toMatch(/1 critical guard event/);
  });

  it('exits 2 naming the field of an invalid policy', async () => {
    const file = write('bad.json', { defaults: { daily_cap: { usd: 'lots' } } });
    const run = await runCli(['guard', '--policy', file, '--spans', spans]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('field $.defaults.daily_cap.usd');
  });
});

describe('costattr whatif (CLI)', () => {
  it('reprices a swap and renders the delta as JSON and Markdown', async () => {
    // every call: 1,000 × $3/M + 100 × $15/M = $0.0045 on Sonnet 4.5; on Haiku 4.5 1,000 × $1/M + 100 × $5/M = $0.0015
    const json = await runCli(['whatif', '--swap-model', 'claude-sonnet-4-5=claude-haiku-4-5', '--spans', spans, '--format', 'json', '--quiet']);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout);
    const calls = 31 * 20 + 10 * 20 + 120;
    expect(result.totals.spans).toBe(calls);
    expect(result.totals.base_usd).toBeCloseTo(calls * 0.0045, 6);
    expect(result.totals.whatif_usd).toBeCloseTo(calls * 0.0015, 6);
    expect(result.swaps[0].cost_ratio).toBeCloseTo(3, 6);
    const md = await runCli(['whatif', '--swap-model', 'claude-sonnet-4-5=claude-haiku-4-5', '--spans', spans, '--format', 'md', '--quiet']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('### What if: swap claude-sonnet-4-5 → claude-haiku-4-5');
    expect(md.stdout).toContain('| steady | triage | 620 |');
  });

  it('refuses a bad change with exit 2', async () => {
    expect((await runCli(['whatif', '--batch-share', 'triage=1.5', '--spans', spans])).code).toBe(2);
    expect((await runCli(['whatif', '--spans', spans])).code).toBe(2);
  });
});
