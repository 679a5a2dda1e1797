// report daily on a hand-made week: every figure below is computed here from token counts × list
// prices, not read back from the code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/anomalies/index.js';
import { dailyReport, type DailyReport } from '../../src/analysis/report/daily.js';
import type { Database } from '../../src/db/database.js';
import { HOSTILE, openReportDb, usd, type Span } from './fixture.js';

const DAY = '2026-10-08';
// calls of 100k input a day, Oct 1–7 (calls stay under the 200k long-context band)
const BASELINE_CALLS = [1, 2, 1, 2, 1, 2, 1];
const CALL = 100_000;

function spans(): Span[] {
  const out: Span[] = [];
  BASELINE_CALLS.forEach((calls, i) => {
    const start = `2026-10-0${i + 1} 10:00:00`;
    for (let c = 0; c < calls; c++) {
      out.push({ trace: `search-${i}-${c}`, start, tenant: 'base-co', route: 'search', input: CALL });
      out.push({ trace: `chat-${i}-${c}`, start, tenant: 'base-co', route: 'chat', input: CALL });
    }
  });
  const at = `${DAY} 09:00:00`;
  for (let c = 0; c < 10; c++) out.push({ trace: `search-d-${c}`, start: at, tenant: 'base-co', route: 'search', input: CALL });
  for (let c = 0; c < 2; c++) out.push({ trace: `chat-d-${c}`, start: at, tenant: 'base-co', route: 'chat', input: CALL });
  // the hostile tenant: $1.50 the day before, $4.50 + a looping trace ($0.15) on the day
  out.push({ trace: 'h-before', start: '2026-10-07 12:00:00', tenant: HOSTILE, route: 'yesterday-route', output: 100_000 });
  out.push({ trace: 'h-day', start: at, tenant: HOSTILE, route: 'misc', output: 300_000 });
  out.push({ trace: 'loop-h', start: at, tenant: HOSTILE, route: 'misc', output: 10_000 });
  for (let i = 0; i < 6; i++) out.push({ trace: 'loop-h', start: `${DAY} 09:0${i}:30`, tenant: HOSTILE, route: 'misc', tool: { name: 'lookup', args: '{"q": "same"}' } });
  // a loop three days earlier: not the day's finding
  out.push({ trace: 'loop-b', start: '2026-10-05 08:00:00', tenant: 't05', route: 'other-day', output: 10_000 });
  for (let i = 0; i < 6; i++) out.push({ trace: 'loop-b', start: `2026-10-05 08:0${i}:30`, tenant: 't05', route: 'other-day', tool: { name: 'lookup', args: '{"q": "same"}' } });
  for (let k = 1; k <= 10; k++) out.push({ trace: `t${k}`, start: at, tenant: `t${String(k).padStart(2, '0')}`, route: 'misc', output: k * 10_000 });
  out.push({ trace: 'half', start: at, tenant: 'half-co', route: 'misc', input: 70_000, cacheRead: 30_000 });
  out.push({ trace: 'cached', start: at, tenant: 'cached-co', route: 'misc', input: 10_000, cacheRead: 90_000 });
  out.push({ trace: 'orphan', start: at, tenant: null, route: 'misc', input: 100_000 });
  out.push({ trace: 'mystery', start: at, tenant: 't01', route: 'misc', model: 'mystery-model', input: 1_000 });
  return out;
}

describe('report daily', () => {
  let db: Database;
  let report: DailyReport;
  beforeAll(async () => {
    db = await openReportDb(spans());
    report = await dailyReport(db, { day: DAY, timezone: 'UTC', thresholds: DEFAULT_THRESHOLDS });
  });
  afterAll(() => db.close());

  it('ranks the top 10 tenants by spend with the day-over-day change, leaving out tenant-less spend', () => {
    const hostile = usd(300_000, 15) + usd(10_000, 15);
    const baseCo = usd(12 * CALL, 3);
    const expected = [
      [HOSTILE, hostile, usd(100_000, 15)],
      ['base-co', baseCo, usd(100_000, 3) * 2],
      ...[10, 9, 8, 7, 6, 5, 4, 3].map((k) => [`t${String(k).padStart(2, '0')}`, usd(k * 10_000, 15), 0]),
    ] as const;
    expect(report.top_tenants.map((t) => [t.tenant, t.cost_usd, t.previous_usd])).toEqual(expected.map(([n, c, p]) => [n, c, p]));
    const top = report.top_tenants[0];
    expect(top?.delta_usd).toBeCloseTo(4.65 - 1.5, 6);
    expect(top?.delta_pct).toBeCloseTo(4.65 / 1.5 - 1, 6);
    expect(report.top_tenants.find((t) => t.tenant === 't10')?.delta_pct).toBeNull();
  });

  it('flags routes whose spend z-score against the trailing 7 days is over 2, and only those', () => {
    const baseline = BASELINE_CALLS.map((n) => n * usd(CALL, 3));
    const mean = baseline.reduce((s, v) => s + v, 0) / 7;
    const sd = Math.sqrt(baseline.reduce((s, v) => s + (v - mean) ** 2, 0) / 6);
    const z = (10 * usd(CALL, 3) - mean) / sd;
    // chat: (0.60 − mean) / sd ≈ 1.07 stays under 2; misc has a flat $0 baseline and no z
    expect(report.route_spikes).toEqual([{ route: 'search', cost_usd: 3, baseline_mean_usd: Math.round(mean * 1e6) / 1e6, baseline_sd_usd: Math.round(sd * 1e6) / 1e6, z: Math.round(z * 100) / 100 }]);
  });

  it('lists tenants and routes under 40% cache hit rate', () => {
    const low = report.low_cache.map((l) => [l.grain, l.name, l.cache_hit_rate]);
    expect(low).toContainEqual(['tenant', 'half-co', 0.3]);
    expect(low).toContainEqual(['tenant', 'base-co', 0]);
    expect(low).toContainEqual(['route', 'search', 0]);
    expect(low.find(([, name]) => name === 'cached-co')).toBeUndefined();
    // misc: reads 120k of 1,311k input (cached-co's 90k + half-co's 30k; the others' input is uncached)
    const misc = report.low_cache.find((l) => l.grain === 'route' && l.name === 'misc');
    expect(misc?.cache_hit_rate).toBeCloseTo(120_000 / (70_000 + 30_000 + 10_000 + 90_000 + 100_000 + 1_000), 6);
  });

  it("keeps only the day's anomaly findings", () => {
    const loops = report.anomalies.filter((a) => a.kind === 'tool_loop');
    expect(loops.map((a) => a.tenant)).toEqual([HOSTILE]);
    expect(report.anomalies.every((a) => a.end > `${DAY}T00:00:00` && a.start < '2026-10-09T00:00:00')).toBe(true);
  });

  it('reports unattributed and unpriced spend, and the day total', () => {
    expect(report.totals.unattributed_usd).toBe(usd(100_000, 3));
    expect(report.unpriced).toEqual([expect.objectContaining({ model: 'mystery-model', spans: 1, tokens: 1_000 })]);
    const total = 4.65 + 3.6 + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].reduce((s, k) => s + usd(k * 10_000, 15), 0) + 0.219 + 0.057 + 0.3;
    expect(report.totals.cost_usd).toBeCloseTo(total, 6);
    expect(report.totals.previous_usd).toBeCloseTo(0.3 + 0.3 + 1.5, 6);
    expect(report.trend.map((d) => d.day)).toEqual(['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07', DAY]);
  });
});
