// `costattr sql` is a sandbox: the database's own tables and views answer, but no file on the machine
// can be read or written through it (file readers, glob, COPY, ATTACH), no extension installed or
// loaded, no setting changed, and nothing stored changes (the database file stays byte-identical).
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-sandbox-');
const db = join(dir, 'costs.duckdb');
const leak = join(dir, 'leak.csv');
const digest = (): string => createHash('sha256').update(readFileSync(db)).digest('hex');
let before: string;

beforeAll(async () => {
  const ingest = await runCli(['ingest', join(ROOT, 'test/e2e/fixtures/costs-mini.otlp.jsonl'), '--db', db, '--quiet']);
  expect(ingest.code).toBe(0);
  before = digest();
});

describe('sql sandbox', () => {
  it('answers from the stored tables and the priced view', async () => {
    const r = await runCli(['sql', 'SELECT count(*) AS spans FROM spans WHERE trace_id IN (SELECT trace_id FROM priced_spans)', '--db', db, '--format', 'json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ spans: number | string }>)[0]?.spans).not.toBe(0);
  });

  it('CSV neutralises text cells only: a negative DECIMAL stays a number', async () => {
    const r = await runCli(['sql', "SELECT -5.25::DECIMAL(10,2) AS amount, '-2+3' AS name", '--db', db, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("amount,name\n-5.25,'-2+3\n");
  });

  it.each([
    ['read_text', "SELECT * FROM read_text('/etc/passwd')"],
    ['read_csv', "SELECT * FROM read_csv('/etc/passwd')"],
    ['read_json', "SELECT * FROM read_json('/etc/hostname')"],
    ['a file as a table', "SELECT * FROM '/etc/passwd'"],
    ['glob', "SELECT * FROM glob('/etc/*')"],
    ['COPY … TO', `COPY (SELECT 1) TO '${leak}'`],
    ['ATTACH', `ATTACH '${join(dir, 'other.duckdb')}' AS other`],
    ['INSTALL', 'INSTALL httpfs'],
    ['LOAD', 'LOAD httpfs'],
    ['SET', "SET enable_external_access = true"],
    ['a write', "INSERT INTO ingests SELECT * FROM ingests"],
    ['a sequence', "SELECT nextval('ingest_seq')"],
    ['DDL', 'CREATE TABLE stolen AS SELECT 1'],
  ])('refuses %s with exit 2, and the database is unchanged', async (_name, query) => {
    const r = await runCli(['sql', query, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^costattr: sql: /);
    expect(r.stdout).toBe('');
    expect(existsSync(leak)).toBe(false);
    expect(digest()).toBe(before);
  });
});
