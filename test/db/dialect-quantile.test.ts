// The per-run cost percentiles of `costs` and `audit` on both engines: DuckDB's quantile_cont and the
// ClickHouse dialect's exact-decimal form of it give the same micro-dollars, ties on a half
// micro-dollar included (the Float64 quantileExactInclusive rounded those the other way).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { CLICKHOUSE, DUCKDB, type Dialect } from '../../src/db/dialect.js';
import { usdNumberSql } from '../../src/db/money.js';
import { ClickHouseEngine } from '../../src/engine/clickhouse.js';
import { tempDir } from '../helpers/cli.js';

const SAMPLES: string[][] = [
  ['0.103120000000000', '0.103121000000000'], // the median is a half micro-dollar
  ['0.1', '0.2', '0.3', '0.4', '0.5', '0.6', '0.7', '0.8', '0.9', '1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '2.0', '2.1'],
  ['0.000001', '0.000002', '0.000004', '0.000007', '12.345678901234567', '0.000000000000001'],
  ['3.14'],
];

const query = (dialect: Dialect, values: string[]): string => {
  const rows = values.map((v) => `SELECT CAST('${v}' AS DECIMAL(38,15)) AS cost`).join(' UNION ALL ');
  return `SELECT ${[0.5, 0.95, 0.99].map((p, i) => `${usdNumberSql(dialect.quantile('cost', p))} AS p${i}`).join(', ')} FROM (${rows})`;
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
  it.each(SAMPLES.map((s) => [s.length, s] as const))('%i runs', async (_n, values) => {
    const [expected, actual] = [await duckdb.one(query(DUCKDB, values)), await clickhouse.one(query(CLICKHOUSE, values))];
    expect(actual).toEqual(expected);
  });

  it('the half micro-dollar median rounds away from zero, as money does everywhere', async () => {
    expect((await clickhouse.one(query(CLICKHOUSE, SAMPLES[0]!)))?.p0).toBe(0.103121);
  });
});
