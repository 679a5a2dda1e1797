// OTLP files cut into many parse batches (SpanIngestOptions.batchBytes, one line per batch here) ingest
// exactly what one batch does: the same spans, tags, kept copy of a conflicting span, report and
// problems, with the line numbers of a later batch. A parse worker that stops mid-file fails the
// ingest as an internal error (exit 3) and leaves the database as it was: never a partial ingest.
// OTLP files read beside a read-only --db load into the read's temporary tables like any other source.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import type { SpanIngestOptions } from '../../src/ingest/spans/types.js';
import { runCli } from '../helpers/cli.js';
import { openMemoryDb, otlpLine, sid, tid, writeLines } from './otlp-builder.js';

let dir: string;
const opened: Database[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'costattr-batches-'));
});
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

const chat = (input: number) => ({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 3 });

/**
 * Twelve lines: tagged roots with children, a plain duplicate, a conflicting copy (lines 2 and 9),
 * then two bad lines late in the file. Line 2 is long (slow to parse), so a worker may well finish
 * lines 3 to 9 before it.
 */
function mixedLines(): string[] {
  const lines: string[] = [];
  for (let t = 1; t <= 8; t++) {
    const padding = t === 2 ? Array.from({ length: 3000 }, (_, k) => ({ trace: tid(1000 + k), span: sid(1), attrs: chat(k) })) : [];
    lines.push(otlpLine({ spans: [
      { trace: tid(t), span: sid(t * 10), name: 'invoke_agent a', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'acme.tenant_id': `tenant-${t % 3}`, 'acme.route': `/r/${t}` } },
      { trace: tid(t), span: sid(t * 10 + 1), parent: sid(t * 10), attrs: { ...chat(100 + t), 'gen_ai.usage.cache_read.input_tokens': 40, 'gen_ai.conversation.id': `conv-${t % 2}` } },
      ...padding,
    ] }));
  }
  lines.push(otlpLine({ spans: [{ trace: tid(2), span: sid(21), parent: sid(20), attrs: chat(999) }] })); // line 9: conflicts with line 2
  lines.push(lines[3] as string); // line 10: a plain duplicate of line 4
  lines.push('{"resourceSpans": [ truncated'); // line 11
  lines.push(otlpLine({ spans: [{ trace: tid(9), span: sid(90), attrs: { ...chat(5), 'gen_ai.usage.output_tokens': { raw: { intValue: '2.5' } } } }] })); // line 12
  return lines;
}

async function ingest(file: string, options: SpanIngestOptions): Promise<{ db: Database; result: unknown }> {
  const db = await openMemoryDb();
  opened.push(db);
  const result = await ingestSpanFiles(db, [file], { workers: 2, ...options }).catch((err: unknown) => err);
  return { db, result };
}

async function stored(db: Database): Promise<unknown[]> {
  return db.all(`SELECT * FROM spans ORDER BY trace_id, span_id`);
}

describe('OTLP in many parse batches', () => {
  it('stores, reports and rejects exactly what one batch does', async () => {
    const file = writeLines(dir, 'mixed.jsonl', mixedLines());
    const one = await ingest(file, { skipInvalid: true });
    const many = await ingest(file, { skipInvalid: true, batchBytes: 1 });
    expect(many.result).toEqual(one.result);
    expect(await stored(many.db)).toEqual(await stored(one.db));
    const report = one.result as Awaited<ReturnType<typeof ingestSpanFiles>>;
    expect(report.problems.map((p) => [p.line, p.field ?? null])).toEqual([[11, null], [12, 'output_tokens']]);
    expect(report.conflicts?.first).toEqual([{ file, traceId: tid(2), spanId: sid(21) }]);
    // the copy kept is line 2's, whichever worker finished first
    const kept = await many.db.one<{ i: string }>(`SELECT reported_input_tokens::VARCHAR AS i FROM spans WHERE span_id = $s`, { s: sid(21) });
    expect(kept?.i).toBe('102');
  });

  it('names the same file, line and field for a bad record in a later batch', async () => {
    const file = writeLines(dir, 'late.jsonl', mixedLines().filter((_, i) => i !== 10));
    const one = await ingest(file, {});
    const many = await ingest(file, { batchBytes: 1 });
    expect(one.result).toBeInstanceOf(CostattrError);
    expect((many.result as CostattrError).message).toBe((one.result as CostattrError).message);
    expect((many.result as CostattrError).message).toBe(`${file}:11: field output_tokens: fractional token count: 2.5`);
    expect((many.result as CostattrError).exitCode).toBe(2);
  });
});

describe('a parse worker that stops', () => {
  it('fails the ingest with the database untouched, and the CLI exits 3', async () => {
    const first = writeLines(dir, 'first.jsonl', [otlpLine({ spans: [{ trace: tid(50), span: sid(1), attrs: chat(7) }] })]);
    const file = writeLines(dir, 'mixed.jsonl', mixedLines().slice(0, 10));
    const db = join(dir, 'costs.duckdb');
    expect((await runCli(['ingest', first, '--db', db, '--quiet'])).code).toBe(0);
    const crashed = await runCli(['ingest', file, '--db', db, '--quiet'], { env: { COSTATTR_TEST_KILL_AT: 'parse-worker@1' } });
    expect(crashed.code).toBe(3);
    expect(crashed.stderr).toContain('internal error: an OTLP parse worker stopped');
    const after = await runCli(['ingest', file, '--db', db, '--json', '--quiet']);
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as { loaded: number }).loaded).toBe(3016);
  });

  it('fails an ingest whose earlier batches were already appended', async () => {
    const file = writeLines(dir, 'mixed.jsonl', mixedLines().slice(0, 10));
    const previous = process.env.COSTATTR_TEST_KILL_AT;
    process.env.COSTATTR_TEST_KILL_AT = 'parse-worker@8';
    try {
      const { db, result } = await ingest(file, { batchBytes: 1 });
      expect(result).toBeInstanceOf(Error);
      expect(result).not.toBeInstanceOf(CostattrError);
      expect((result as Error).message).toContain('an OTLP parse worker stopped');
      expect(await db.all('SELECT span_id FROM spans')).toEqual([]);
      expect(await db.all('SELECT * FROM ingests')).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.COSTATTR_TEST_KILL_AT;
      else process.env.COSTATTR_TEST_KILL_AT = previous;
    }
  });
});

describe('OTLP read beside a stored database', () => {
  it('a read with OTLP spans beside a read-only --db counts the stored spans and the new ones', async () => {
    const stored = writeLines(dir, 'stored.jsonl', [otlpLine({ spans: [{ trace: tid(60), span: sid(1), attrs: { ...chat(1000), 'acme.tenant_id': 'tenant-a' } }] })]);
    const beside = writeLines(dir, 'beside.jsonl', [otlpLine({ spans: [{ trace: tid(61), span: sid(1), attrs: { ...chat(2000), 'acme.tenant_id': 'tenant-b' } }] })]);
    const db = join(dir, 'stored.duckdb');
    expect((await runCli(['ingest', stored, '--db', db, '--quiet'])).code).toBe(0);
    const read = await runCli(['costs', '--by', 'tenant', '--db', db, '--spans', beside, '--format', 'json', '--quiet']);
    expect(read.stderr).toBe('');
    expect(read.code).toBe(0);
    const both = await runCli(['costs', '--by', 'tenant', '--spans', stored, '--spans', beside, '--format', 'json', '--quiet']);
    expect(JSON.parse(read.stdout)).toEqual(JSON.parse(both.stdout));
    expect((JSON.parse(read.stdout) as { rows: unknown[] }).rows).toHaveLength(2);
  });
});
