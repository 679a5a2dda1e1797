// Claude Code logs in-process: dedupe keeps the snapshot with the most tokens, the first and last
// line's timestamps, project → tenant / session → task, 1-hour writes; a malformed line stops the
// ingest naming file and line, or is counted as rejected under skipInvalid.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { tempDir } from '../helpers/cli.js';
import { classes, openMemoryDb, spansById, writeLines } from '../ingest/otlp-builder.js';

let db: Database;
beforeEach(async () => {
  db = await openMemoryDb();
});
afterEach(() => db.close());

const usage = (output: number): Record<string, unknown> => ({
  input_tokens: 3, cache_creation_input_tokens: 613, cache_read_input_tokens: 50973,
  cache_creation: { ephemeral_5m_input_tokens: 13, ephemeral_1h_input_tokens: 600 }, output_tokens: output,
});
const line = (at: string, output: number, extra: Record<string, unknown> = {}): string => JSON.stringify({
  type: 'assistant', sessionId: 'sess-1', requestId: 'req_A', uuid: `u-${at}`, timestamp: at, isSidechain: false,
  message: { id: 'msg_A', model: 'claude-sonnet-4-5-20250929', usage: usage(output) }, ...extra,
});

function writeTree(): string {
  const dir = tempDir('costattr-claude-');
  const project = join(dir, 'projects', '-home-me-app');
  mkdirSync(project, { recursive: true });
  writeLines(dir, 'README.txt', ['not a log']);
  writeLines(project, 'sess-1.jsonl', [
    JSON.stringify({ type: 'user', sessionId: 'sess-1', uuid: 'u0', timestamp: '2026-01-02T09:59:59.000Z', message: { role: 'user', content: 'go' } }),
    line('2026-01-02T10:00:00.000Z', 8),
    line('2026-01-02T10:00:01.000Z', 120),
    line('2026-01-02T10:00:02.000Z', 95, { isSidechain: true }),
  ]);
  return dir;
}

describe('Claude Code session logs', () => {
  it('keeps the snapshot with the most tokens, spanning the first to the last line of the call', async () => {
    const dir = writeTree();
    const report = await ingestSpanFiles(db, [dir]);
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ format: 'claude-code', recordsRead: 3, loaded: 1, duplicates: 2, dropped: { message_request: 2, synthetic_model: 0 } });
    const span = (await spansById(db)).get('msg_a:req_a');
    expect(classes(span)).toEqual([3, 50973, 13, 600, 120]);
    expect(span).toMatchObject({
      trace_id: 'sess-1', tenant: '-home-me-app', task: 'sess-1', input_convention: 'exclusive', provider: 'anthropic',
      start_time: '2026-01-02 10:00:00',
    });
  });

  it('stops on a malformed line naming file and line, or counts it as rejected under skipInvalid', async () => {
    const dir = writeTree();
    appendFileSync(join(dir, 'projects', '-home-me-app', 'sess-1.jsonl'), '{"type":"assistant", broken\n');
    // the appended line is the file's fifth: named by file and line, in the product's words
    const refused = ingestSpanFiles(db, [dir]);
    await expect(refused).rejects.toThrow(/sess-1\.jsonl:5: not valid JSON/);
    await expect(refused).rejects.not.toThrow(/Malformed|auto_detect|byte/);
    expect((await db.all('SELECT * FROM spans')).length).toBe(0);
    const report = await ingestSpanFiles(db, [dir], { skipInvalid: true });
    expect(report).toMatchObject({ loaded: 1, rejected: 1 });
  });

  it('carries typed counts and times straight through, and still rejects a negative count or a bad timestamp', async () => {
    const dir = writeTree();
    const report = await ingestSpanFiles(db, [dir]);
    expect(report).toMatchObject({ loaded: 1, rejected: 0 });
    const span = (await spansById(db)).get('msg_a:req_a');
    expect(span).toMatchObject({ reported_input_tokens: '3', start_time: '2026-01-02 10:00:00', end_time: '2026-01-02 10:00:02' });

    const bad = tempDir('costattr-claude-bad-');
    writeLines(bad, 'sess-2.jsonl', [
      JSON.stringify({ type: 'assistant', sessionId: 'sess-2', requestId: 'req_B', uuid: 'u1', timestamp: '2026-01-02T10:00:00.000Z',
        message: { id: 'msg_B', model: 'claude-sonnet-4-5-20250929', usage: { ...usage(7), input_tokens: -5 } } }),
    ]);
    await expect(ingestSpanFiles(db, [bad])).rejects.toThrow(/input_tokens.*negative token count: -5/);
    const late = tempDir('costattr-claude-late-');
    writeLines(late, 'sess-3.jsonl', [
      JSON.stringify({ type: 'assistant', sessionId: 'sess-3', requestId: 'req_C', uuid: 'u1', timestamp: 'yesterday',
        message: { id: 'msg_C', model: 'claude-sonnet-4-5-20250929', usage: usage(7) } }),
    ]);
    await expect(ingestSpanFiles(db, [late])).rejects.toThrow(/start_time.*bad timestamp: yesterday/);
    expect((await db.all('SELECT * FROM spans')).length).toBe(1);
  });
});
