// Readers in parallel (issue 16.4): read commands open --db read-only, so several run at once on the
// same file (here two CLI reads side by side while this process holds a third read-only handle), each
// with the full figures; a read that meets an ingest (a read-write holder) gets the clear "in use"
// refusal, exit 2.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeLines } from '../ingest/otlp-builder.js';

const dir = tempDir('costattr-readers-');
const db = join(dir, 'costs.duckdb');
const INPUTS = [100, 250, 4000];

const countSql = 'SELECT count(*) AS spans, sum(input_tokens)::INTEGER AS input FROM spans';

describe('readers in parallel', () => {
  beforeAll(async () => {
    const spans = writeLines(dir, 'spans.jsonl', INPUTS.map((input, i) => JSON.stringify({
      trace_id: `t${i}`, span_id: `s${i}`, operation: 'chat', request_model: 'gpt-4o', input_tokens: input, output_tokens: 1, tenant: `tenant-${i}`, start_time: '2026-01-01T00:00:00Z',
    })));
    const result = await runCli(['ingest', '--db', db, '--quiet', spans]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('two read commands run at once beside a third reader, each seeing every span', async () => {
    const holder = await Database.open({ path: db, readOnly: true });
    try {
      const [sql, costs] = await Promise.all([
        runCli(['sql', '--db', db, '--format', 'json', countSql]),
        runCli(['costs', '--db', db, '--by', 'tenant', '--format', 'json']),
      ]);
      expect(sql.code, sql.stderr).toBe(0);
      expect(costs.code, costs.stderr).toBe(0);
      expect(sql.stdout).toMatch(new RegExp(`"spans":\\s*"?${INPUTS.length}"?`));
      expect(sql.stdout).toMatch(new RegExp(`"input":\\s*"?${INPUTS.reduce((a, b) => a + b, 0)}"?`));
      for (let i = 0; i < INPUTS.length; i++) expect(costs.stdout).toContain(`tenant-${i}`);
    } finally {
      holder.close();
    }
  });

  it('a read that meets a running ingest (a read-write holder) is refused as "in use", exit 2', async () => {
    const ingest = await Database.open({ path: db });
    try {
      const read = await runCli(['sql', '--db', db, countSql]);
      expect(read.code, read.stderr).toBe(2);
      expect(read.stderr).toContain(`database ${db} is in use by another costattr process`);
    } finally {
      ingest.close();
    }
  });
});
