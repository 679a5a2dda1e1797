// Conflicting copies (issue 14): the same (trace, span) twice with different token counts is counted
// as a conflict, listed (first ids) on stderr and counted in `quality`, and the documented copy wins:
// the one stored before, else the first file given, then the first line. A same-count copy stays a
// plain duplicate.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { writeLines } from './otlp-builder.js';

const dir = tempDir('costattr-conflicts-');
const db = join(dir, 'costs.duckdb');
const line = (span: string, input: number): string => JSON.stringify({
  trace_id: 'tr', span_id: span, operation: 'chat', request_model: 'gpt-4o', input_tokens: input, output_tokens: 1, start_time: '2026-01-01T00:00:00Z',
});

async function inputs(): Promise<Record<string, number>> {
  const handle = await Database.open({ path: db, readOnly: true });
  try {
    const rows = await handle.all<{ span_id: string; input: number }>('SELECT span_id, input_tokens::INTEGER AS input FROM spans ORDER BY span_id');
    return Object.fromEntries(rows.map((r) => [r.span_id, r.input]));
  } finally {
    handle.close();
  }
}

async function qualityDrops(): Promise<Record<string, number>> {
  const result = await runCli(['quality', '--db', db, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  const flat = (JSON.parse(result.stdout) as { sources: Array<{ source: string; duplicates: Record<string, number> }> }).sources.find((s) => s.source === 'flat');
  return flat?.duplicates ?? {};
}

describe('conflicting span copies', () => {
  it('within one ingest: the first file wins, the conflict is listed on stderr and counted apart from plain duplicates', async () => {
    const a = writeLines(dir, 'a.jsonl', [line('s1', 10), line('s2', 5)]);
    const b = writeLines(dir, 'b.jsonl', [line('s1', 10), line('s2', 7)]);
    const result = await runCli(['ingest', '--db', db, a, b]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`1 conflicting span copies (same trace and span id as a copy already seen, different token counts)`);
    expect(result.stderr).toContain(`first: ${b} trace tr span s2`);
    expect(await inputs()).toEqual({ s1: 10, s2: 5 });
    expect(await qualityDrops()).toEqual({ span_id: 1, span_id_conflict: 1 });
  });

  it('against a stored span: the stored copy wins and the conflict is counted', async () => {
    const c = writeLines(dir, 'c.jsonl', [line('s1', 99), line('s3', 3)]);
    const result = await runCli(['ingest', '--db', db, '--json', c]);
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { conflicts: unknown }).conflicts).toEqual({ count: 1, first: [{ file: c, traceId: 'tr', spanId: 's1' }] });
    expect(await inputs()).toEqual({ s1: 10, s2: 5, s3: 3 });
    expect(await qualityDrops()).toEqual({ span_id: 1, span_id_conflict: 2 });
  });
});
