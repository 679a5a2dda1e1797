// The key demo test: the generated month through the real ingest, price book, revenue loader,
// margins and invoice reconcile must give every tenant the cost the generator computed itself — so it
// fails if ingest, input-token conventions, tag inheritance, pricing or attribution is wrong.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarginReport } from '../../src/analysis/margins.js';
import { Database } from '../../src/db/database.js';
import { DEFAULT_SEED, generateDemo, type GeneratedDemo } from '../../src/demo/generate.js';
import { demoTables } from '../../src/demo/report.js';
import { withWorkspace } from '../../src/app/workspace.js';
import { analyseDemo, demoWorkspace, checkAgainstTruth, sameToTheCent, type DemoAnalysis } from '../../src/demo/run.js';
import { loadRevenueCsv } from '../../src/ingest/revenue/index.js';
import { renderTableModels } from '../../src/render/tables.js';
import { tempDir } from '../helpers/cli.js';

let dir: string;
let demo: GeneratedDemo;
let analysis: DemoAnalysis;
let margins: MarginReport;

beforeAll(async () => {
  dir = tempDir('costattr-demo-int-');
  demo = generateDemo({ seed: DEFAULT_SEED, outDir: dir });
  analysis = await withWorkspace(demoWorkspace(demo), (workspace) => analyseDemo(workspace, demo));
  margins = analysis.margins;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('demo: ingest + price + attribute against the generator ground truth', () => {
  it('gives every tenant exactly the ground-truth cost, and the same unattributed spend', () => {
    const attributed = new Map(margins.tenants.map((t) => [t.tenant, t.cost_usd]));
    expect(margins.tenants).toHaveLength(40);
    for (const t of demo.truth.tenants) expect(attributed.get(t.tenant), t.tenant).toBe(t.cost_usd);
    expect(margins.unattributed_usd).toBe(demo.truth.unattributed.cost_usd);
    expect(margins.unpriced_spans).toBe(0);
    const check = checkAgainstTruth(margins, demo.truth);
    expect(check).toEqual({ tenants: 40, matched: 40, unattributed_matches: true, mismatches: [] });
  });

  it('reconciles the invoices: untraced spend is the generator\'s untraced traffic, to the cent', () => {
    expect(analysis.invoice.span_usd).toBeCloseTo(Number(demo.truth.totals.span_cost_usd), 5);
    expect(analysis.invoice.invoice_usd).toBeCloseTo(Number(demo.truth.totals.invoice_usd), 2);
    expect(Math.abs(analysis.invoice.untraced_usd - Number(demo.truth.totals.untraced_usd))).toBeLessThan(0.005);
    expect(analysis.invoice.untraced_matches).toBe(true);
  });

  it('has the anomaly detector find tool loops in exactly the runaway tenants', () => {
    const runaway = demo.truth.tenants.filter((t) => t.segment === 'runaway').map((t) => t.tenant).sort();
    const loops = analysis.anomalies.find((a) => a.kind === 'tool_loop');
    expect(loops?.tenants).toEqual(runaway);
    expect(loops?.findings).toBeGreaterThan(0);
  });

  it('counts runs per tenant as traces, and conserves spend: segments + unattributed = portfolio', () => {
    for (const t of demo.truth.tenants) expect(margins.tenants.find((m) => m.tenant === t.tenant)?.runs, t.tenant).toBe(t.runs);
    const segmentMicro = margins.segments.reduce((s, seg) => s + BigInt(seg.cost_usd.replace('.', '')), 0n);
    expect(segmentMicro + BigInt(margins.unattributed_usd.replace('.', ''))).toBe(BigInt(margins.portfolio.cost_usd.replace('.', '')));
    expect(margins.portfolio.revenue_usd).toBe('180000.000000');
  });

  it('reads the segments back from the data: margin line, then tool loops', () => {
    for (const t of demo.truth.tenants) expect(margins.tenants.find((m) => m.tenant === t.tenant)?.segment, t.tenant).toBe(t.segment);
    for (const s of margins.segments) {
      const truth = demo.truth.segments.find((x) => x.segment === s.segment);
      expect(truth, s.segment).toBeDefined();
      // segment sums add tenants' 6-decimal costs; the truth rounds the exact sum once
      expect(sameToTheCent(s.cost_usd, truth?.cost_usd ?? ''), s.segment).toBe(true);
      expect(Number(s.revenue_usd)).toBe(truth?.revenue_usd);
    }
    const runaway = margins.tenants.filter((t) => t.segment === 'runaway');
    for (const t of runaway) {
      const truth = demo.truth.tenants.find((x) => x.tenant === t.tenant);
      expect(t.loop_traces).toBe(truth?.loop_traces);
      // every iteration repeats the same normalised query; the detector counts them all
      expect(t.loop_calls).toBe(truth?.loop_calls);
    }
    expect(margins.tenants.filter((t) => t.segment !== 'runaway').every((t) => t.loop_traces === 0)).toBe(true);
  });

  it('renders the segment table, the loop tenants and a computed check line', () => {
    const result = { seed: DEFAULT_SEED, month: '2026-10', dir: undefined, files: [], ...analysis };
    const text = renderTableModels(demoTables(result), 'table', { color: false });
    expect(text).toContain('Power users (should upgrade tier)');
    for (const t of demo.truth.tenants.filter((x) => x.segment === 'runaway')) expect(text).toContain(t.tenant);
    expect(text).toContain('per-tenant costs match generator ground truth: 40/40 to the cent');
    const broken = { ...result, check: checkAgainstTruth({ ...margins, tenants: margins.tenants.slice(1) }, demo.truth) };
    expect(renderTableModels(demoTables(broken), 'md', { color: false })).toContain('39/40 to the cent');
  });
});

describe('revenue CSV loader', () => {
  it('names the row and field of a bad value and keeps what was stored', async () => {
    const file = join(dir, 'bad-revenue.csv');
    const fresh = await Database.open();
    try {
      writeFileSync(file, 'tenant,month,revenue_usd\nkept,2026-09,10\n');
      await loadRevenueCsv(fresh, file);
      writeFileSync(file, 'tenant,month,revenue_usd,plan,ceiling_usd\nalpha,2026-10,1000,bundled,\nbeta,2026-10,12x,bundled,\n');
      await expect(loadRevenueCsv(fresh, file)).rejects.toThrow(`${file} row 2: field revenue_usd: expected a non-negative amount in USD, got 12x`);
      writeFileSync(file, 'tenant,month,revenue_usd,plan\nalpha,2026-10,1000,bundled\nalpha,2026-10,5,bundled\n');
      await expect(loadRevenueCsv(fresh, file)).rejects.toThrow(/row 2: field tenant: tenant alpha appears twice/);
      writeFileSync(file, 'tenant,month,revenue_usd\nalpha,2026-13,1000\n');
      await expect(loadRevenueCsv(fresh, file)).rejects.toThrow(/row 1: field month/);
      writeFileSync(file, 'tenant,month,plan\nalpha,2026-10,bundled\n');
      await expect(loadRevenueCsv(fresh, file)).rejects.toThrow(/field revenue_usd: missing column/);
      writeFileSync(file, 'tenant,month,revenue_usd,plan\nalpha,2026-10,100,subscription\n');
      await expect(loadRevenueCsv(fresh, file)).rejects.toThrow(/row 1: field plan/);
      expect(await fresh.all('SELECT tenant FROM revenue')).toEqual([{ tenant: 'kept' }]);
    } finally {
      fresh.close();
    }
  });

  it('replaces a tenant-month on reload instead of doubling it, and normalises plan names', async () => {
    const file = join(dir, 'revenue-twice.csv');
    writeFileSync(file, 'tenant,month,revenue_usd,plan,ceiling_usd\n"alpha",2026-10,1000.50,Pass-Through,200\nbeta,2026-10,20,,\n');
    const fresh = await Database.open();
    try {
      await loadRevenueCsv(fresh, file);
      const report = await loadRevenueCsv(fresh, file);
      expect(report.rows).toBe(2);
      const rows = await fresh.all('SELECT tenant, month, revenue_usd::VARCHAR AS revenue, plan, ceiling_usd::VARCHAR AS ceiling FROM revenue ORDER BY tenant');
      expect(rows).toEqual([
        { tenant: 'alpha', month: '2026-10', revenue: '1000.500000', plan: 'pass_through', ceiling: '200.000000' },
        { tenant: 'beta', month: '2026-10', revenue: '20.000000', plan: null, ceiling: null },
      ]);
    } finally {
      fresh.close();
    }
  });
});
