// The money SQL fragments (src/db/money.ts) on a real in-memory DuckDB: sums stay exact DECIMALs
// and are rounded once, to the micro-dollar, half away from zero. Expected figures are worked out
// by hand in the comments, never read back from the code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { EXACT_USD, exactUsdSql, FEMTO_USD, USD, usdNumberSql, usdSql, usdTextSql } from '../../src/db/money.js';

let db: Database;

beforeAll(async () => {
  db = await Database.open();
  await db.exec(`CREATE TEMP TABLE costs (label VARCHAR, cost ${EXACT_USD})`);
});

afterAll(() => db.close());

/** One value of `sql` (text for DECIMALs, a number for DOUBLEs). */
async function value(sql: string, params?: Record<string, string>): Promise<unknown> {
  const row = await db.one<{ v: unknown }>(`SELECT ${sql} AS v`, params);
  return row?.v;
}

/** `usdTextSql` over the sum of exact costs given as decimal text. */
async function sumOf(costs: readonly string[]): Promise<unknown> {
  await db.exec('DELETE FROM costs');
  for (const cost of costs) await db.exec(`INSERT INTO costs VALUES ('x', CAST($cost AS ${EXACT_USD}))`, { cost });
  const row = await db.one<{ v: unknown }>(`SELECT ${usdTextSql('sum(cost)')} AS v FROM costs`);
  return row?.v;
}

describe('money SQL fragments', () => {
  it('types: exact money at 10⁻¹⁵, reported money at 10⁻⁶', async () => {
    expect(await value(`typeof(${exactUsdSql('1')})`)).toBe('DECIMAL(38,15)');
    expect(await value(`typeof(${usdSql(exactUsdSql('1'))})`)).toBe(USD);
    expect(await value(`${FEMTO_USD}::VARCHAR`)).toBe('0.000000000000001');
  });

  it('0.1 + 0.2 is exactly 0.3 (DECIMAL, not binary floating point)', async () => {
    expect(await sumOf(['0.1', '0.2'])).toBe('0.300000');
    // ten times 0.1 is 1, where doubles give 0.9999999999999999
    expect(await sumOf(Array.from({ length: 10 }, () => '0.1'))).toBe('1.000000');
    expect(await value(usdNumberSql(`${exactUsdSql("'0.1'")} + ${exactUsdSql("'0.2'")}`))).toBe(0.3);
  });

  it('a negative credit nets exactly and keeps its sign', async () => {
    // 12.345678901 − 20 + 0.000000099 = −7.654321000
    expect(await sumOf(['12.345678901', '-20', '0.000000099'])).toBe('-7.654321');
    expect(await sumOf(['-0.5'])).toBe('-0.500000');
  });

  it('1e-7 values are not lost before the final rounding', async () => {
    // each is below half a micro-dollar, yet ten of them make one micro-dollar
    expect(await sumOf(Array.from({ length: 10 }, () => '0.0000001'))).toBe('0.000001');
    expect(await sumOf(['0.0000001'])).toBe('0.000000');
    // femto-dollar costs survive a sum of a thousand spans: 1000 × 1e-15 = 1e-12, still exact
    const row = await db.one<{ v: string }>(
      `SELECT sum(c)::VARCHAR AS v FROM (SELECT ${exactUsdSql(`${FEMTO_USD} * 1`)} AS c FROM range(1000))`,
    );
    expect(row?.v).toBe('0.000000000001000');
  });

  it('rounds to the micro-dollar half away from zero (not half to even)', async () => {
    expect(await value(usdTextSql(exactUsdSql("'0.0000005'")))).toBe('0.000001');
    expect(await value(usdTextSql(exactUsdSql("'0.0000025'")))).toBe('0.000003'); // half-even would give 0.000002
    expect(await value(usdTextSql(exactUsdSql("'-0.0000025'")))).toBe('-0.000003');
    expect(await value(usdTextSql(exactUsdSql("'0.000000499999999'")))).toBe('0.000000');
    expect(await value(usdTextSql(exactUsdSql("'1234567.8912345'")))).toBe('1234567.891235');
  });

  it('the number form is the double of the rounded text', async () => {
    expect(await value(usdNumberSql(exactUsdSql("'0.0125464'")))).toBe(0.012546);
    expect(await value(usdNumberSql(exactUsdSql("'-3.0000005'")))).toBe(-3.000001);
    expect(await value(usdNumberSql(exactUsdSql("'98765432.123456789'")))).toBe(98765432.123457);
  });

  it('accepts a DOUBLE estimate too, rounded the same way', async () => {
    expect(await value(usdTextSql('CAST(0.1 AS DOUBLE) + CAST(0.2 AS DOUBLE)'))).toBe('0.300000');
    expect(await value(`typeof(${usdSql('CAST(1.5 AS DOUBLE)')})`)).toBe(USD);
  });
});
