// Issue 14, ingest side: inputs that used to give a plausible empty answer are refused with exit 2
// in the product's words — a directory with no span files (saying what was searched and found), files
// holding no spans (for ingest and for --spans on a read command), a --db that is not a DuckDB file —
// and paths are literal: `sp[1].csv` is read as itself, never as the glob matching `sp1.csv`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-refused-');
const HEADER = 'trace_id,span_id,operation,request_model,input_tokens,output_tokens,start_time';
const csv = (span: string, input: number): string => `${HEADER}\nt,${span},chat,gpt-4o,${input},1,2026-01-01T00:00:00Z\n`;

describe('inputs refused, paths literal', () => {
  it('a directory with no span files: exit 2 naming it, what was searched and what was found; nothing created', async () => {
    const empty = join(dir, 'empty');
    const other = join(dir, 'other');
    mkdirSync(empty);
    mkdirSync(join(other, 'sub'), { recursive: true });
    writeFileSync(join(other, 'sub', 'notes.txt'), 'hi');
    const db = join(dir, 'none.duckdb');
    const ingest = await runCli(['ingest', '--db', db, empty]);
    expect(ingest.code, ingest.stderr).toBe(2);
    expect(ingest.stderr).toContain(`${empty}: no span files in this directory (searched it and its subdirectories for .jsonl,`);
    expect(ingest.stderr).toContain('found no files at all');
    expect(existsSync(db), 'a failed first ingest leaves no database behind').toBe(false);
    const read = await runCli(['costs', '--by', 'tenant', '--spans', other]);
    expect(read.code, read.stderr).toBe(2);
    expect(read.stderr).toContain(`${other}: no span files in this directory`);
    expect(read.stderr).toContain('found 1 other file(s): sub/notes.txt');
  });

  it('files holding no spans: exit 2 saying what was read (ingest and --spans)', async () => {
    const blank = join(dir, 'blank.jsonl');
    writeFileSync(blank, '\n\n');
    const headerOnly = join(dir, 'header-only.csv');
    writeFileSync(headerOnly, `${HEADER}\n`);
    const ingest = await runCli(['ingest', '--db', join(dir, 'zero.duckdb'), blank, headerOnly]);
    expect(ingest.code, ingest.stderr).toBe(2);
    expect(ingest.stderr).toContain(`no spans in ${blank} (jsonl, 0 rows), ${headerOnly} (csv, 0 rows): nothing to load`);
    const read = await runCli(['costs', '--by', 'tenant', '--spans', headerOnly]);
    expect(read.code, read.stderr).toBe(2);
    expect(read.stderr).toContain(`no spans in ${headerOnly} (csv, 0 rows)`);
  });

  it('a file named sp[1].csv is read as itself, not as the glob matching sp1.csv', async () => {
    const literal = join(dir, 'sp[1].csv');
    writeFileSync(literal, csv('literal', 7));
    writeFileSync(join(dir, 'sp1.csv'), csv('globbed', 99));
    const db = join(dir, 'literal.duckdb');
    const result = await runCli(['ingest', '--db', db, '--quiet', literal]);
    expect(result.code, result.stderr).toBe(0);
    const handle = await Database.open({ path: db, readOnly: true });
    try {
      expect(await handle.all('SELECT span_id, input_tokens::INTEGER AS input FROM spans')).toEqual([{ span_id: 'literal', input: 7 }]);
    } finally {
      handle.close();
    }
  });

  it('an error inside sp[1].csv names sp[1].csv', async () => {
    const literal = join(dir, 'bad[2].csv');
    writeFileSync(literal, `${HEADER}\nt,x,chat,gpt-4o,-5,1,2026-01-01T00:00:00Z\n`);
    const result = await runCli(['ingest', '--db', join(dir, 'bad.duckdb'), literal]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${literal}:2`);
  });

  it('a --db that is not a DuckDB file: exit 2 in the product\'s words, for reads and ingest; the file untouched', async () => {
    const notDb = join(dir, 'notes.duckdb');
    writeFileSync(notDb, 'my notes\n');
    const spans = join(dir, 'one.csv');
    writeFileSync(spans, csv('one', 1));
    for (const args of [['costs', '--by', 'tenant', '--db', notDb], ['ingest', '--db', notDb, spans]]) {
      const result = await runCli(args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${notDb} is not a costattr database (not a DuckDB file)`);
      expect(result.stderr).not.toMatch(/IO Error/);
    }
    expect(readFileSync(notDb, 'utf8')).toBe('my notes\n');
  });
});
