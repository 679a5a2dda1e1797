// Flat Parquet read in place (src/ingest/sources/flat/typed.ts) gives exactly the `spans` rows and the
// report of the copy path (source table → raw text → staging) on the same file; the copy path is
// what a path with a glob character takes. Also: an ingest under a tiny memory limit completes by spilling.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { ingestSpanFiles, type IngestReport } from '../../src/ingest/spans/index.js';
import { loadTypedParquet } from '../../src/ingest/sources/flat/typed.js';
import { openMemoryDb } from './otlp-builder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'costattr-typed-'));
});

/** Rows as a Parquet file, written by DuckDB from a SELECT (so the columns carry DuckDB's types). */
async function parquet(name: string, select: string): Promise<string> {
  const path = join(dir, name);
  const scratch = await openMemoryDb();
  await scratch.exec(`COPY (${select}) TO '${path}' (FORMAT parquet)`);
  scratch.close();
  return path;
}

/** The file as the copy path reads it: the same bytes under a directory whose name holds a glob character. */
function copyPathTwin(path: string): string {
  const twin = join(dir, 'copy[1]');
  mkdirSync(twin, { recursive: true });
  copyFileSync(path, join(twin, 'spans.parquet'));
  return join(twin, 'spans.parquet');
}

interface Loaded {
  rows: Record<string, unknown>[];
  report: IngestReport;
}

async function load(paths: string[], options = {}): Promise<Loaded> {
  const db = await openMemoryDb();
  try {
    const report = await ingestSpanFiles(db, paths, options);
    const rows = await db.all(`SELECT * FROM spans ORDER BY trace_id, span_id`);
    return { rows, report };
  } finally {
    db.close();
  }
}

/** Both paths over `path` (plus `others` before it), with their reports' paths made comparable. */
async function bothPaths(path: string, options = {}, others: string[] = []): Promise<{ typed: Loaded; copied: Loaded }> {
  const typed = await load([...others, path], options);
  const twin = copyPathTwin(path);
  const copied = await load([...others, twin], options);
  const comparable = (l: Loaded, p: string): Loaded => ({ rows: l.rows, report: JSON.parse(JSON.stringify(l.report).replaceAll(p, '<file>')) as IngestReport });
  return { typed: comparable(typed, path), copied: comparable(copied, twin) };
}

// 3-level traces with tags on different levels, cache conventions of both kinds, NULLs, duplicates
// (plain and conflicting), typed integers of several widths, timestamps typed and as epoch ms.
const VARIED = `
  SELECT * FROM (VALUES
    ('T1', 'a', NULL, 'invoke_agent', TIMESTAMP '2025-10-01 10:00:00', TIMESTAMPTZ '2025-10-01 10:00:05+00', NULL, NULL, NULL::BIGINT, NULL::INTEGER, NULL::UBIGINT, NULL::DOUBLE, 'acme', '/root', NULL, 'paid', 'svc', NULL::BIGINT),
    ('T1', 'b', 'a', 'invoke_agent', TIMESTAMP '2025-10-01 10:00:01', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '/sub', 'u-1', NULL, 'svc', NULL),
    ('T1', 'c', 'b', 'chat', TIMESTAMP '2025-10-01 10:00:02.123456', TIMESTAMPTZ '2025-10-01 12:00:03.5+02', ' Anthropic ', 'claude-sonnet-4-5', 1000, 800, 50, NULL, NULL, NULL, NULL, NULL, 'svc', 3),
    ('T1', 'd', 'b', 'chat', TIMESTAMP '2025-10-01 10:00:03', NULL, 'anthropic', 'claude-sonnet-4-5', 100, 800, NULL, 7.0, 'other', NULL, NULL, NULL, NULL, NULL),
    ('T2', 'e', NULL, 'chat', NULL, NULL, 'OpenAI', 'gpt-4o', 5000, 1000, 0, 2.0, NULL, NULL, NULL, NULL, 'svc', 0),
    ('T2', 'f', 'e', 'Chat', TIMESTAMP '1970-01-02 00:00:00', NULL, 'openai', 'gpt-4o', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ('T2', 'g', 'missing', 'embeddings', TIMESTAMP '2025-10-02 00:00:00', NULL, 'openai', 'text-embedding-3-small', 12, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ('T3', 'h', NULL, 'chat', TIMESTAMP '2025-10-03 00:00:00', NULL, NULL, 'gpt-4o', 10, NULL, NULL, NULL, 'beta', NULL, NULL, NULL, NULL, NULL),
    ('T3', 'h', NULL, 'chat', TIMESTAMP '2025-10-03 00:00:00', NULL, NULL, 'gpt-4o', 10, NULL, NULL, NULL, 'beta', NULL, NULL, NULL, NULL, NULL),
    ('T3', 'h', NULL, 'chat', TIMESTAMP '2025-10-03 00:00:00', NULL, NULL, 'gpt-4o', 11, NULL, NULL, NULL, 'beta', NULL, NULL, NULL, NULL, NULL),
    ('t4 ', 'I', NULL, NULL, TIMESTAMP '2025-10-04 00:00:00', NULL, 'vertex_ai', 'gemini-2.5-pro', 300, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 40)
  ) v(trace_id, span_id, parent_span_id, operation, start_time, end_time, provider, request_model,
      input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, tenant, route, user_id, tier, service_name, reasoning_tokens)`;

describe('flat Parquet read in place', () => {
  it('registers a plain path as a typed relation, and leaves a path with a glob character to the copy path', async () => {
    const path = await parquet('plain.parquet', `SELECT 't' AS trace_id, 's' AS span_id, 5 AS input_tokens`);
    const db = await openMemoryDb();
    const ctx = { db, options: {}, fileIdx: 0, ridBase: 1, onRecords: () => undefined, keepOpen: () => Promise.reject(new Error('unused')) };
    try {
      expect(await loadTypedParquet(ctx, path)).toEqual({ records: 1, rows: 1 });
      expect(await loadTypedParquet(ctx, copyPathTwin(path))).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('gives the copy path\'s spans and report on varied rows: NULLs, conventions, duplicates, inherited tags', async () => {
    const { typed, copied } = await bothPaths(await parquet('varied.parquet', VARIED));
    expect(typed.rows).toEqual(copied.rows);
    expect(typed.report).toEqual(copied.report);
    // figures by hand: 9 distinct ids of 11 rows (one plain duplicate, one conflicting copy)
    expect(typed.report.loaded).toBe(9);
    expect(typed.report.duplicates).toBe(2);
    expect(typed.report.conflicts?.count).toBe(1);
    const byId = new Map(typed.rows.map((r) => [r.span_id, r]));
    // c: 1000 input with 800 + 50 cache cannot tell, but d (same source, 100 input under 800 cache) proves
    // the source exclusive: 1000 uncached; tags from b (route, user) and a (tenant, tier)
    expect(byId.get('c')).toMatchObject({ input_tokens: '1000', cache_read_tokens: '800', cache_write_5m_tokens: '50', tenant: 'acme', route: '/sub', user_id: 'u-1', tier: 'paid', input_convention: 'exclusive' });
    // e: OpenAI's 5000 input with 1000 cache read, alone in its source → inclusive, 4000 uncached
    expect(byId.get('e')).toMatchObject({ input_tokens: '4000', cache_read_tokens: '1000', input_convention: 'inclusive' });
    // d: 100 input under 800 cache read → exclusive; its own tenant wins over a's
    expect(byId.get('d')).toMatchObject({ input_tokens: '100', output_tokens: '7', tenant: 'other', route: '/sub', input_convention: 'exclusive' });
    expect(byId.get('c')?.start_time).toBe('2025-10-01 10:00:02.123456');
    expect(byId.get('c')?.end_time).toBe('2025-10-01 10:00:03.5');
    expect(byId.get('f')).toMatchObject({ start_time: '1970-01-02 00:00:00', operation: 'chat' });
    expect(byId.get('g')?.tenant).toBeNull();
    expect(byId.get('i')).toMatchObject({ trace_id: 't4', provider: 'gcp.vertex_ai', output_tokens: '40', reasoning_tokens: '40' });
  });

  it('gives the copy path\'s problems on bad values, and its spans when they are skipped', async () => {
    const path = await parquet('bad.parquet', `
      SELECT * FROM (VALUES ('t', 's1', -5::BIGINT, 1::BIGINT, 'x'), ('t', 's2', 7, -1, '2025-10-01T00:00:00Z'), ('t', 's3', 18446744073709551615::UBIGINT::HUGEINT, 0, 'soon'),
        ('', 's4', 1, 1, NULL), ('t', 's5', 3, 1730000000000, '1730000000'))
      v(trace_id, span_id, input_tokens, start_time, end_time)`);
    const strict = await Promise.allSettled([load([path]), load([copyPathTwin(path)])]);
    const messages = strict.map((s) => (s.status === 'rejected' ? String(s.reason.message).replaceAll(/\S+\.parquet/g, '<file>') : 'loaded'));
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toContain('<file> row 1: field end_time: bad timestamp: x');
    const { typed, copied } = await bothPaths(path, { skipInvalid: true });
    expect(typed.rows).toEqual(copied.rows);
    expect(typed.report).toEqual(copied.report);
    expect(typed.rows.map((r) => r.span_id)).toEqual(['s5']);
    expect(typed.rows[0]).toMatchObject({ start_time: '2024-10-27 03:33:20', end_time: '2024-10-27 03:33:20' });
  });

  it('gives the copy path\'s tags when a trace spans a JSON Lines file (raw table) and a Parquet file read in place', async () => {
    const trace = `${'0'.repeat(31)}1`;
    const root = join(dir, 'root.jsonl');
    writeFileSync(root, `${JSON.stringify({ trace_id: trace, span_id: 'root', operation: 'invoke_agent', tenant: 'from-jsonl', input_tokens: null })}\n`);
    const path = await parquet('children.parquet', `
      SELECT '${trace}' AS trace_id, 's' || i AS span_id, CASE WHEN i = 0 THEN 'root' ELSE 's' || (i - 1) END AS parent_span_id, 'chat' AS operation,
        TIMESTAMP '2025-10-01 10:00:00' + to_seconds(i) AS start_time, (100 * i)::INTEGER AS input_tokens, i::SMALLINT AS output_tokens
      FROM range(5) r(i)`);
    const { typed, copied } = await bothPaths(path, {}, [root]);
    expect(typed.rows).toEqual(copied.rows);
    expect(typed.report).toEqual(copied.report);
    // the chain root ← s0 ← s1 ← … ← s4: every span carries the root's tenant
    expect(typed.rows.filter((r) => r.tenant === 'from-jsonl')).toHaveLength(6);
    expect(typed.rows.find((r) => r.span_id === 's4')).toMatchObject({ input_tokens: '400', output_tokens: '4' });
  });
});

describe('a Parquet file read in place that turns out unreadable', () => {
  it('names the file (exit 2) when a data page is damaged past the footer the load read', async () => {
    const path = await parquet('damaged.parquet', `SELECT printf('%032x', i) AS trace_id, printf('%016x', i) AS span_id, i AS input_tokens FROM range(50000) r(i)`);
    const bytes = readFileSync(path);
    bytes.fill(0xff, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 400);
    writeFileSync(path, bytes);
    const db = await openMemoryDb();
    try {
      const err = await ingestSpanFiles(db, [path], {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CostattrError);
      expect((err as CostattrError).message).toContain(`${path}: cannot read:`);
      expect(await db.one(`SELECT count(*)::INTEGER AS n FROM spans`)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });
});

describe('ingest under a tiny memory limit', () => {
  let db: Database | undefined;
  afterEach(() => db?.close());

  it('loads 300k flat Parquet spans in 3-level traces under 192MB by spilling, with every figure right', async () => {
    const rows = 300_000;
    // traces of 6: a root with the tenant, a sub-agent with the route, four calls under the sub-agent
    const path = await parquet('big.parquet', `
      SELECT printf('%032x', i // 6) AS trace_id, printf('%016x', i) AS span_id,
        CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN printf('%016x', i - 1) ELSE printf('%016x', i - i % 6 + 1) END AS parent_span_id,
        CASE WHEN i % 6 < 2 THEN 'invoke_agent' ELSE 'chat' END AS operation,
        TIMESTAMP '2025-10-01' + to_seconds(i) AS start_time,
        CASE WHEN i % 6 >= 2 THEN 'anthropic' END AS provider, CASE WHEN i % 6 >= 2 THEN 'claude-sonnet-4-5' END AS response_model,
        CASE WHEN i % 6 >= 2 THEN i % 1000 END AS input_tokens, CASE WHEN i % 6 >= 2 THEN 7 END AS output_tokens,
        CASE WHEN i % 6 = 0 THEN 'tenant-' || ((i // 6) % 10) END AS tenant, CASE WHEN i % 6 = 1 THEN '/r' || ((i // 6) % 3) END AS route
      FROM range(${rows}) r(i)`);
    // 192MB: DuckDB's floor for a 2-thread insert into the 50-column staging and spans tables is near
    // 100MB whatever the rows; the work tables of 300k spans are larger than what is left (they spill)
    db = await Database.open({ path: join(dir, 'tiny.duckdb'), memoryLimit: '192MB' });
    const report = await ingestSpanFiles(db, [path], { userMemoryLimit: true });
    expect(report.loaded).toBe(rows);
    expect(existsSync(join(dir, 'tiny.duckdb.tmp'))).toBe(true); // DuckDB makes its spill directory only when it spills
    const sums = await db.one<Record<string, string>>(`
      SELECT count(*)::VARCHAR AS spans, sum(input_tokens)::VARCHAR AS input, count(*) FILTER (WHERE tenant IS NOT NULL)::VARCHAR AS tenanted,
        count(*) FILTER (WHERE route IS NOT NULL)::VARCHAR AS routed,
        count(*) FILTER (WHERE tenant = 'tenant-' || ((('0x' || trace_id)::BIGINT) % 10))::VARCHAR AS right_tenant
      FROM spans`);
    // by hand: calls are i with i % 6 in 2..5; their input is i % 1000; every span has its trace's tenant, all but roots a route
    let input = 0;
    for (let i = 0; i < rows; i++) if (i % 6 >= 2) input += i % 1000;
    expect(sums).toEqual({ spans: String(rows), input: String(input), tenanted: String(rows), routed: String((rows / 6) * 5), right_tenant: String(rows) });
  });
});
