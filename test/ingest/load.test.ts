// Loading behaviour: tag inheritance, dedupe, the transaction on bad input, --skip-invalid,
// gzip, a single pretty-printed document, flat JSONL/CSV/Parquet, namespace detection.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { classes, openMemoryDb, otlpLine, sid, spansById, tid, writeLines } from './otlp-builder.js';

let db: Database;
let dir: string;
beforeEach(async () => {
  db = await openMemoryDb();
  dir = mkdtempSync(join(tmpdir(), 'costattr-ingest-'));
});
afterEach(() => db.close());

const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 };

async function count(table: string): Promise<number> {
  const row = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${table}`);
  return Number(row?.n);
}

describe('tag inheritance', () => {
  it('inherits each field from the nearest ancestor that has it, through two levels', async () => {
    const file = writeLines(dir, 'tags.jsonl', [
      otlpLine({
        resource: { 'acme.tier': 'paid' },
        spans: [
          { trace: tid(1), span: sid(1), name: 'invoke_agent root', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'acme.tenant_id': 'acme-corp', 'acme.user_id': 'u-root', 'acme.effort': 'high' } },
          { trace: tid(1), span: sid(2), parent: sid(1), name: 'invoke_agent sub', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'acme.user_id': 'u-sub', 'acme.route': '/triage' } },
          { trace: tid(1), span: sid(3), parent: sid(2), attrs: { ...chat, 'acme.task_id': 'inbox', 'acme.prompt_tokens': 7, 'acme.outcome': 'ok' } },
          // another trace with no tags at all
          { trace: tid(2), span: sid(4), attrs: chat },
        ],
      }),
    ]);
    const report = await ingestSpanFiles(db, [file], {});
    expect(report.namespace).toBe('acme');
    const rows = await spansById(db);
    const leaf = rows.get(sid(3));
    expect([leaf?.tenant, leaf?.user_id, leaf?.task, leaf?.route, leaf?.tier, leaf?.effort]).toEqual(['acme-corp', 'u-sub', 'inbox', '/triage', 'paid', 'high']);
    expect(leaf?.tag_tenant).toBeNull();
    expect(leaf?.prompt_tokens).toBe('7');
    expect(JSON.parse(leaf?.tags_json ?? '{}')).toMatchObject({ task_id: 'inbox', outcome: 'ok', tier: 'paid' });
    const sub = rows.get(sid(2));
    expect([sub?.tenant, sub?.user_id, sub?.route]).toEqual(['acme-corp', 'u-sub', '/triage']);
    expect(rows.get(sid(4))?.tenant).toBeNull();
  });

  it('re-resolves spans already stored when a later ingest brings their ancestor', async () => {
    const children = writeLines(dir, 'children.jsonl', [
      otlpLine({ spans: [{ trace: tid(3), span: sid(2), parent: sid(1), attrs: chat }] }),
    ]);
    const root = writeLines(dir, 'root.jsonl', [
      otlpLine({ spans: [{ trace: tid(3), span: sid(1), name: 'invoke_agent a', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'acme.tenant_id': 'late' } }] }),
    ]);
    await ingestSpanFiles(db, [children], { namespace: 'acme' });
    expect((await spansById(db)).get(sid(2))?.tenant).toBeNull();
    await ingestSpanFiles(db, [root], { namespace: 'acme' });
    expect((await spansById(db)).get(sid(2))?.tenant).toBe('late');
  });

  it('does not loop on a parent cycle', async () => {
    const file = writeLines(dir, 'cycle.jsonl', [
      otlpLine({ spans: [
        { trace: tid(4), span: sid(1), parent: sid(2), attrs: { ...chat, 'acme.tenant_id': 'cyc' } },
        { trace: tid(4), span: sid(2), parent: sid(1), attrs: chat },
        { trace: tid(4), span: sid(3), parent: sid(3), attrs: chat },
      ] }),
    ]);
    await ingestSpanFiles(db, [file], {});
    const rows = await spansById(db);
    expect(rows.get(sid(2))?.tenant).toBe('cyc');
    expect(rows.get(sid(3))?.tenant).toBeNull();
  });
});

describe('dedupe and transactions', () => {
  it('stores a span seen twice in a file and again in a later ingest once', async () => {
    const line = otlpLine({ spans: [{ trace: tid(5), span: sid(1), attrs: chat }, { trace: tid(5), span: sid(2), attrs: chat }] });
    const file = writeLines(dir, 'dup.jsonl', [line, line]);
    const first = await ingestSpanFiles(db, [file], {});
    expect([first.recordsRead, first.loaded, first.duplicates]).toEqual([4, 2, 2]);
    const second = await ingestSpanFiles(db, [file, file], {});
    expect([second.recordsRead, second.loaded, second.duplicates]).toEqual([8, 0, 8]);
    expect(await count('spans')).toBe(2);
    expect(await count('ingests')).toBe(3);
    const rows = await db.all<{ records_read: string; spans_loaded: string; duplicates: string }>(
      'SELECT records_read::VARCHAR AS records_read, spans_loaded::VARCHAR AS spans_loaded, duplicates::VARCHAR AS duplicates FROM ingests ORDER BY ingest_id');
    expect(rows.map((r) => [r.records_read, r.spans_loaded, r.duplicates].map(Number))).toEqual([[4, 2, 2], [4, 0, 4], [4, 0, 4]]);
  });

  it('stops on a malformed line naming file and line, leaving the database as it was', async () => {
    const good = writeLines(dir, 'good.jsonl', [otlpLine({ spans: [{ trace: tid(6), span: sid(1), attrs: chat }] })]);
    await ingestSpanFiles(db, [good], {});
    const bad = writeLines(dir, 'bad.jsonl', [
      otlpLine({ spans: [{ trace: tid(6), span: sid(2), attrs: chat }] }),
      otlpLine({ spans: [{ trace: tid(6), span: sid(3), attrs: chat }] }),
      '{"resourceSpans": [ truncated',
    ]);
    const before = [await count('spans'), await count('ingests')];
    const err = await ingestSpanFiles(db, [bad], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CostattrError);
    expect((err as CostattrError).exitCode).toBe(2);
    expect((err as CostattrError).message).toContain(`${bad}:3:`);
    expect([await count('spans'), await count('ingests')]).toEqual(before);
  });

  it('names the field of an invalid token count and skips records under skipInvalid', async () => {
    const file = writeLines(dir, 'tokens.jsonl', [
      otlpLine({ spans: [
        { trace: tid(7), span: sid(1), attrs: chat },
        { trace: tid(7), span: sid(2), attrs: { ...chat, 'gen_ai.usage.output_tokens': { raw: { intValue: '12.5' } } } },
        { trace: tid(7), span: sid(3), attrs: { ...chat, 'gen_ai.usage.input_tokens': -4 } },
      ] }),
      otlpLine({ spans: [{ trace: tid(7), span: sid(1), attrs: chat }, { trace: tid(7), span: sid(4), attrs: { ...chat, 'gen_ai.usage.cache_read.input_tokens': 'lots' } }] }),
      'not json',
      otlpLine({ spans: [{ trace: '', span: sid(5), attrs: chat }, { trace: tid(7), span: sid(6), attrs: chat, start: 'yesterday' }] }),
    ]);
    const err = await ingestSpanFiles(db, [file], {}).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${file}:1: field output_tokens: fractional token count: 12.5`);
    expect(await count('spans')).toBe(0);

    const report = await ingestSpanFiles(db, [file], { skipInvalid: true });
    expect(report.recordsRead).toBe(8);
    expect(report.loaded).toBe(1);
    expect(report.duplicates).toBe(1);
    expect(report.rejected).toBe(6);
    expect(report.loaded + report.duplicates + report.rejected).toBe(report.recordsRead);
    expect(report.problems.map((p) => [p.line, p.field ?? null])).toEqual([
      [1, 'output_tokens'], [1, 'input_tokens'], [2, 'cache_read_tokens'], [3, null], [4, 'trace_id'], [4, 'start_time'],
    ]);
    expect(report.problems[1]?.message).toBe('negative token count: -4');
  });
});

describe('file formats', () => {
  it('reads gzip, directories and a single pretty-printed document', async () => {
    writeLines(dir, 'ignored.txt', ['nothing']);
    const line = otlpLine({ spans: [{ trace: tid(8), span: sid(1), attrs: chat }] });
    const plain = writeLines(dir, 'plain.jsonl', [line]);
    writeFileSync(join(dir, 'zipped.jsonl.gz'), gzipSync(`${otlpLine({ spans: [{ trace: tid(8), span: sid(2), attrs: chat }] })}\n`));
    writeFileSync(join(dir, 'zipped-doc.json.gz'), gzipSync(readFileSync(plain)));
    const report = await ingestSpanFiles(db, [dir, resolve('fixtures/otlp-handmade/pretty-document.json')], {});
    // directory order: plain.jsonl, zipped-doc.json.gz (a copy of plain: duplicate), zipped.jsonl.gz
    expect(report.files.map((f) => [f.format, f.loaded, f.duplicates])).toEqual([['otlp', 1, 0], ['otlp', 0, 1], ['otlp', 1, 0], ['otlp', 1, 0]]);
    const pretty = (await spansById(db)).get('b7ad6b7169203331');
    expect(pretty?.trace_id).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(classes(pretty)).toEqual([176, 1024, 0, 0, 64]);
    expect(pretty?.tenant).toBe('tenant-pretty');
    expect(pretty?.start_time).toBe('2026-01-01 00:00:00');
  });

  const flatRows = [
    { traceId: 'T1', spanId: 'S1', parent: null, model: 'claude-sonnet-4-5', vendor: 'anthropic', input_tokens: 1000, cache_read_input_tokens: 600, cache_creation_input_tokens: 100, output_tokens: 50, tenant_id: 'a', started: '2026-02-01T10:00:00Z' },
    { traceId: 'T1', spanId: 'S2', parent: 'S1', model: 'gpt-4o', vendor: 'openai', input_tokens: 300, cache_read_input_tokens: null, cache_creation_input_tokens: null, output_tokens: 30, tenant_id: null, started: '2026-02-01T10:00:05Z' },
  ];
  const mapping = { parent_span_id: 'parent', provider: 'vendor', start_time: 'started' };

  async function checkFlat(path: string): Promise<void> {
    const report = await ingestSpanFiles(db, [path], { mapping });
    expect(report.loaded).toBe(2);
    const rows = await spansById(db);
    expect(classes(rows.get('s1'))).toEqual([300, 600, 100, 0, 50]);
    expect(rows.get('s1')?.provider).toBe('anthropic');
    expect(rows.get('s1')?.request_model).toBe('claude-sonnet-4-5');
    expect(rows.get('s1')?.start_time).toBe('2026-02-01 10:00:00');
    expect(classes(rows.get('s2'))).toEqual([300, 0, 0, 0, 30]);
    expect(rows.get('s2')?.input_convention).toBe('no_cache_counts');
    expect(rows.get('s2')?.tenant).toBe('a'); // inherited from s1
  }

  it('reads a flat JSONL table with a column mapping', async () => {
    await checkFlat(writeLines(dir, 'flat.jsonl', flatRows.map((r) => JSON.stringify(r))));
  });

  it('reads a flat CSV table with a column mapping', async () => {
    const header = Object.keys(flatRows[0] ?? {});
    const lines = flatRows.map((r) => header.map((h) => String((r as Record<string, unknown>)[h] ?? '')).join(','));
    await checkFlat(writeLines(dir, 'flat.csv', [header.join(','), ...lines]));
  });

  it('reads a flat Parquet table with a column mapping', async () => {
    const json = writeLines(dir, 'src.jsonl', flatRows.map((r) => JSON.stringify(r)));
    const parquet = join(dir, 'flat.parquet');
    const scratch = await openMemoryDb();
    await scratch.exec(`COPY (SELECT * FROM read_json($src, format = 'newline_delimited')) TO '${parquet}' (FORMAT parquet)`, { src: json });
    scratch.close();
    await checkFlat(parquet);
  });

  it('names the row and field of a bad value in a flat CSV', async () => {
    const file = writeLines(dir, 'bad.csv', ['trace_id,span_id,input_tokens', 't,s1,5', 't,s2,five']);
    await expect(ingestSpanFiles(db, [file], {})).rejects.toThrow(`${file}:3: field input_tokens: not a number: five`);
  });
});

describe('namespace', () => {
  it('detects the one custom namespace and refuses to guess between two', async () => {
    const two = writeLines(dir, 'two.jsonl', [
      otlpLine({ spans: [
        { trace: tid(9), span: sid(1), attrs: { ...chat, 'acme.tenant_id': 'a' } },
        { trace: tid(9), span: sid(2), attrs: { ...chat, 'globex.route': '/x', 'user.id': 'standard-attr' } },
      ] }),
    ]);
    const err = await ingestSpanFiles(db, [two], {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CostattrError);
    expect((err as Error).message).toContain('acme, globex');
    expect(await count('spans')).toBe(0);
    const report = await ingestSpanFiles(db, [two], { namespace: 'globex' });
    expect(report.namespace).toBe('globex');
    const rows = await spansById(db);
    expect(rows.get(sid(2))?.route).toBe('/x');
    expect(rows.get(sid(1))?.tenant).toBeNull();
    const ns = await db.one<{ namespace: string }>('SELECT namespace FROM ingests');
    expect(ns?.namespace).toBe('globex');
  });
});
