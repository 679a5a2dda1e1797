// report monthly on a hand-made October in progress (data up to Oct 10): profitability and segments,
// cohorts, cache savings, the regression forecast against a budget, and the cost drivers — the
// regression is recomputed here with the closed-form least-squares formulas.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBudgetFile } from '../../src/analysis/report/budget.js';
import { monthlyReport, type MonthlyReport } from '../../src/analysis/report/monthly.js';
import type { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';
import { CALL, HOSTILE, MONTHLY_REVENUE, monthlySpans, openReportDb, usd } from './fixture.js';

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

/** Daily spend Oct 1–10 by hand. */
function dailySpend(): number[] {
  return Array.from({ length: 10 }, (_v, i) => {
    const d = i + 1;
    let y = d * usd(CALL, 3);
    if (d === 1) y += usd(190_000, 0.3) + usd(100_000, 15);
    if (d === 2) y += usd(CALL, 3);
    return y;
  });
}

describe('report monthly', () => {
  let db: Database;
  let report: MonthlyReport;
  beforeAll(async () => {
    db = await openReportDb(monthlySpans(), MONTHLY_REVENUE);
    report = await monthlyReport(db, { month: '2026-10', timezone: 'UTC', budget: 40 });
  });
  afterAll(() => db.close());

  const acmeCost = round6(55 * usd(CALL, 3) + usd(190_000, 0.3));

  it('gives per-tenant profitability and segments', () => {
    expect(report.tenants.map((t) => [t.tenant, t.segment, t.plan, t.revenue_usd, t.cost_usd])).toEqual([
      ['acme', 'healthy', 'bundled', 100, acmeCost],
      ['beta', 'power_user', 'pass_through', 2, 1.5],
      [HOSTILE, 'no_revenue', 'no_revenue', 0, 0.3],
    ]);
    expect(report.tenants[0]?.margin).toBe(Math.round(((100 - acmeCost) / 100) * 1e4) / 1e4);
    expect(report.segments.find((s) => s.segment === 'power_user')).toMatchObject({ tenants: 1, margin: 0.25 });
    expect(report.portfolio.revenue_usd).toBe(102);
  });

  it('groups cohorts by plan and by first month seen', () => {
    const byPlan = report.cohorts.filter((c) => c.by === 'plan').map((c) => [c.cohort, c.tenants, c.revenue_usd, c.cost_usd, c.runs]);
    expect(byPlan).toEqual([['bundled', 1, 100, acmeCost, 56], ['no_revenue', 1, 0, 0.3, 1], ['pass_through', 1, 2, 1.5, 1]]);
    const october = report.cohorts.find((c) => c.by === 'first_month' && c.cohort === '2026-10');
    expect(october).toMatchObject({ tenants: 2, revenue_usd: 2, cost_usd: 1.8, runs: 2, margin: 0.1, cost_per_run: 0.9, cost_per_tenant: 0.9 });
    expect(report.cohorts.find((c) => c.by === 'first_month' && c.cohort === '2026-09')).toMatchObject({ tenants: 1, revenue_usd: 100 });
  });

  it('counts the savings of caching', () => {
    const input = 55 * CALL + 190_000 + CALL;
    const naive = usd(input, 3) + usd(100_000, 15);
    const actual = acmeCost + 1.5 + 0.3;
    expect(report.cache.hit_rate).toBeCloseTo(190_000 / input, 9);
    expect(report.cache.naive_usd).toBe(round6(naive));
    expect(report.cache.savings_usd).toBe(round6(naive - actual));
  });

  it('forecasts month-end spend by linear regression on daily spend and compares it with the budget', () => {
    const ys = dailySpend();
    const n = ys.length;
    const xs = ys.map((_y, i) => i + 1);
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    const sxy = xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? 0) - my), 0);
    const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    const slope = sxy / sxx;
    const intercept = my - slope * mx;
    const ssRes = xs.reduce((s, x, i) => s + ((ys[i] ?? 0) - (intercept + slope * x)) ** 2, 0);
    const ssTot = ys.reduce((s, y) => s + (y - my) ** 2, 0);
    let rest = 0;
    for (let x = 11; x <= 31; x++) rest += Math.max(0, intercept + slope * x);
    const actual = ys.reduce((s, y) => s + y, 0);
    const f = report.forecast;
    expect(f).toMatchObject({ days_used: 10, first_day: '2026-10-01', last_day: '2026-10-10', days_in_month: 31, remaining_days: 21, budget_usd: 40 });
    expect(f.slope_usd_per_day).toBeCloseTo(slope, 6);
    expect(f.intercept_usd).toBeCloseTo(intercept, 6);
    expect(f.r_squared).toBeCloseTo(1 - ssRes / ssTot, 4);
    expect(f.actual_to_date_usd).toBeCloseTo(actual, 6);
    expect(f.forecast_usd).toBeCloseTo(actual + rest, 5);
    expect(f.over_budget_usd).toBeCloseTo(actual + rest - 40, 5);
    expect(f.fitted).toContain('10 days (2026-10-01 to 2026-10-10)');
    expect(f.fitted).toContain('21 remaining days');
  });

  it('ranks the top cost drivers with last month beside them', () => {
    expect(report.drivers.map((d) => [d.route, d.model, d.cost_usd, d.previous_usd])).toEqual([
      ['triage', 'claude-sonnet-4-5', acmeCost, usd(CALL, 3)],
      ['draft', 'claude-sonnet-4-5', 1.5, 0],
      ['<b>x</b>', 'claude-sonnet-4-5', 0.3, 0],
    ]);
    expect(report.totals.previous_usd).toBe(usd(CALL, 3));
  });

  it('reads budgets from JSON and CSV, and names the bad field', () => {
    const dir = tempDir('costattr-budget-');
    const json = join(dir, 'b.json');
    const csv = join(dir, 'b.csv');
    const bad = join(dir, 'bad.csv');
    writeFileSync(json, '{"2026-10": 40, "2026-11": 45.5}');
    writeFileSync(csv, 'month,budget_usd\n2026-10,40\n');
    writeFileSync(bad, 'month,budget_usd\n2026-10,forty\n');
    expect([...readBudgetFile(json)]).toEqual([['2026-10', 40], ['2026-11', 45.5]]);
    expect([...readBudgetFile(csv)]).toEqual([['2026-10', 40]]);
    expect(() => readBudgetFile(bad)).toThrow(CostattrError);
    expect(() => readBudgetFile(bad)).toThrow(/bad\.csv:2: field budget_usd/);
  });
});
