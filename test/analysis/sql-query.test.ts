import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { runReadQuery } from '../../src/analysis/sql-query.js';
import { SPAN_COLUMN_NAMES } from '../../src/db/schema.js';
import { openWithSpans } from './fixture-db.js';

let db: Database;
beforeAll(async () => {
  db = await openWithSpans([{ trace: 't', span: 's', model: 'claude-sonnet-4-5', tenant: 'acme', input: 1000, output: 100 }]);
});
afterAll(() => db.close());

describe('sql', () => {
  it('runs a read query over priced_spans, values lossless', async () => {
    const result = await runReadQuery(db, 'SELECT tenant, input_tokens, cost_usd FROM priced_spans');
    expect(result.columns).toEqual([
      { name: 'tenant', type: 'VARCHAR' }, { name: 'input_tokens', type: 'BIGINT' }, { name: 'cost_usd', type: 'DECIMAL(38,15)' },
    ]);
    // 1000 × $3/MTok + 100 × $15/MTok = $0.0045
    expect(result.rows).toEqual([['acme', '1000', '0.004500000000000']]);
  });

  it('accepts WITH, DESCRIBE and SHOW', async () => {
    await expect(runReadQuery(db, 'WITH x AS (SELECT 1 AS a) SELECT * FROM x')).resolves.toMatchObject({ rows: [[1]] });
    expect((await runReadQuery(db, 'DESCRIBE spans')).rows.map((r) => r[0])).toEqual(SPAN_COLUMN_NAMES);
    // the canonical views the sql command documents are all there
    expect((await runReadQuery(db, 'SHOW TABLES')).rows.map((r) => r[0])).toEqual(expect.arrayContaining(['ingests', 'model_aliases', 'priced_spans', 'prices', 'spans']));
  });

  it('rejects writes, several statements and syntax errors as usage errors', async () => {
    await expect(runReadQuery(db, 'DELETE FROM spans')).rejects.toThrow(/only read queries/);
    await expect(runReadQuery(db, 'SELECT 1; DROP TABLE spans')).rejects.toThrow(/2 statements/);
    await expect(runReadQuery(db, 'SELEC 1')).rejects.toMatchObject({ code: 'BAD_USAGE' });
    expect((await runReadQuery(db, 'SELECT count(*) AS n FROM spans')).rows).toEqual([['1']]);
  });
});
