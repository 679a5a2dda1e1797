// The compact OTLP transport (src/ingest/spans/raw-coded.ts): integers travel as BIGINT, everything else
// as text, and the values that reach the database are the ones the file held, whichever way they travelled.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { classes, openMemoryDb, otlpLine, sid, spansById, tid, writeLines } from './otlp-builder.js';

let db: Database;
let dir: string;
beforeEach(async () => {
  db = await openMemoryDb();
  dir = mkdtempSync(join(tmpdir(), 'costattr-coded-'));
});
afterEach(() => db.close());

const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };

describe('compact OTLP transport', () => {
  it('keeps integers given as JSON numbers, padded strings and int64 extremes exact', async () => {
    const file = writeLines(dir, 'ints.jsonl', [
      otlpLine({ spans: [
        { trace: tid(1), span: sid(1), attrs: { ...chat, 'gen_ai.usage.input_tokens': { raw: { intValue: 1234 } }, 'gen_ai.usage.output_tokens': { raw: { intValue: '0042' } } } },
        { trace: tid(1), span: sid(2), attrs: { ...chat, 'gen_ai.usage.input_tokens': { raw: { intValue: '9007199254740993' } }, 'gen_ai.usage.output_tokens': 0 } },
        { trace: tid(1), span: sid(3), attrs: { ...chat, 'gen_ai.usage.input_tokens': { raw: { intValue: '9223372036854775807' } }, 'gen_ai.usage.output_tokens': 1 } },
      ] }),
    ]);
    await ingestSpanFiles(db, [file]);
    const spans = await spansById(db);
    expect(classes(spans.get(sid(1)))).toEqual([1234, 0, 0, 0, 42]);
    // beyond 2^53: compared as text, a JS number would have rounded it
    expect(spans.get(sid(2))?.input_tokens).toBe('9007199254740993');
    expect(spans.get(sid(3))?.input_tokens).toBe('9223372036854775807');
    expect(spans.get(sid(1))?.start_time).toBe('2026-01-01 00:00:00');
  });

  it('sends a count past int64 and an ISO timestamp as text to the same validator', async () => {
    const file = writeLines(dir, 'odd.jsonl', [
      otlpLine({ spans: [
        { trace: tid(2), span: sid(1), attrs: { ...chat, 'gen_ai.usage.input_tokens': { raw: { intValue: '9223372036854775808' } } } },
        { trace: tid(2), span: sid(2), attrs: { ...chat, 'gen_ai.usage.input_tokens': 5 }, start: '2026-02-03T04:05:06Z' },
      ] }),
    ]);
    const report = await ingestSpanFiles(db, [file], { skipInvalid: true });
    expect(report.problems.map((p) => [p.line, p.field, p.message])).toEqual([
      [1, 'input_tokens', 'token count out of range: 9223372036854775808'],
    ]);
    const spans = await spansById(db);
    expect(spans.get(sid(2))?.start_time).toBe('2026-02-03 04:05:06');
  });

  it('stores tool arguments, conversation ids and descriptor texts as given, quotes and newlines included', async () => {
    const args = '{"q": "a \\"quoted\\"\nline", "n": 1}';
    const file = writeLines(dir, 'texts.jsonl', [
      otlpLine(
        { scope: 'scope "one"', spans: [
          { trace: tid(3), span: sid(1), name: 'execute_tool search', attrs: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.arguments': args } },
          { trace: tid(3), span: sid(2), attrs: { ...chat, 'gen_ai.conversation.id': 'conv\u0001A', 'gen_ai.usage.input_tokens': 3 } },
        ] },
        { scope: 'scope two', spans: [{ trace: tid(3), span: sid(3), attrs: { ...chat, 'gen_ai.conversation.id': 'conv\u0001A', 'gen_ai.usage.input_tokens': 4 } }] },
      ),
    ]);
    await ingestSpanFiles(db, [file]);
    const rows = await db.all<{ span_id: string; scope_name: string; tool_arguments: string | null; conversation_id: string | null }>(
      'SELECT span_id, scope_name, tool_arguments, conversation_id FROM spans ORDER BY span_id',
    );
    expect(rows).toEqual([
      { span_id: sid(1), scope_name: 'scope "one"', tool_arguments: args, conversation_id: null },
      { span_id: sid(2), scope_name: 'scope "one"', tool_arguments: null, conversation_id: 'conv\u0001A' },
      { span_id: sid(3), scope_name: 'scope two', tool_arguments: null, conversation_id: 'conv\u0001A' },
    ]);
  });
});
