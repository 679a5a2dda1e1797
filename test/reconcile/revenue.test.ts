// The revenue loader's plans, markups and header variants, and the exact unattributed split.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { shareUnattributed } from '../../src/analysis/share-unattributed.js';
import { loadRevenueCsv } from '../../src/ingest/revenue/index.js';
import { tempDir } from '../helpers/cli.js';

let db: Database | undefined;
afterEach(() => db?.close());

async function load(lines: readonly string[]): Promise<Array<Record<string, unknown>>> {
  const path = join(tempDir('costattr-rev-'), 'revenue.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  db = await Database.open({});
  await loadRevenueCsv(db, path);
  return db.all(`SELECT tenant, revenue_usd::VARCHAR AS revenue, plan, markup::VARCHAR AS markup, ceiling_usd::VARCHAR AS ceiling FROM revenue ORDER BY tenant`);
}

describe('revenue plans and markups', () => {
  it('reads a markup as a fraction or a percentage; a markup with no plan is pass_through; free reads as revenue 0', async () => {
    const rows = await load([
      'tenant,month,revenue_usd,plan,markup,ceiling_usd',
      'a,2026-10,100,pass-through,0.2,',
      'b,2026-10,50,,12.5%,80',
      'c,2026-10,,free,,',
      'd,2026-10,10,Outcome Based,,',
    ]);
    expect(rows).toEqual([
      { tenant: 'a', revenue: '100.000000', plan: 'pass_through', markup: '0.200000', ceiling: null },
      { tenant: 'b', revenue: '50.000000', plan: 'pass_through', markup: '0.125000', ceiling: '80.000000' },
      { tenant: 'c', revenue: '0.000000', plan: 'free', markup: null, ceiling: null },
      { tenant: 'd', revenue: '10.000000', plan: 'outcome_based', markup: null, ceiling: null },
    ]);
  });

  it('finds columns by header variant', async () => {
    const rows = await load(['Account ID,Billing Month,MRR (USD),Plan Type,markup_pct', 'a,2026-10,99.5,pass_through,150']);
    expect(rows).toEqual([{ tenant: 'a', revenue: '99.500000', plan: 'pass_through', markup: '1.500000', ceiling: null }]);
  });

  it.each([
    [['tenant,month,revenue_usd,plan,markup', 'a,2026-10,100,pass_through,20'], /row 1: field markup: .*0\.2 or 20%.* got 20/],
    [['tenant,month,revenue_usd,plan,markup', 'a,2026-10,100,bundled,0.2'], /row 1: field markup: .*pass_through plans only, not bundled/],
    [['tenant,month,revenue_usd,plan,markup', 'a,2026-10,100,pass_through,-5%'], /row 1: field markup/],
    [['tenant,month,revenue_usd,plan', 'a,2026-10,5,free'], /row 1: field revenue_usd: a free plan has no revenue/],
    [['tenant,month,revenue_usd,plan', 'a,2026-10,,bundled'], /row 1: field revenue_usd: expected a non-negative amount/],
    [['tenant,customer,month,revenue_usd', 'a,b,2026-10,1'], /:1: field tenant: columns tenant and customer both read as tenant/],
  ])('refuses %j', async (lines, message) => {
    await expect(load(lines)).rejects.toThrow(message);
  });
});

describe('shareUnattributed', () => {
  const spend = new Map([['a', 3n], ['b', 3n], ['c', 3n], ['idle', 0n]]);

  it('none shares nothing; tenants without spend never receive a share', () => {
    expect(shareUnattributed(100n, spend, 'none').size).toBe(0);
    expect(shareUnattributed(100n, spend, 'even').has('idle')).toBe(false);
  });

  it('one micro-dollar over three equal tenants goes to the first by name', () => {
    expect(Object.fromEntries(shareUnattributed(1n, spend, 'proportional'))).toEqual({ a: 1n, b: 0n, c: 0n });
  });

  it('always sums to the unattributed amount exactly', () => {
    const weights = new Map(Array.from({ length: 13 }, (_, i) => [`t${i}`, BigInt((i * 7919) % 1000 + 1)] as const));
    for (const amount of [1n, 12n, 999_999n, 123_456_789_012n]) {
      for (const mode of ['proportional', 'even'] as const) {
        const shares = shareUnattributed(amount, weights, mode);
        expect([...shares.values()].reduce((s, v) => s + v, 0n)).toBe(amount);
      }
    }
  });
});
