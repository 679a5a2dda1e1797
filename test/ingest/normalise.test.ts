// Attribute spellings, input-token conventions and span classes, each with the expected disjoint
// classes worked out by hand from the emitted counters.
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
  dir = mkdtempSync(join(tmpdir(), 'costattr-ingest-'));
});
afterEach(() => db.close());

describe('attribute spellings', () => {
  it('reads current, older and guide spellings into the disjoint classes', async () => {
    const file = writeLines(dir, 'spellings.jsonl', [
      // current semconv, inclusive: uncached = 1000 - 200 - 100 = 700
      otlpLine({
        scope: 'semconv-current',
        spans: [{ trace: tid(1), span: sid(1), attrs: {
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-5',
          'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 200,
          'gen_ai.usage.cache_write.input_tokens': 100, 'gen_ai.usage.output_tokens': 50,
          'gen_ai.usage.reasoning.output_tokens': 20,
        } }],
      }),
      // older names: gen_ai.system vertex_ai, prompt/completion tokens, no cache counts
      otlpLine({
        scope: 'semconv-old',
        spans: [{ trace: tid(1), span: sid(2), attrs: {
          'gen_ai.operation.name': 'generate_content', 'gen_ai.system': 'vertex_ai', 'gen_ai.request.model': 'gemini-2.5-pro',
          'gen_ai.usage.prompt_tokens': 500, 'gen_ai.usage.completion_tokens': 40,
        } }],
      }),
      // released cache_creation (dots) spelling with a 1h split: 300 written, 100 of them for 1h
      otlpLine({
        scope: 'semconv-141',
        spans: [{ trace: tid(1), span: sid(3), attrs: {
          'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic',
          'gen_ai.usage.input_tokens': 5000, 'gen_ai.usage.cache_read.input_tokens': 4000,
          'gen_ai.usage.cache_creation.input_tokens': 300, 'gen_ai.usage.cache_creation.ephemeral_1h_input_tokens': 100,
          'gen_ai.usage.output_tokens': 10,
        } }],
      }),
      // the guide's cached_read/cached_write spelling, inclusive: 12480 - 9800 - 0 = 2680
      otlpLine({
        scope: 'guide',
        spans: [{ trace: tid(1), span: sid(4), attrs: {
          'gen_ai.system': 'anthropic', 'gen_ai.request.model': 'claude-opus-4-7',
          'gen_ai.usage.input_tokens': 12480, 'gen_ai.usage.output_tokens': 2311,
          'gen_ai.usage.cached_read_tokens': 9800, 'gen_ai.usage.cached_write_tokens': 0,
        } }],
      }),
      // azure old provider value; underscore cache spellings inclusive
      otlpLine({
        scope: 'azure-sdk',
        spans: [{ trace: tid(1), span: sid(5), attrs: {
          'gen_ai.operation.name': 'chat', 'gen_ai.system': 'az.ai.openai',
          'gen_ai.usage.input_tokens': 900, 'gen_ai.usage.cache_read_input_tokens': 100,
          'gen_ai.usage.cache_creation_input_tokens': 50, 'gen_ai.usage.output_tokens': 9,
        } }],
      }),
    ]);
    const report = await ingestSpanFiles(db, [file], {});
    expect(report.loaded).toBe(5);
    const rows = await spansById(db);
    expect(classes(rows.get(sid(1)))).toEqual([700, 200, 100, 0, 50]);
    expect(rows.get(sid(1))?.reasoning_tokens).toBe('20');
    expect(rows.get(sid(1))?.reported_input_tokens).toBe('1000');
    expect(rows.get(sid(1))?.input_convention).toBe('inclusive');
    expect(classes(rows.get(sid(2)))).toEqual([500, 0, 0, 0, 40]);
    expect(rows.get(sid(2))?.provider).toBe('gcp.vertex_ai');
    expect(rows.get(sid(2))?.input_convention).toBe('no_cache_counts');
    expect(rows.get(sid(2))?.has_cache_counts).toBe(false);
    expect(classes(rows.get(sid(3)))).toEqual([700, 4000, 200, 100, 10]);
    expect(classes(rows.get(sid(4)))).toEqual([2680, 9800, 0, 0, 2311]);
    expect(rows.get(sid(4))?.operation).toBe('chat'); // from the span name "chat gpt-4o"
    expect(classes(rows.get(sid(5)))).toEqual([750, 100, 50, 0, 9]);
    expect(rows.get(sid(5))?.provider).toBe('azure.ai.openai');
    expect(report.conventions).toEqual({ inclusive: 4, no_cache_counts: 1 });
  });

  it('keeps request and response model apart and normalises the service tier', async () => {
    const span = (n: number, attrs: Record<string, string | number>) => ({
      trace: tid(2), span: sid(n), attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, ...attrs },
    });
    const file = writeLines(dir, 'tiers.jsonl', [
      otlpLine({
        scope: 'openai',
        spans: [
          span(1, { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.response.model': 'gpt-4o-2024-08-06', 'gen_ai.openai.response.service_tier': 'default' }),
          span(2, { 'gen_ai.openai.request.service_tier': 'auto', 'gen_ai.openai.response.service_tier': 'flex' }),
          span(3, { 'gen_ai.request.service_tier': 'batch' }),
          span(4, { 'openai.response.service_tier': 'priority' }),
          span(5, { 'acme.service_tier': 'batch', 'acme.tenant_id': 't' }),
          span(6, {}),
        ],
      }),
    ]);
    await ingestSpanFiles(db, [file], {});
    const rows = await spansById(db);
    expect(rows.get(sid(1))?.request_model).toBe('gpt-4o');
    expect(rows.get(sid(1))?.response_model).toBe('gpt-4o-2024-08-06');
    expect([1, 2, 3, 4, 5, 6].map((n) => rows.get(sid(n))?.service_tier)).toEqual(['standard', 'flex', 'batch', 'priority', 'batch', 'standard']);
  });
});

describe('input-token conventions', () => {
  it('treats the OpenLLMetry (traceloop) Anthropic instrumentation as exclusive', async () => {
    // Anthropic raw usage: input 30 excludes read 5000 and write 200, so input stays 30
    const file = writeLines(dir, 'traceloop.jsonl', [
      otlpLine({
        scope: '@traceloop/instrumentation-anthropic',
        spans: [{ trace: tid(3), span: sid(1), name: 'anthropic.chat', attrs: {
          'gen_ai.system': 'Anthropic', 'llm.request.type': 'chat', 'gen_ai.request.model': 'claude-sonnet-4-5',
          'gen_ai.usage.prompt_tokens': 3000, 'gen_ai.usage.completion_tokens': 80,
          'gen_ai.usage.cache_read_input_tokens': 500, 'gen_ai.usage.cache_creation_input_tokens': 200,
        } }],
      }),
    ]);
    await ingestSpanFiles(db, [file], {});
    const row = (await spansById(db)).get(sid(1));
    expect(classes(row)).toEqual([3000, 500, 200, 0, 80]);
    expect(row?.input_convention).toBe('exclusive');
    expect(row?.provider).toBe('anthropic');
    expect(row?.operation).toBe('chat');
  });

  it('judges a source exclusive when at least half of its spans have more cache than input', async () => {
    // same scope + provider: span 1 proves exclusive semantics (read 900 > input 100),
    // so span 2 (input 1000, read 300) is exclusive too: uncached 1000, not 700
    const other = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic' };
    const file = writeLines(dir, 'sanity.jsonl', [
      otlpLine({
        scope: 'claude-code-exporter',
        spans: [
          { trace: tid(4), span: sid(1), attrs: { ...other, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 900 } },
          { trace: tid(4), span: sid(2), attrs: { ...other, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 300 } },
        ],
      }),
      // a different source stays inclusive: 1000 - 300 = 700
      otlpLine({
        scope: 'semconv-sdk',
        spans: [{ trace: tid(4), span: sid(3), attrs: { ...other, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 300 } }],
      }),
    ]);
    const report = await ingestSpanFiles(db, [file], {});
    const rows = await spansById(db);
    expect(classes(rows.get(sid(1)))).toEqual([100, 900, 0, 0, 0]);
    expect(classes(rows.get(sid(2)))).toEqual([1000, 300, 0, 0, 0]);
    expect(classes(rows.get(sid(3)))).toEqual([700, 300, 0, 0, 0]);
    expect(report.conventions).toEqual({ exclusive: 2, inclusive: 1 });
  });

  it('never lets one odd span flip its source: it alone is exclusive, its counters say so', async () => {
    // five spans of one source; only span 1 reports more cache than input (1 of 5 < half):
    // span 1 is exclusive by its own counters, the other four stay inclusive (1000 - 300 = 700)
    const other = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' };
    const file = writeLines(dir, 'odd.jsonl', [
      otlpLine({
        scope: 'semconv-sdk',
        spans: [
          { trace: tid(6), span: sid(1), attrs: { ...other, 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read.input_tokens': 900 } },
          ...[2, 3, 4, 5].map((n) => ({ trace: tid(6), span: sid(n), attrs: { ...other, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.cache_read.input_tokens': 300 } })),
        ],
      }),
    ]);
    const report = await ingestSpanFiles(db, [file], {});
    const rows = await spansById(db);
    expect(classes(rows.get(sid(1)))).toEqual([100, 900, 0, 0, 0]);
    for (const n of [2, 3, 4, 5]) expect(classes(rows.get(sid(n)))).toEqual([700, 300, 0, 0, 0]);
    expect(report.conventions).toEqual({ exclusive: 1, inclusive: 4 });
  });

  it('obeys --convention, but never produces negative input', async () => {
    const attrs = (input: number, read: number) => ({
      'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.cache_read.input_tokens': read,
    });
    const file = writeLines(dir, 'override.jsonl', [
      otlpLine({ spans: [
        { trace: tid(5), span: sid(1), attrs: attrs(1000, 300) },
        { trace: tid(5), span: sid(2), attrs: attrs(100, 900) },
      ] }),
    ]);
    await ingestSpanFiles(db, [file], { convention: 'inclusive' });
    let rows = await spansById(db);
    expect(classes(rows.get(sid(1)))).toEqual([700, 300, 0, 0, 0]);
    expect(classes(rows.get(sid(2)))).toEqual([100, 900, 0, 0, 0]); // 100 - 900 < 0: exclusive
    expect(rows.get(sid(2))?.input_convention).toBe('exclusive');

    const db2 = await openMemoryDb();
    try {
      await ingestSpanFiles(db2, [file], { convention: 'exclusive' });
      rows = await spansById(db2);
      expect(classes(rows.get(sid(1)))).toEqual([1000, 300, 0, 0, 0]);
    } finally {
      db2.close();
    }
  });
});

describe('span classes', () => {
  it('stores agent, workflow and tool spans with zero tokens and infers operations', async () => {
    const usage = { 'gen_ai.usage.input_tokens': 400, 'gen_ai.usage.output_tokens': 40 };
    const file = writeLines(dir, 'agent.jsonl', [
      otlpLine({ spans: [
        { trace: tid(6), span: sid(1), name: 'invoke_agent support', attrs: { 'gen_ai.operation.name': 'invoke_agent', ...usage } },
        { trace: tid(6), span: sid(2), parent: sid(1), name: 'chat gpt-4o', attrs: { 'gen_ai.provider.name': 'openai', ...usage } },
        { trace: tid(6), span: sid(3), parent: sid(1), name: 'execute_tool search', attrs: { 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.arguments': '{"q":"x"}' } },
        { trace: tid(6), span: sid(4), parent: sid(1), name: 'invoke_workflow w', attrs: { ...usage } },
        { trace: tid(6), span: sid(5), parent: sid(1), name: 'llm-call', attrs: { ...usage } },
        { trace: tid(6), span: sid(6), parent: sid(1), name: 'embeddings text-embedding-3-small', attrs: { 'gen_ai.usage.input_tokens': 64 } },
      ] }),
    ]);
    const report = await ingestSpanFiles(db, [file], {});
    const rows = await spansById(db);
    expect(report.loaded).toBe(6);
    expect(rows.get(sid(1))?.is_inference).toBe(false);
    expect(classes(rows.get(sid(1)))).toEqual([0, 0, 0, 0, 0]);
    expect(rows.get(sid(2))?.is_inference).toBe(true);
    expect(classes(rows.get(sid(2)))).toEqual([400, 0, 0, 0, 40]);
    expect(rows.get(sid(3))?.operation).toBe('execute_tool');
    expect(rows.get(sid(3))?.is_inference).toBe(false);
    expect(rows.get(sid(4))?.operation).toBe('invoke_workflow');
    expect(classes(rows.get(sid(4)))).toEqual([0, 0, 0, 0, 0]);
    expect(rows.get(sid(5))?.is_inference).toBe(true); // no operation, but token counts
    expect(rows.get(sid(6))?.operation).toBe('embeddings');
    expect(rows.get(sid(6))?.is_inference).toBe(true);
    const tool = await db.one<{ tool_name: string; tool_arguments: string }>(`SELECT tool_name, tool_arguments FROM spans WHERE span_id = $s`, { s: sid(3) });
    expect(tool).toEqual({ tool_name: 'search', tool_arguments: '{"q":"x"}' });
    // only inference spans count towards the conventions
    expect(report.conventions).toEqual({ no_cache_counts: 3 });
  });
});
