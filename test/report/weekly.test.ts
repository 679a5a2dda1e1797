// report weekly on two hand-made weeks (2026-W41 = Oct 5–11 against Sep 28–Oct 4): cost per run and
// per successful outcome, model mix shift, prompt length trend and margin movement, figured here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeekOf, isoWeekStart } from '../../src/analysis/report/dates.js';
import { weeklyReport, type WeeklyReport } from '../../src/analysis/report/weekly.js';
import type { Database } from '../../src/db/database.js';
import { weeklyView } from '../../src/render/report-weekly.js';
import { MINI, openReportDb, usd, type Span } from './fixture.js';

const round6 = (n: number) => Math.round(n * 1e6) / 1e6;

function spans(): Span[] {
  return [
    // triage (acme): 2 runs of 100k input the week before, 1 success; 4 runs of 150k this week, 3 successes
    { trace: 'p1', start: '2026-09-29 10:00:00', tenant: 'acme', route: 'triage', input: 100_000, outcome: 'success' },
    { trace: 'p2', start: '2026-10-02 10:00:00', tenant: 'acme', route: 'triage', input: 100_000, outcome: 'failure' },
    { trace: 'n1', start: '2026-10-05 10:00:00', tenant: 'acme', route: 'triage', input: 150_000, outcome: 'Success' },
    { trace: 'n2', start: '2026-10-06 10:00:00', tenant: 'acme', route: 'triage', input: 150_000, outcome: 'ok' },
    { trace: 'n3', start: '2026-10-07 10:00:00', tenant: 'acme', route: 'triage', input: 150_000, outcome: 'resolved' },
    { trace: 'n4', start: '2026-10-11 23:59:00', tenant: 'acme', route: 'triage', input: 150_000, outcome: 'failed' },
    // draft (beta): no outcome tags; moved from Sonnet ($1.50) to gpt-4.1-mini ($0.16)
    { trace: 'd1', start: '2026-10-01 10:00:00', tenant: 'beta', route: 'draft', output: 100_000 },
    { trace: 'd2', start: '2026-10-06 10:00:00', tenant: 'beta', route: 'draft', output: 100_000, model: MINI },
    // outside both weeks
    { trace: 'x1', start: '2026-10-12 00:00:00', tenant: 'acme', route: 'triage', input: 150_000, outcome: 'success' },
  ];
}

const REVENUE = ['acme,2026-09,30,bundled', 'acme,2026-10,31,bundled', 'beta,2026-09,3,pass_through', 'beta,2026-10,3.1,pass_through'];

describe('report weekly', () => {
  let db: Database;
  let report: WeeklyReport;
  beforeAll(async () => {
    db = await openReportDb(spans(), REVENUE);
    report = await weeklyReport(db, { since: isoWeekStart('2026-W41'), timezone: 'UTC' });
  });
  afterAll(() => db.close());

  it('reads ISO weeks', () => {
    expect(isoWeekStart('2026-W41')).toBe('2026-10-05');
    expect(isoWeekStart('2026-W01')).toBe('2025-12-29');
    expect(isoWeekOf('2027-01-01')).toBe('2026-W53');
    expect(report.week).toBe('2026-W41');
    expect(report.totals.cost_usd).toBe(round6(4 * usd(150_000, 3) + usd(100_000, 1.6)));
    expect(report.totals.previous_usd).toBe(round6(2 * usd(100_000, 3) + usd(100_000, 15)));
  });

  it('names the outcome tag as the data does: the namespace the ingest resolved', async () => {
    const note = (r: WeeklyReport) => weeklyView(r, { full: true }).tables.find((t) => t.title === 'Cost per outcome by route')?.notes[0];
    expect(report.outcome_attribute).toBeNull(); // spans inserted without an ingest record
    expect(note(report)).toBe('a success is a run whose outcome tag says so (success, ok, resolved, …)');
    await db.exec(`INSERT INTO ingests VALUES (901, 'spans.jsonl', 'otlp', TIMESTAMP '2026-10-12 00:00:00', 1, 1, 0, 0, 'acme', NULL)`);
    const tagged = await weeklyReport(db, { since: isoWeekStart('2026-W41'), timezone: 'UTC' });
    await db.exec(`DELETE FROM ingests WHERE ingest_id = 901`);
    expect(tagged.outcome_attribute).toBe('acme.outcome');
    expect(note(tagged)).toBe('a success is a run whose acme.outcome tag says so (success, ok, resolved, …)');
  });

  it('gives cost per run and per successful outcome by route, week over week', () => {
    const triage = report.outcomes.find((o) => o.route === 'triage');
    expect(triage).toMatchObject({
      runs: 4,
      cost_per_run: usd(150_000, 3),
      previous_runs: 2,
      previous_cost_per_run: usd(100_000, 3),
      cost_per_run_change: 0.5,
      successes: 3,
      cost_per_success: round6((4 * usd(150_000, 3)) / 3),
      previous_successes: 1,
      previous_cost_per_success: round6(2 * usd(100_000, 3)),
      cost_per_success_change: 0,
    });
    const draft = report.outcomes.find((o) => o.route === 'draft');
    expect(draft).toMatchObject({ runs: 1, cost_per_run: usd(100_000, 1.6), previous_cost_per_run: usd(100_000, 15), successes: null, cost_per_success: null });
    expect(draft?.cost_per_run_change).toBeCloseTo(0.16 / 1.5 - 1, 6);
  });

  it('shows the model mix shift in calls and spend', () => {
    const spend = 4 * usd(150_000, 3) + usd(100_000, 1.6);
    const sonnet = report.model_mix.find((m) => m.model === 'claude-sonnet-4-5');
    const mini = report.model_mix.find((m) => m.model === MINI);
    expect(sonnet).toMatchObject({ calls: 4, call_share: 0.8, previous_call_share: 1, previous_spend_share: 1, call_share_shift: -0.2 });
    expect(sonnet?.spend_share).toBeCloseTo(1.8 / spend, 6);
    expect(mini).toMatchObject({ calls: 1, call_share: 0.2, previous_call_share: 0, previous_spend_share: 0 });
    expect(mini?.spend_share_shift).toBeCloseTo(0.16 / spend, 6);
  });

  it('trends prompt length per route over four weeks', () => {
    const triage = report.prompt_trend.find((p) => p.route === 'triage');
    expect(triage?.weeks.map((w) => [w.since, w.calls, w.avg_prompt_tokens])).toEqual([
      ['2026-09-14', 0, null], ['2026-09-21', 0, null], ['2026-09-28', 2, 100_000], ['2026-10-05', 4, 150_000],
    ]);
    expect(triage?.change).toBe(0.5);
  });

  it('finds the tenants whose margin moved most, revenue prorated by day', () => {
    // acme earns $1/day in both months; beta $0.10/day. The week before has 3 September and 4 October days.
    const margin = (revenue: number, cost: number) => (revenue - cost) / revenue;
    const acme = margin(7, 1.8) - margin(7, 0.6);
    const beta = margin(0.7, 0.16) - margin(0.7, 1.5);
    expect(report.margin_moves?.map((m) => [m.tenant, m.change])).toEqual([
      ['beta', Math.round(beta * 1e4) / 1e4],
      ['acme', Math.round(acme * 1e4) / 1e4],
    ]);
    expect(report.margin_moves?.[1]).toMatchObject({ revenue_usd: 7, cost_usd: 1.8, previous_revenue_usd: 7, previous_cost_usd: 0.6 });
  });
});
