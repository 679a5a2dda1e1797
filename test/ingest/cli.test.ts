// End to end: the built `costattr ingest` twice into one database file; the second run loads nothing new.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { otlpLine, sid, tid, writeLines } from './otlp-builder.js';

const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 40, 'gen_ai.usage.output_tokens': 5 };

describe('costattr ingest', () => {
  it('loads, reports, and is idempotent across runs', async () => {
    const dir = tempDir();
    const file = writeLines(dir, 'spans.jsonl', [
      otlpLine({ spans: [
        { trace: tid(1), span: sid(1), name: 'invoke_agent a', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'acme.tenant_id': 't1' } },
        { trace: tid(1), span: sid(2), parent: sid(1), attrs: chat },
        { trace: tid(1), span: sid(3), parent: sid(1), attrs: chat },
      ] }),
    ]);
    const db = join(dir, 'tmp.duckdb');
    const first = await runCli(['ingest', file, '--db', db, '--json']);
    expect(first.stderr).toContain('loaded 3 spans from 1 files (0 duplicates, 0 rejected, 0 skipped); conventions: inclusive 2; namespace acme');
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { loaded: number; duplicates: number; conventions: Record<string, number> };
    expect([report.loaded, report.duplicates]).toEqual([3, 0]);

    const second = await runCli(['ingest', file, '--db', db, '--json', '--quiet']);
    expect(second.code).toBe(0);
    expect(second.stderr).toBe('');
    const again = JSON.parse(second.stdout) as { loaded: number; duplicates: number };
    expect([again.loaded, again.duplicates]).toEqual([0, 3]);
  });

  it('exits 2 naming file and line on a malformed record', async () => {
    const dir = tempDir();
    const file = writeLines(dir, 'bad.jsonl', [otlpLine({ spans: [{ trace: tid(1), span: sid(1), attrs: chat }] }), '{oops']);
    const result = await runCli(['ingest', file, '--db', join(dir, 'x.duckdb')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:2:`);
  });
});
