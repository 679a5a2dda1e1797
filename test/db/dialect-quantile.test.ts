// The per-run cost percentiles of `costs` and `audit` on both engines: one exact-decimal form of
// quantile_cont's definition (Dialect.quantileOf) gives the same micro-dollars on both, ties on a half
// micro-dollar included (the engines' own Float64 interpolations rounded those either way).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { CLICKHOUSE, DUCKDB, type Dialect } from '../../src/db/dialect.js';
import { usdNumberSql } from '../../src/db/money.js';
import { ClickHouseEngine } from '../../src/engine/clickhouse.js';
import { tempDir } from '../helpers/cli.js';

/** Run costs as (value, how many runs cost it). */
type Sample = Array<[cost: string, runs: number]>;
const once = (...costs: string[]): Sample => costs.map((c) => [c, 1]);

const SAMPLES: Sample[] = [
  once('0.103120000000000', '0.103121000000000'), // the median is a half micro-dollar
  once('0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '2.0', '2.1'),
  once('0.000001', '0.000002', '0.000004', '0.000007', '12.345678901234567', '0.000000000000001'),
  once('3.14'),
  // seen at 10M spans: p95 of 3,109 runs, h = 2952.6, between 0.16411155 and 0.1644048:
  // 0.16411155 + 0.6 × 0.00029325 = 0.1642875 exactly, which DuckDB's quantile_cont gave as 0.164287499999999
  [['0.01', 2952], ['0.16411155', 1], ['0.1644048', 1], ['1.0', 155]],
];

const query = (dialect: Dialect, sample: Sample): string => {
  const numbers = (n: number): string => (dialect.name === 'duckdb' ? `range(${n})` : `numbers(${n})`);
  const rows = sample.map(([cost, runs]) => `SELECT CAST('${cost}' AS DECIMAL(38,15)) AS cost FROM ${numbers(runs)}`).join(' UNION ALL ');
  const sorted = `(SELECT ${dialect.sortedValues('cost')} FROM (${rows}))`;
  return `SELECT ${[0.5, 0.95, 0.99].map((p, i) => `${usdNumberSql(dialect.quantileOf(sorted, p))} AS p${i}`).join(', ')}`;
};

let duckdb: Database;
let clickhouse: ClickHouseEngine;

beforeAll(async () => {
  duckdb = await Database.open();
  clickhouse = await ClickHouseEngine.open({ kind: 'directory', dir: tempDir('costattr-quantile-') }, {}, { format: 'costattr-lake', version: 1, last_ingest_id: 0, written_at: '', tables: {} });
});

afterAll(async () => {
  duckdb.close();
  await clickhouse.close();
});

describe('quantiles: the same micro-dollars on both engines', () => {
  it.each(SAMPLES.map((s) => [s.reduce((n, [, runs]) => n + runs, 0), s] as const))('%i runs', async (_n, values) => {
    const [expected, actual] = [await duckdb.one(query(DUCKDB, values)), await clickhouse.one(query(CLICKHOUSE, values))];
    expect(actual).toEqual(expected);
  });

  it('a percentile on a half micro-dollar rounds away from zero, as money does everywhere (Float64 interpolation rounded these down)', async () => {
    for (const [dialect, engine] of [[DUCKDB, duckdb], [CLICKHOUSE, clickhouse]] as const) {
      expect((await engine.one(query(dialect, SAMPLES[0]!)))?.p0, dialect.name).toBe(0.103121);
      expect((await engine.one(query(dialect, SAMPLES[4]!)))?.p1, dialect.name).toBe(0.164288);
    }
  });
});
