// `costattr demo` through the built CLI: exits 0, reproduces the guide's segment table from the
// generator's own truth.json, names the two runaway tenants, keeps its files with --out, and writes
// nothing into its working directory.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoTruth } from '../../src/demo/truth.js';
import { runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-demo-cli-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface DemoJson {
  schema_version: number;
  segments: Array<{ segment: string; tenants: number; revenue_usd: number; cost_usd: number; margin_pct: number }>;
  portfolio: { revenue_usd: number; cost_usd: number; margin_pct: number };
  unattributed_usd: number;
  loop_tenants: Array<{ tenant: string; loop_traces: number; cost_usd: number }>;
  anomalies: Array<{ kind: string; findings: number; tenants: string[] }>;
  check: { tenants: number; matched: number; unattributed_matches: boolean };
}

describe('costattr demo', () => {
  it('--format json reproduces the segment table, names the loop tenants and checks 40/40', async () => {
    const out = join(dir, 'month');
    const cwd = join(dir, 'elsewhere');
    mkdirSync(cwd);
    const result = await runCli(['demo', '--format', 'json', '--out', out], { cwd });
    expect(result.stderr).toMatch(/loaded 94100 spans \(0 duplicates, 0 rejected\)/);
    expect(result.code).toBe(0);
    expect(readdirSync(cwd)).toEqual([]); // the demo leaves nothing behind in the working directory
    const demo = JSON.parse(result.stdout) as DemoJson;
    expect(demo.schema_version).toBe(1);
    const truth = JSON.parse(readFileSync(join(out, 'truth.json'), 'utf8')) as DemoTruth;

    const runaway = truth.tenants.filter((t) => t.segment === 'runaway').map((t) => t.tenant).sort();
    expect(runaway).toHaveLength(2);
    expect(demo.loop_tenants.map((t) => t.tenant).sort()).toEqual(runaway);
    expect(demo.anomalies.find((a) => a.kind === 'tool_loop')?.tenants).toEqual(runaway);

    for (const segment of ['healthy', 'power_user', 'runaway'] as const) {
      const members = truth.tenants.filter((t) => t.segment === segment);
      const revenue = members.reduce((s, t) => s + t.revenue_usd, 0);
      const cost = members.reduce((s, t) => s + Number(t.cost_usd), 0);
      const row = demo.segments.find((s) => s.segment === segment);
      expect(row?.tenants, segment).toBe(members.length);
      expect(row?.revenue_usd, segment).toBe(revenue);
      expect(row?.cost_usd, segment).toBeCloseTo(cost, 2);
      expect(row?.margin_pct, segment).toBeCloseTo((revenue - cost) / revenue, 6);
    }
    expect(demo.segments.map((s) => [s.segment, s.tenants])).toEqual([['healthy', 34], ['power_user', 4], ['runaway', 2]]);
    const allCost = truth.tenants.reduce((s, t) => s + Number(t.cost_usd), 0) + Number(truth.unattributed.cost_usd);
    expect(demo.portfolio.cost_usd).toBeCloseTo(allCost, 2);
    expect(demo.portfolio.margin_pct).toBeCloseTo(0.81, 2);
    expect(demo.unattributed_usd).toBeCloseTo(Number(truth.unattributed.cost_usd), 2);
    expect(demo.check).toEqual({ tenants: 40, matched: 40, unattributed_matches: true, mismatches: [] });
  });

  it('rejects an unknown format and a bad seed with exit 2', async () => {
    expect((await runCli(['demo', '--format', 'csv'])).code).toBe(2);
    const bad = await runCli(['demo', '--seed', 'abc']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--seed abc');
  });
});
