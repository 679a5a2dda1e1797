// Revenue plans, segments, --share-unattributed and the pass-through bill on hand-made spans.
// Every span is Claude Haiku 4.5 output at $5 per MTok, so 1,000,000 output tokens cost $5 exactly;
// the expected figures below are worked out by hand in the comments.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { tenantMargins, type MarginReport, type TenantMargin } from '../../src/analysis/margins.js';
import { passThroughBill } from '../../src/analysis/pass-through-bill.js';
import { loadRevenueCsv } from '../../src/ingest/revenue/index.js';
import { tempDir } from '../helpers/cli.js';
import { insertToolCalls, openReconcileDb, type Span } from './setup.js';

const HAIKU = 'claude-haiku-4-5-20251001';
const MONTH = '2026-10';
const at = (day: number) => `2026-10-${String(day).padStart(2, '0')} 10:00:00`;
const span = (id: string, tenant: string | null, output: number, trace?: string): Span => ({ id, trace, tenant, provider: 'anthropic', model: HAIKU, start: at(3), output });

// attributed spend: tA $5, tP $10, tQ $10 + $1 (a small loop trace) = $11, tR $5 + $20 (loop trace) = $25,
// tF $20, tG $1, tX $5 → $77; unattributed 1,000,003 tokens = $5.000015.
const SPANS: Span[] = [
  span('a1', 'tA', 1_000_000),
  span('p1', 'tP', 2_000_000),
  span('q1', 'tQ', 2_000_000),
  span('q2', 'tQ', 200_000, 'qL'),
  span('r1', 'tR', 1_000_000),
  span('r2', 'tR', 4_000_000, 'rL'),
  span('f1', 'tF', 4_000_000),
  span('g1', 'tG', 200_000),
  span('x1', 'tX', 1_000_000),
  span('u1', null, 1_000_003),
];

// header variants: Customer ID → tenant, Revenue → revenue_usd, Markup % → markup (bare numbers are percent), Ceiling → ceiling_usd
const REVENUE_CSV = [
  'Customer ID,Month,Revenue,Plan,Markup %,Ceiling',
  'tA,2026-10,100,bundled,,',
  'tP,2026-10,20,bundled,,',
  'tQ,2026-10,20,outcome-based,,',
  'tR,2026-10,40,bundled,,500',
  'tF,2026-10,,free,,',
  'tG,2026-10,0,Free,,',
  'tX,2026-10,30,,20,',
].join('\n');

async function openMarginDb(): Promise<Database> {
  const db = await openReconcileDb(SPANS, []);
  // same tool, same arguments once digits and whitespace are normalised: a loop of 5
  const loop = (n: number) => Array.from({ length: 5 }, (_, i) => `{"q": "weather", "attempt": ${i + n}}`);
  await insertToolCalls(db, { trace: 'rL', tenant: 'tR', start: at(3), tool: 'search', args: loop(1) });
  await insertToolCalls(db, { trace: 'qL', tenant: 'tQ', start: at(3), tool: 'search', args: loop(10) });
  const path = join(tempDir('costattr-rev-'), 'revenue.csv');
  writeFileSync(path, `${REVENUE_CSV}\n`);
  await loadRevenueCsv(db, path);
  return db;
}

let db: Database | undefined;
afterEach(() => db?.close());

const byTenant = (m: MarginReport): Record<string, TenantMargin> => Object.fromEntries(m.tenants.map((t) => [t.tenant, t]));
const micro = (usd: string) => BigInt(usd.replace('.', ''));

describe('margins and segments', () => {
  it('segments every plan by the documented rule, and segments + unattributed = portfolio', async () => {
    db = await openMarginDb();
    const m = await tenantMargins(db, { month: MONTH });
    const t = byTenant(m);
    expect(Object.fromEntries(m.tenants.map((x) => [x.tenant, x.segment]))).toEqual({
      tA: 'healthy', // (100 − 5) / 100 = 95%
      tP: 'power_user', // (20 − 10) / 20 = 50%, no loop
      tQ: 'power_user', // (20 − 11) / 20 = 45%, loop traces carry $1 of $11 (9%) < half
      tR: 'runaway', // (40 − 25) / 40 = 37.5%, loop traces carry $20 of $25 (80%)
      tF: 'free_tier_drain', // free plan, $20 > $10
      tG: 'healthy', // free plan within the $10 allowance
      tX: 'healthy', // (30 − 5) / 30 = 83.3%
    });
    expect(t.tR).toMatchObject({ cost_usd: '25.000000', loop_traces: 1, loop_calls: 5, loop_cost_usd: '20.000000' });
    expect(t.tR?.margin).toBeCloseTo(0.375, 12);
    expect(t.tF).toMatchObject({ revenue_usd: '0.000000', cost_usd: '20.000000', plan: 'free', margin: null });
    expect(t.tQ?.plan).toBe('outcome_based');
    expect(t.tX).toMatchObject({ plan: 'pass_through', markup: '0.200000' });
    const seg = Object.fromEntries(m.segments.map((s) => [s.segment, s]));
    expect(seg.healthy).toMatchObject({ tenants: 3, revenue_usd: '130.000000', cost_usd: '11.000000' });
    expect(seg.power_user).toMatchObject({ tenants: 2, revenue_usd: '40.000000', cost_usd: '21.000000', margin: 19 / 40 });
    expect(seg.runaway).toMatchObject({ tenants: 1, revenue_usd: '40.000000', cost_usd: '25.000000' });
    expect(seg.free_tier_drain).toMatchObject({ tenants: 1, revenue_usd: '0.000000', cost_usd: '20.000000', margin: null });
    expect(m).toMatchObject({ unattributed_usd: '5.000015', unallocated_usd: '5.000015', share: 'none' });
    expect(m.portfolio).toMatchObject({ revenue_usd: '210.000000', cost_usd: '82.000015' });
    expect(m.portfolio.margin).toBeCloseTo((210 - 82.000015) / 210, 12);
  });

  it('a higher free-tier allowance keeps the free tenant healthy', async () => {
    db = await openMarginDb();
    const m = await tenantMargins(db, { month: MONTH, freeTierDrainUsd: 25 });
    expect(byTenant(m).tF?.segment).toBe('healthy');
  });

  it('--share-unattributed proportional: $5.000015 split by attributed spend ($77), exact to the micro-dollar', async () => {
    db = await openMarginDb();
    const m = await tenantMargins(db, { month: MONTH, share: 'proportional' });
    // 5,000,015 µ$ × spend / 77: floors tA 324,676 r23, tP 649,352 r46, tQ 714,287 r66, tR 1,623,381 r38,
    // tF 1,298,705 r15, tG 64,935 r20, tX 324,676 r23 (/77); 3 µ$ left go to the largest remainders tQ, tP, tR.
    const shares = Object.fromEntries(m.tenants.map((x) => [x.tenant, x.shared_usd]));
    expect(shares).toEqual({ tA: '0.324676', tP: '0.649353', tQ: '0.714288', tR: '1.623382', tF: '1.298705', tG: '0.064935', tX: '0.324676' });
    expect(m.tenants.reduce((s, x) => s + micro(x.shared_usd), 0n)).toBe(5_000_015n);
    expect(byTenant(m).tR?.cost_usd).toBe('26.623382');
    expect(m.unallocated_usd).toBe('0.000000');
    // the tenants now carry the whole portfolio cost, and the segments add up to it
    expect(m.tenants.reduce((s, x) => s + micro(x.cost_usd), 0n)).toBe(82_000_015n);
    expect(m.segments.reduce((s, x) => s + micro(x.cost_usd), 0n)).toBe(82_000_015n);
    expect(m.portfolio.cost_usd).toBe('82.000015');
    expect(byTenant(m).tA?.margin).toBeCloseTo((100 - 5.324676) / 100, 12);
  });

  it('--share-unattributed even: equal shares across the 7 tenants with spend, leftovers by spend then name', async () => {
    db = await openMarginDb();
    const m = await tenantMargins(db, { month: MONTH, share: 'even' });
    // 5,000,015 / 7 = 714,287 r6: six tenants get one more micro-dollar, by spend: tR, tF, tQ, tP, then tA before tX (name)
    const shares = Object.fromEntries(m.tenants.map((x) => [x.tenant, x.shared_usd]));
    expect(shares).toEqual({ tA: '0.714288', tP: '0.714288', tQ: '0.714288', tR: '0.714288', tF: '0.714288', tG: '0.714287', tX: '0.714288' });
    expect(m.tenants.reduce((s, x) => s + micro(x.cost_usd), 0n)).toBe(82_000_015n);
  });

  it('the pass-through bill is cost × (1 + markup), with the shared cost when shared', async () => {
    db = await openMarginDb();
    expect(passThroughBill(await tenantMargins(db, { month: MONTH }))).toEqual([
      { tenant: 'tX', month: MONTH, cost_usd: '5.000000', markup: '0.2', bill_usd: '6.000000' },
    ]);
    // 5.324676 × 1.2 = 6.3896112 → 6.389611
    expect(passThroughBill(await tenantMargins(db, { month: MONTH, share: 'proportional' }))).toEqual([
      { tenant: 'tX', month: MONTH, cost_usd: '5.324676', markup: '0.2', bill_usd: '6.389611' },
    ]);
  });
});
