// Resource bounds: one 50 MB JSON line (a single export request holding 80,000 spans) is either
// loaded whole or refused with a message naming the file and line — never a crash or a partial load.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { bigOtlpInputTokens, writeBigOtlp } from './big-otlp.js';

describe('resource bounds', () => {
  it('a single 50 MB JSON line loads whole or is refused clearly', async () => {
    const dir = tempDir('costattr-line-');
    const file = join(dir, 'one-line.otlp.jsonl');
    const db = join(dir, 'costs.duckdb');
    const spans = writeBigOtlp(file, 1, 80_000);
    expect(statSync(file).size).toBeGreaterThan(45 * 1024 * 1024);
    const result = await runCli(['ingest', '--db', db, '--json', file]);
    expect(result.code, result.stderr).not.toBe(3);
    if (result.code === 2) {
      expect(result.stderr).toContain(`${file}:1`);
      return;
    }
    expect(result.code, result.stderr).toBe(0);
    const handle = await Database.open({ path: db, readOnly: true });
    try {
      const row = await handle.one<{ n: string; i: string }>('SELECT count(*)::VARCHAR AS n, sum(input_tokens)::VARCHAR AS i FROM spans');
      expect(Number(row?.n)).toBe(spans);
      expect(BigInt(row?.i ?? '0')).toBe(bigOtlpInputTokens(spans));
    } finally {
      handle.close();
    }
  });
});
