// guard --policy on a month made to order: expected blocks, pauses and savings worked out by hand
// from the call price ($0.0045 = 1,000 × $3/M + 100 × $15/M for claude-sonnet-4-5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { parsePolicy } from '../../src/analysis/guard/policy.js';
import { replayGuard } from '../../src/analysis/guard/replay.js';
import type { GuardResult } from '../../src/analysis/guard/types.js';
import { daysFrom, openMonth, type Burst } from './month.js';

const CALL_USD = 0.0045;
const OCTOBER = daysFrom('2026-10-01', 31);
const daily = (tenant: string, days: readonly string[], requests: number, at = '10:00'): Burst[] =>
  days.map((d) => ({ tenant, minute: `${d} ${at}`, requests }));

const BURSTS: Burst[] = [
  ...daily('steady', OCTOBER, 20),
  // 10 calm days of 20 calls, a 6× loop day (120 calls) on Oct 11, then calm again
  ...daily('runaway', OCTOBER.slice(0, 10), 20), { tenant: 'runaway', minute: '2026-10-11 10:00', requests: 120 }, ...daily('runaway', OCTOBER.slice(11), 20),
  // the same spike after only 3 calm days: the baseline is too short for the kill switch
  ...daily('shortbase', OCTOBER.slice(0, 3), 20), { tenant: 'shortbase', minute: '2026-10-04 10:00', requests: 120 }, ...daily('shortbase', OCTOBER.slice(4), 20),
  // 5 calls a day, and 25 in one minute on Oct 15
  ...daily('burst', OCTOBER, 5), { tenant: 'burst', minute: '2026-10-15 14:00', requests: 25 },
  // 10 calls a day under a $0.05 cap, 30 on Oct 20
  ...daily('capper', OCTOBER.filter((d) => d !== '2026-10-20'), 10, '09:00'), { tenant: 'capper', minute: '2026-10-20 09:00', requests: 30 },
  // one day of 10 Opus 4.1 calls ($0.0225 each) with a fallback to Sonnet 4.5 at half of a $0.10 cap
  { tenant: 'fallback', minute: '2026-10-05 08:00', requests: 10, model: 'claude-opus-4-1' },
];

const POLICY = parsePolicy({
  defaults: { rate_limit: { requests_per_minute: 1000 }, kill_switch: { z: 4, min_baseline_days: 7 } },
  tenants: {
    burst: { rate_limit: { requests_per_minute: 10 } },
    capper: { daily_cap: { usd: 0.05 } },
    fallback: { daily_cap: { usd: 0.1 }, degrade: [{ at_share: 0.5, action: 'fallback', model_map: { 'claude-opus-4-1': 'claude-sonnet-4-5' } }] },
  },
}, 'policy.json');

let db: Database;
let result: GuardResult;
beforeAll(async () => {
  db = await openMonth(BURSTS);
  result = await replayGuard(db, { filter: { period: { since: '2026-10-01', until: '2026-11-01', timezone: 'UTC' } }, policy: POLICY, policyFile: 'policy.json' });
});
afterAll(() => db.close());

const tenant = (name: string) => result.tenants.find((t) => t.tenant === name);
const eventsOf = (name: string) => result.events.filter((e) => e.tenant === name);

describe('guard replay', () => {
  it('pauses the runaway tenant on its loop day after 10 calm days, saving the calls after the trip point', () => {
    // baseline: 10 days × 20 × $0.0045 = $0.09/day, flat → sd_used = 0.75 × 0.09 = $0.0675;
    // trip = 0.09 + 4 × 0.0675 = $0.36 = 80 calls; call 81 (10:01:20) onwards is paused: 40 calls
    const events = eventsOf('runaway');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ time: '2026-10-11T10:01:20', rule: 'kill_switch', action: 'pause', observed: 4, limit: 4, requests: 40, severity: 'critical' });
    const t = tenant('runaway');
    expect(t?.requests_blocked).toBe(40);
    expect(t?.blocked_usd).toBeCloseTo(40 * CALL_USD, 9);
    expect(t?.saved_usd).toBeCloseTo(0.18, 9);
    expect(t?.false_positive_days).toEqual([]);
  });

  it('does not pause the same spike after only 3 days of baseline', () => {
    expect(eventsOf('shortbase')).toEqual([]);
    expect(tenant('shortbase')?.saved_usd).toBe(0);
  });

  it('never fires on a steady tenant (no false positives)', () => {
    expect(eventsOf('steady')).toEqual([]);
    expect(tenant('steady')).toMatchObject({ requests: 31 * 20, requests_blocked: 0, events: 0, false_positive_days: [] });
  });

  it('answers a burst past 10 requests a minute with 429s until the minute ends', () => {
    // 25 calls in 14:00 → calls 11..25 blocked; the first blocked one is at 14:00:10 → retry after 50 s
    expect(eventsOf('burst')).toEqual([expect.objectContaining({
      time: '2026-10-15T14:00:10', rule: 'rate_limit', action: '429', observed: 25, limit: 10, unit: 'requests/min', retry_after_s: 50, requests: 15,
    })]);
    expect(tenant('burst')).toMatchObject({ requests_blocked: 15, days_fired: ['2026-10-15'], false_positive_days: [] });
    expect(tenant('burst')?.blocked_usd).toBeCloseTo(15 * CALL_USD, 9);
  });

  it('tightens the capped tenant at the call after its spend reaches the cap', () => {
    // spend before call k = (k−1) × 0.0045 ≥ 0.05 first at k = 13 (09:00:12, $0.054): calls 13..30 blocked
    expect(eventsOf('capper')).toEqual([expect.objectContaining({
      time: '2026-10-20T09:00:12', rule: 'daily_cap', action: 'tighten', observed: 0.054, limit: 0.05, requests: 18, severity: 'critical',
    })]);
    expect(tenant('capper')?.saved_usd).toBeCloseTo(18 * CALL_USD, 9);
  });

  it('falls back to the cheaper model from half the cap, saving the repriced difference', () => {
    // Opus 4.1: 1000 × $15/M + 100 × $75/M = $0.0225; Sonnet 4.5: $0.0045. Spend before call k = (k−1) × 0.0225 ≥ 0.05
    // first at k = 4; calls 4..10 are served by Sonnet (spend ends at 0.0675 + 7 × 0.0045 = $0.099 < cap)
    expect(eventsOf('fallback')).toEqual([expect.objectContaining({
      time: '2026-10-05T08:00:03', rule: 'daily_cap', action: 'degrade', step: 'fallback', observed: 0.0675, limit: 0.05, requests: 7,
    })]);
    expect(tenant('fallback')).toMatchObject({ requests_degraded: 7, requests_blocked: 0, blocked_usd: 0 });
    expect(tenant('fallback')?.saved_usd).toBeCloseTo(7 * (0.0225 - 0.0045), 9);
    expect(tenant('fallback')?.guarded_usd).toBeCloseTo(0.099, 9);
  });

  it('totals the tenants', () => {
    const blocked = (40 + 15 + 18) * CALL_USD;
    expect(result.blocked_usd).toBeCloseTo(blocked, 6);
    expect(result.saved_usd).toBeCloseTo(blocked + 7 * 0.018, 6);
    expect(result.critical_events).toBe(2);
  });
});
