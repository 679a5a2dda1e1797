// report weekly's prompt trend and outcomes read the calls (the spans `priced_spans` prices) straight from
// `spans`, without pricing them: tool spans of the same runs, on the same route and on a route of their
// own, are not calls, and the figures are the calls' own, computed here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomesByRoute } from '../../src/analysis/report/outcomes.js';
import { promptTrend } from '../../src/analysis/report/prompt-length.js';
import type { Database } from '../../src/db/database.js';
import { openReportDb, type Span } from './fixture.js';

const WEEK = { since: '2026-10-05', until: '2026-10-12', timezone: 'UTC' };

function spans(): Span[] {
  const rows: Span[] = [];
  // triage: one call a day for the four weeks to 2026-10-12, input growing week by week; each run also calls a tool
  for (let day = 0; day < 28; day++) {
    const start = new Date(Date.UTC(2026, 8, 14 + day, 10)).toISOString().slice(0, 19).replace('T', ' ');
    const trace = `t${day}`;
    rows.push({ trace, start, tenant: 'acme', route: 'triage', input: 1000 * (1 + Math.floor(day / 7)), ...(day >= 21 && day % 2 === 0 ? { outcome: 'success' } : {}) });
    rows.push({ trace, start, tenant: 'acme', route: 'triage', tool: { name: 'search', args: '{}' } });
    // a tool span on a route no call has, in the same run
    rows.push({ trace, start, tenant: 'acme', route: 'tools-only', tool: { name: 'fetch', args: '{}' } });
  }
  return rows;
}

describe('the calls of report weekly, read from spans', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openReportDb(spans());
  });
  afterAll(() => db.close());

  it('prompt trend: calls and average prompt per week are the calls alone', async () => {
    const trend = await promptTrend(db, WEEK);
    expect(trend.map((t) => t.route)).toEqual(['triage']);
    expect(trend[0]?.weeks.map((w) => [w.since, w.calls, w.avg_prompt_tokens])).toEqual([
      ['2026-09-14', 7, 1000], ['2026-09-21', 7, 2000], ['2026-09-28', 7, 3000], ['2026-10-05', 7, 4000],
    ]);
    expect(trend[0]?.change).toBe(0.3333);
  });

  it('outcomes: runs with an outcome tag per route of their calls', async () => {
    const outcomes = await outcomesByRoute(db, WEEK);
    expect([...outcomes]).toEqual([['triage', { tagged: 3, successes: 3 }]]);
  });
});
