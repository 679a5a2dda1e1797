// The ingest marker at work on a torn database, built here by hand the way issue 16 found one: an
// ingest started (its started marker committed), its spans stored with the tag they gave a stored
// span, but never marked committed (nor its `ingests` row written).
// A read sees exactly what the last marker covers (the file untouched); the next write open rolls the
// rest back, tags resolved again; a database from before the marker is adopted whole.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withWorkspace } from '../../src/app/workspace.js';
import { Database } from '../../src/db/database.js';
import { ingestState } from '../../src/db/ingest-runs.js';
import { writeLines } from '../ingest/otlp-builder.js';
import { tempDir } from '../helpers/cli.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

const dir = tempDir('costattr-recovery-');
const base = join(dir, 'base.duckdb');
const TORN_ID = 7;

interface Seen extends Record<string, unknown> {
  spans: string;
  tenants: string;
}

const TENANTS_SQL = `SELECT count(*)::VARCHAR AS spans, string_agg(span_id || '=' || coalesce(tenant, '-'), ' ' ORDER BY span_id) AS tenants FROM spans`;

async function read(db: string): Promise<{ seen: Seen; notes: string[] }> {
  const notes: string[] = [];
  const seen = await withWorkspace({ access: 'read', db, note: (m) => notes.push(m) }, async ({ db: handle }) => (await handle.one<Seen>(TENANTS_SQL)) as Seen);
  return { seen, notes };
}

/** An ingest that stored the parent s20 (tenant t2) and the tag it gives the stored child s21, then died before its marker. */
async function tear(db: string): Promise<void> {
  copyFileSync(base, db);
  const handle = await Database.open({ path: db });
  try {
    await handle.exec('INSERT INTO ingest_runs (run_id, committed) VALUES (2, false)');
    await insertSpanRows(handle, [spanRow({ trace_id: 't2', span_id: 's20', ingest_id: TORN_ID, tag_tenant: 't2', tenant: 't2' })]);
    await handle.exec(`UPDATE spans SET tenant = 't2' WHERE span_id = 's21'`);
  } finally {
    handle.close();
  }
}

const COMMITTED: Seen = { spans: '2', tenants: 's1=t1 s21=-' };

describe('ingest marker: recovery of an unfinished ingest', () => {
  beforeAll(async () => {
    const spans = writeLines(dir, 'earlier.jsonl', [
      JSON.stringify({ trace_id: 't1', span_id: 's1', operation: 'chat', request_model: 'gpt-4o', input_tokens: 5, output_tokens: 1, tenant: 't1', start_time: '2026-01-01T00:00:00Z' }),
      JSON.stringify({ trace_id: 't2', span_id: 's21', parent_span_id: 's20', operation: 'chat', request_model: 'gpt-4o', input_tokens: 5, output_tokens: 1, start_time: '2026-01-01T00:00:00Z' }),
    ]);
    await withWorkspace({ access: 'write', db: base, spans: [spans], note: () => undefined }, async () => undefined);
    expect((await read(base)).seen).toEqual(COMMITTED);
  });

  it('a read sees what the last marker covers, says so, and leaves the file as it is', async () => {
    const db = join(dir, 'torn-read.duckdb');
    await tear(db);
    const bytes = readFileSync(db);
    const { seen, notes } = await read(db);
    expect(seen).toEqual(COMMITTED);
    expect(notes.join('\n')).toContain(`holds an unfinished ingest (ingest ids ${TORN_ID})`);
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });

  it('the next write open rolls it back, resolves the touched trace again and marks the result', async () => {
    const db = join(dir, 'torn-write.duckdb');
    await tear(db);
    const notes: string[] = [];
    await withWorkspace({ access: 'write', db, note: (m) => notes.push(m) }, async () => undefined);
    expect(notes.join('\n')).toContain(`an earlier ingest was interrupted; rolled back what it stored (ingest ids ${TORN_ID})`);
    const handle = await Database.open({ path: db, readOnly: true });
    try {
      expect(await handle.one(TENANTS_SQL)).toEqual(COMMITTED);
      expect(await ingestState(handle)).toEqual({ lastCommitted: 1, unfinished: [], interrupted: [] });
    } finally {
      handle.close();
    }
    expect((await read(db)).notes).toEqual([]);
  });

  it('rows written outside ingest (no started marker) are never taken for an unfinished ingest', async () => {
    const db = join(dir, 'by-hand.duckdb');
    copyFileSync(base, db);
    const handle = await Database.open({ path: db });
    await insertSpanRows(handle, [spanRow({ trace_id: 't3', span_id: 's30', ingest_id: 42 })]);
    handle.close();
    const { seen, notes } = await read(db);
    expect(seen.spans).toBe('3');
    expect(notes).toEqual([]);
  });

  it('a database written before the marker existed is adopted whole, nothing rolled back', async () => {
    const db = join(dir, 'legacy.duckdb');
    copyFileSync(base, db);
    const handle = await Database.open({ path: db });
    await handle.exec('DROP TABLE ingest_runs');
    handle.close();
    expect((await read(db)).seen).toEqual(COMMITTED);
    const notes: string[] = [];
    await withWorkspace({ access: 'write', db, note: (m) => notes.push(m) }, async () => undefined);
    expect(notes).toEqual([]);
    expect((await read(db)).seen).toEqual(COMMITTED);
  });
});
