// Unreadable records of the record-shaped sources (Langfuse, LiteLLM) and of invoices, through the
// built CLI: a junk line stops the ingest naming file, line and why, never in the database engine's
// words; --skip-invalid names the first ten on stderr and counts the rest; --rejects FILE writes
// every one (file, line or row, field, reason) as JSON Lines, and nothing else is lost.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const SOURCES = join(ROOT, 'fixtures/sources');
const ENGINE_WORDS = /Invalid Input Error|auto_detect|Try setting|sniff|Possible fixes/i;

/** The 4 Langfuse observations with `junk` lines after the 2nd: junk lines are 3 … 2 + junk. */
function langfuseWithJunk(dir: string, junk: number): string {
  const lines = readFileSync(join(SOURCES, 'langfuse-observations.jsonl'), 'utf8').trim().split('\n');
  const junkLines = Array.from({ length: junk }, (_, i) => (i === 0 ? '{"id": "obs-x", "traceId": broken' : `garbage ${i}`));
  const file = join(dir, 'observations.jsonl');
  writeFileSync(file, [...lines.slice(0, 2), ...junkLines, ...lines.slice(2)].join('\n') + '\n');
  return file;
}

it('a junk JSON line stops the ingest naming file and line, in JSON\'s words; nothing is stored', async () => {
  const dir = tempDir('costattr-rej-');
  const file = langfuseWithJunk(dir, 1);
  const db = join(dir, 'x.duckdb');
  const r = await runCli(['ingest', file, '--db', db]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${file}:3: not valid JSON: Unexpected token 'b'`);
  expect(r.stderr).not.toMatch(ENGINE_WORDS);
  expect(existsSync(db)).toBe(false); // a failed first ingest leaves no database behind
});

it('a CSV row with an unterminated quote names its line and first field', async () => {
  const dir = tempDir('costattr-rej-');
  const file = join(dir, 'spendlogs.csv');
  writeFileSync(file, `${readFileSync(join(SOURCES, 'litellm-spendlogs.csv'), 'utf8')}"req-broken,acompletion\n`);
  const rows = readFileSync(file, 'utf8').trim().split('\n').length;
  const r = await runCli(['ingest', file, '--db', join(dir, 'x.duckdb')]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${file}:${rows}: field request_id: unreadable CSV row: Value with unterminated quote found.`);
  expect(r.stderr).not.toMatch(ENGINE_WORDS);
});

it('--skip-invalid names the first ten and counts the rest; --rejects writes all 14 as JSON Lines', async () => {
  const dir = tempDir('costattr-rej-');
  const file = langfuseWithJunk(dir, 14);
  const rejects = join(dir, 'rejects.jsonl');
  const r = await runCli(['ingest', file, '--db', join(dir, 'x.duckdb'), '--skip-invalid', '--rejects', rejects]);
  expect(r.code).toBe(0);
  const skipped = r.stderr.split('\n').filter((l) => l.startsWith('skipped '));
  expect(skipped).toHaveLength(10);
  expect(skipped[1]).toBe(`skipped ${file}:4: not valid JSON: Unexpected token 'g', "garbage 1" is not valid JSON`);
  expect(r.stderr).toContain('… 4 more skipped (ingest --rejects FILE lists them all)');
  expect(r.stderr).toContain('loaded 4 spans');
  const written = readFileSync(rejects, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(written.map((w) => w.line)).toEqual(Array.from({ length: 14 }, (_, i) => i + 3));
  expect(written[13]).toEqual({ file, line: 16, reason: `not valid JSON: Unexpected token 'g', "garbage 13" is not valid JSON` });
});

it('--rejects lists invoice rows too, with their field, and is empty when nothing was skipped', async () => {
  const dir = tempDir('costattr-rej-');
  const invoice = join(dir, 'generic.csv');
  writeFileSync(invoice, 'provider,day,model,token_class,quantity,amount_usd\nopenai,2026-01-05,gpt-4.1,input,1000,0.002\nopenai,2026-01-05,gpt-4.1,output,lots,0.01\n');
  const rejects = join(dir, 'rejects.jsonl');
  const r = await runCli(['ingest', '--invoice', invoice, '--db', join(dir, 'x.duckdb'), '--rejects', rejects]);
  expect(r.code).toBe(0);
  expect(readFileSync(rejects, 'utf8')).toBe(`${JSON.stringify({ file: invoice, row: 3, field: 'quantity', reason: 'not a number: lots' })}\n`);
  const clean = await runCli(['ingest', join(SOURCES, 'litellm-spendlogs.jsonl'), '--db', join(dir, 'y.duckdb'), '--rejects', rejects]);
  expect(clean.code).toBe(0);
  expect(readFileSync(rejects, 'utf8')).toBe('');
});
