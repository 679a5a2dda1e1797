// guard --recommend on known traffic: every limit equals the figure worked out by hand.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { parsePolicy } from '../../src/analysis/guard/policy.js';
import { recommendPolicy, type RecommendedPolicy } from '../../src/analysis/guard/recommend.js';
import { loadRevenueCsv } from '../../src/ingest/revenue/index.js';
import { tempDir } from '../helpers/cli.js';
import { daysFrom, openMonth, type Burst } from './month.js';

const OCTOBER = daysFrom('2026-10-01', 31);
const BURSTS: Burst[] = [
  ...OCTOBER.map((d) => ({ tenant: 'steady', minute: `${d} 10:00`, requests: 20 })),
  // 50 minutes with 1, 2, …, 50 calls on Oct 2
  ...Array.from({ length: 50 }, (_, k) => ({ tenant: 'mixed', minute: `2026-10-02 08:${String(k).padStart(2, '0')}`, requests: k + 1 })),
  ...OCTOBER.map((d) => ({ tenant: 'ceiled', minute: `${d} 11:00`, requests: 4 })),
];

let db: Database;
let policy: RecommendedPolicy;
beforeAll(async () => {
  db = await openMonth(BURSTS);
  const revenue = join(tempDir('guard-rec-'), 'revenue.csv');
  writeFileSync(revenue, 'tenant,month,revenue_usd,plan,ceiling_usd\nceiled,2026-10,5000,bundled,310\n');
  await loadRevenueCsv(db, revenue);
  policy = await recommendPolicy(db, { filter: { period: { since: '2026-10-01', until: '2026-11-01', timezone: 'UTC' } } });
});
afterAll(() => db.close());

describe('guard --recommend', () => {
  it('sets rate limits at 3× the p99 per-minute peak', () => {
    // steady: every active minute has 20 calls (22,000 tokens) → 60 requests, 66,000 tokens
    expect(policy.tenants.steady?.rate_limit).toMatchObject({ requests_per_minute: 60, tokens_per_minute: 66_000 });
    // mixed: minutes of 1..50 calls; p99 (linear) = 49 + 0.51 × (50 − 49) = 49.51 → ⌈148.53⌉ = 149;
    // tokens 49.51 × 1,100 = 54,461 → 163,383
    expect(policy.tenants.mixed?.rate_limit).toMatchObject({ requests_per_minute: 149, tokens_per_minute: 163_383 });
    expect(String((policy.tenants.mixed?.rate_limit as Record<string, unknown>).requests_per_minute_why)).toContain('49.51');
  });

  it('sets daily caps at 2× the contracted ceiling per day, else 2× the p95 daily spend', () => {
    // ceiled: $310 for October ÷ 31 days = $10/day → $20
    expect(policy.tenants.ceiled?.daily_cap).toMatchObject({ usd: 20 });
    expect(String((policy.tenants.ceiled?.daily_cap as Record<string, unknown>).usd_why)).toContain('$310');
    // steady: $0.09 every day → $0.18; mixed: one day of 1,275 calls × $0.0045 = $5.7375 → $11.475 → $11.48 (cent up)
    expect(policy.tenants.steady?.daily_cap).toMatchObject({ usd: 0.18 });
    expect(policy.tenants.mixed?.daily_cap).toMatchObject({ usd: 11.48 });
  });

  it('is a valid policy file', () => {
    const parsed = parsePolicy(JSON.parse(JSON.stringify(policy)), 'recommended.json');
    expect(parsed.tenants.mixed?.rate_limit?.requests_per_minute).toBe(149);
    expect(parsed.tenants.mixed?.kill_switch).toMatchObject({ z: 4, min_baseline_days: 7 });
  });
});
