// The hostile-input corpus: every file under cases/<reader>/ is fed to the built CLI the way a user
// would (the JSON documents that need no database — policies, snapshots, price overrides — go
// through the same reader functions in-process, to keep the suite fast), and must either load with the figures in manifest.json or exit 2 with a message naming the
// file and the place (line/row/field) — never a stack trace (exit 3), never a silent zero.
// `--skip-invalid` must load the rest and report exactly what it skipped (loaded + skipped = read).
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPolicyFile } from '../../src/analysis/guard/policy.js';
import { looksLikeSnapshot, parseSnapshot } from '../../src/analysis/snapshot.js';
import { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { loadPriceBook } from '../../src/pricebook/index.js';
import { runCli, tempDir, type CliResult } from '../helpers/cli.js';

interface SkipExpectation {
  read: number;
  loaded: number;
  skipped: number[];
}

interface Figures {
  spans?: number;
  input_tokens?: string;
  output_tokens?: string;
  tenants?: Array<string | null>;
  start_times?: string[];
  lines?: number;
  quantity?: string;
  amount_usd?: string;
  days?: string[];
  revenue?: string[][];
}

interface Case {
  file: string;
  exit: 0 | 2;
  message?: string[];
  skipInvalid?: SkipExpectation;
  figures?: Figures;
  knownFailing?: boolean;
  reason?: string;
}

const HERE = import.meta.dirname;
const CASES = join(HERE, 'cases');
const manifest = JSON.parse(readFileSync(join(HERE, 'manifest.json'), 'utf8')) as { cases: Case[] };
const work = tempDir('costattr-hostile-');
const CONCURRENCY = 4;

type Reader = 'spans' | 'invoices' | 'revenue' | 'policies' | 'snapshots' | 'pricing';
const readerOf = (c: Case) => c.file.split('/')[0] as Reader;
const dbFor = (c: Case, variant: string) => join(work, `${c.file.replace(/[^a-z0-9]+/gi, '_')}.${variant}.duckdb`);

/** The command line a user would type to load this case's file into a database. */
function argsFor(c: Case, db: string, skipInvalid: boolean): string[] {
  const file = join(CASES, c.file);
  const skip = skipInvalid ? ['--skip-invalid'] : [];
  return readerOf(c) === 'spans' ? ['ingest', '--db', db, '--namespace', 'acme', '--json', ...skip, file]
    : readerOf(c) === 'invoices' ? ['ingest', '--db', db, '--invoice', file, ...skip]
    : ['ingest', '--db', db, '--revenue', file, ...skip];
}

/** A JSON document read by the function the command uses, with the CLI's exit-code mapping. */
async function readDocument(c: Case): Promise<CliResult> {
  const file = join(CASES, c.file);
  try {
    const reader = readerOf(c);
    if (reader === 'policies') readPolicyFile(file);
    else if (reader === 'pricing') await loadPriceBook([file]);
    else {
      const text = readFileSync(file, 'utf8');
      if (!looksLikeSnapshot(text)) throw new CostattrError('BAD_INPUT', `${file}: not a snapshot: diff would read it as span files`);
      parseSnapshot(file, text);
    }
    return { code: 0, stdout: '', stderr: '' };
  } catch (err) {
    if (err instanceof CostattrError) return { code: err.exitCode, stdout: '', stderr: `costattr: ${err.message}\n` };
    return { code: 3, stdout: '', stderr: `costattr: internal error: ${String(err)}\n` };
  }
}

const IN_PROCESS: readonly Reader[] = ['policies', 'snapshots', 'pricing'];

interface SkipRun {
  result: CliResult;
  db: string;
}
interface Outcome {
  plain: CliResult;
  skip?: SkipRun;
}
const outcomes = new Map<string, Outcome>();

/**
 * `--skip-invalid` runs of the cases expected to pass share one process per reader (every file gets
 * its own figures in the report), which keeps the suite fast; known-failing cases run alone, since
 * one of them may stop the whole run.
 */
function batchedSkipRuns(jobs: Array<() => Promise<void>>): void {
  for (const reader of ['spans', 'invoices'] as const) {
    const cases = manifest.cases.filter((c) => c.skipInvalid && !c.knownFailing && readerOf(c) === reader);
    const db = join(work, `skip-batch-${reader}.duckdb`);
    const files = cases.map((c) => join(CASES, c.file));
    const args = reader === 'spans' ? ['ingest', '--db', db, '--namespace', 'acme', '--json', '--skip-invalid', ...files]
      : ['ingest', '--db', db, '--skip-invalid', ...files.flatMap((file) => ['--invoice', file])];
    jobs.push(async () => {
      const result = await runCli(args);
      for (const c of cases) (outcomes.get(c.file) as Outcome).skip = { result, db };
    });
  }
}

async function runAll(): Promise<void> {
  const jobs: Array<() => Promise<void>> = [];
  for (const c of manifest.cases) {
    const outcome: Outcome = { plain: { code: -1, stdout: '', stderr: '' } };
    outcomes.set(c.file, outcome);
    if (IN_PROCESS.includes(readerOf(c))) outcome.plain = await readDocument(c);
    else jobs.push(async () => { outcome.plain = await runCli(argsFor(c, dbFor(c, 'plain'), false)); });
    const alone = c.skipInvalid && (c.knownFailing || readerOf(c) === 'revenue');
    if (alone) jobs.push(async () => { outcome.skip = { result: await runCli(argsFor(c, dbFor(c, 'skip'), true)), db: dbFor(c, 'skip') }; });
  }
  batchedSkipRuns(jobs);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await (jobs[next++] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function withDb<T>(path: string, read: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open({ path, readOnly: true });
  try {
    return await read(db);
  } finally {
    db.close();
  }
}

/** What the load stored, in the shape of the manifest's `figures` (only the keys it names). */
async function storedFigures(c: Case, path: string): Promise<Figures> {
  const want = c.figures ?? {};
  return withDb(path, async (db) => {
    const got: Figures = {};
    if (want.spans !== undefined || want.input_tokens !== undefined || want.output_tokens !== undefined) {
      const row = await db.one<{ n: string; i: string | null; o: string | null }>(
        'SELECT count(*)::VARCHAR AS n, sum(input_tokens)::VARCHAR AS i, sum(output_tokens)::VARCHAR AS o FROM spans');
      if (want.spans !== undefined) got.spans = Number(row?.n);
      if (want.input_tokens !== undefined) got.input_tokens = row?.i ?? '0';
      if (want.output_tokens !== undefined) got.output_tokens = row?.o ?? '0';
    }
    if (want.tenants) got.tenants = (await db.all<{ t: string | null }>('SELECT tenant AS t FROM spans ORDER BY span_id')).map((r) => r.t);
    if (want.start_times) {
      got.start_times = (await db.all<{ t: string }>(`SELECT strftime(start_time, '%Y-%m-%d %H:%M:%S') AS t FROM spans ORDER BY start_time`)).map((r) => r.t);
    }
    if (want.lines !== undefined || want.quantity !== undefined || want.amount_usd !== undefined) {
      const row = await db.one<{ n: string; q: string | null; a: string | null }>(
        'SELECT count(*)::VARCHAR AS n, sum(quantity)::VARCHAR AS q, sum(amount_usd)::VARCHAR AS a FROM invoice_lines');
      if (want.lines !== undefined) got.lines = Number(row?.n);
      if (want.quantity !== undefined) got.quantity = row?.q ?? '0';
      if (want.amount_usd !== undefined) got.amount_usd = row?.a ?? '0';
    }
    if (want.days) got.days = (await db.all<{ d: string }>('SELECT DISTINCT day::VARCHAR AS d FROM invoice_lines ORDER BY d')).map((r) => r.d);
    if (want.revenue) {
      got.revenue = (await db.all<{ t: string; m: string; r: string }>('SELECT tenant AS t, month AS m, revenue_usd::VARCHAR AS r FROM revenue ORDER BY tenant'))
        .map((r) => [r.t, r.m, r.r]);
    }
    return got;
  });
}

function expectNoCrash(result: CliResult): void {
  expect(result.code, result.stderr).not.toBe(3);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+\)?\n/);
}

/** The skipped lines/rows a run reports: the span ingest's JSON report, else the notes on stderr (+ the invoice `ingests` row). */
async function skipReport(c: Case, run: SkipRun): Promise<SkipExpectation> {
  const { result } = run;
  const file = join(CASES, c.file);
  if (readerOf(c) === 'spans') {
    const report = JSON.parse(result.stdout) as {
      files: Array<{ path: string; recordsRead: number; loaded: number; duplicates: number; rejected: number }>;
      problems: Array<{ file: string; line?: number; row?: number }>;
    };
    const mine = report.files.find((f) => f.path === file);
    const skipped = report.problems.filter((p) => p.file === file).map((p) => p.line ?? p.row ?? -1);
    expect(mine?.rejected).toBe(skipped.length);
    // files of one batch share trace ids: a span already stored by an earlier file counts as a duplicate
    return { read: mine?.recordsRead ?? -1, loaded: (mine?.loaded ?? 0) + (mine?.duplicates ?? 0), skipped };
  }
  const skipped = result.stderr.split('\n').filter((line) => line.startsWith(`skipped ${file}`))
    .map((line) => Number(/^skipped .*?(?::|row )(\d+):/.exec(line)?.[1]));
  if (readerOf(c) === 'revenue') {
    const summary = /^loaded (\d+) revenue rows of (\d+) from .* \((\d+) skipped\)$/m.exec(result.stderr);
    expect(Number(summary?.[3])).toBe(skipped.length);
    return { read: Number(summary?.[2]), loaded: Number(summary?.[1]), skipped };
  }
  const ingest = await withDb(run.db, (db) =>
    db.one<{ read: string; rejected: string }>(`SELECT records_read::VARCHAR AS read, rejected::VARCHAR AS rejected FROM ingests WHERE path = $file`, { file }));
  const read = Number(ingest?.read);
  const rejected = Number(ingest?.rejected);
  expect(rejected).toBe(skipped.length);
  return { read, loaded: read - rejected, skipped };
}

async function check(c: Case): Promise<void> {
  const outcome = outcomes.get(c.file) as Outcome;
  const result = outcome.plain;
  expectNoCrash(result);
  expect(result.code, result.stderr).toBe(c.exit);
  if (c.exit === 2) {
    expect(result.stderr).toContain(basename(c.file));
    for (const fragment of c.message ?? []) expect(result.stderr).toContain(fragment);
  }
  if (c.exit === 0 && c.figures) {
    expect(await storedFigures(c, dbFor(c, 'plain'))).toEqual(c.figures);
  }
  if (c.skipInvalid) {
    expect(outcome.skip).toBeDefined();
    if (!outcome.skip) return;
    expectNoCrash(outcome.skip.result);
    expect(outcome.skip.result.code, outcome.skip.result.stderr).toBe(0);
    const report = await skipReport(c, outcome.skip);
    expect(report).toEqual(c.skipInvalid);
    expect(report.loaded + report.skipped.length).toBe(report.read);
  }
}

describe('hostile input corpus', () => {
  beforeAll(runAll, 240_000);
  afterAll(() => outcomes.clear());

  for (const c of manifest.cases) {
    if (c.knownFailing) {
      it.fails(`${c.file} (known failing: ${c.reason ?? 'see manifest'})`, () => check(c));
    } else {
      it(c.file, () => check(c));
    }
  }

  it('lists every file in cases/ exactly once', async () => {
    const { readdirSync } = await import('node:fs');
    const onDisk = readdirSync(CASES).flatMap((dir) => readdirSync(join(CASES, dir)).map((f) => `${dir}/${f}`)).sort();
    expect(manifest.cases.map((c) => c.file).sort()).toEqual(onDisk);
  });
});
