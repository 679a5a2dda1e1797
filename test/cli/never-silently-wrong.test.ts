// Never silently wrong: each mistake a new user makes in a command line or an input is refused (exit 2)
// or fails the gate (exit 1) with a message that says what the data covers — never a plausible table
// with exit 0. One test per row of the table that the application layer owns; nothing is
// stored or created by a refused command. Data: the shared inbox fixture (spans 2026-10-06 … 10-15).
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const FIXTURE = join(ROOT, 'test/e2e/fixtures/inbox');
const SPANS = join(FIXTURE, 'spans.otlp.jsonl');
const INVOICES = ['anthropic-cost.csv', 'openai-cost.csv'].flatMap((f) => ['--invoice', join(FIXTURE, f)]);
const COVERS = 'spans cover 2026-10-06 … 2026-10-15';

const dir = tempDir('costattr-nsw-');
const db = join(dir, 'inbox.duckdb');

beforeAll(async () => {
  const ingest = await runCli(['ingest', SPANS, '--db', db, '--quiet']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

describe('never silently wrong', () => {
  it('a --db that does not exist is exit 2, and no file is created', async () => {
    const typo = join(dir, 'typo.duckdb');
    const r = await runCli(['costs', '--by', 'tenant', '--db', typo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no database at ${typo}`);
    expect(r.stdout).toBe('');
    expect(existsSync(typo)).toBe(false);
  });

  it('a period with no spans is exit 2 saying what the data covers', async () => {
    const r = await runCli(['costs', '--by', 'tenant', '--db', db, '--month', '2026-12']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no spans in 2026-12-01 – 2027-01-01 (until exclusive): ${COVERS}`);
    expect(r.stdout).toBe('');
  });

  it('a daily report for a day after the data ends is exit 2, for cron to notice', async () => {
    const r = await runCli(['report', 'daily', '--db', db, '--date', '2026-10-20']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(COVERS);
  });

  it('a period reaching past the data is answered with a note saying so', async () => {
    const r = await runCli(['costs', '--by', 'tenant', '--db', db, '--since', '2026-10-01', '--until', '2026-10-08', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`reaches past the data (${COVERS}); totals cover only those days`);
  });

  it('--since after --until is exit 2', async () => {
    const r = await runCli(['costs', '--by', 'tenant', '--db', db, '--since', '2026-10-10', '--until', '2026-10-05']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the period is empty');
  });

  it.each([
    ['anomalies', ['anomalies', '--tenant', 'acmee'], 'unknown tenant "acmee"', 'closest tenant names: acme'],
    ['audit', ['audit', '--tenant', 'umbrela'], 'unknown tenant "umbrela"', 'closest tenant names: umbrella'],
    ['whatif route', ['whatif', '--batch-share', 'sumary=0.5'], 'unknown route "sumary"', 'closest route names: summary'],
    ['whatif model', ['whatif', '--swap-model', 'claude-opus-4-1=claude-haiku-4-5'], 'unknown model "claude-opus-4-1"', 'closest model names:'],
  ])('an unknown name (%s) is exit 2 with the closest names', async (_what, args, message, hint) => {
    const r = await runCli([...args, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(hint);
    expect(r.stdout).toBe('');
  });

  it('a misspelt key in costattr.config.json is exit 2 naming the key and the file', async () => {
    const cwd = tempDir('costattr-nsw-config-');
    writeFileSync(join(cwd, 'costattr.config.json'), JSON.stringify({ namespce: 'inbox' }));
    const r = await runCli(['costs', '--by', 'tenant', '--db', db], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(cwd, 'costattr.config.json')}: unknown key "namespce"`);
    expect(r.stderr).toContain('did you mean "namespace"?');
  });

  it('a config value of the wrong shape is exit 2 naming the key', async () => {
    const cwd = tempDir('costattr-nsw-config-');
    writeFileSync(join(cwd, 'costattr.config.json'), JSON.stringify({ top: { n: 3 } }));
    const r = await runCli(['costs', '--by', 'tenant', '--db', db], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('key "top": expected a string, a number, true/false or a list of strings');
  });

  it('whatif --as-of a date before the book has prices is exit 2 naming the models', async () => {
    const r = await runCli(['whatif', '--as-of', '2019-01-01', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--as-of 2019-01-01: the price book has no prices on that date for claude-haiku-4-5 \(\d+ spans\), claude-sonnet-4-5/);
  });

  it('a read bounded by --memory-limit answers the same, spills to --temp-dir and writes nothing beside the database; a typo is exit 2', async () => {
    const args = ['reconcile', '--db', db, '--month', '2026-10', ...INVOICES, '--format', 'json', '--quiet'];
    const spill = join(tempDir('costattr-nsw-spill-'), 'spill');
    const unbounded = await runCli(args);
    const bounded = await runCli([...args, '--memory-limit', '64MB', '--temp-dir', spill]);
    expect(bounded.code, bounded.stderr).toBe(unbounded.code);
    expect(bounded.stdout).toBe(unbounded.stdout);
    const defaultSpill = await runCli([...args, '--memory-limit', '64MB']);
    expect(defaultSpill.stdout).toBe(unbounded.stdout);
    const settings = await runCli(['sql', "SELECT current_setting('memory_limit') AS m, current_setting('temp_directory') AS t", '--db', db,
      '--memory-limit', '64MB', '--temp-dir', spill, '--format', 'json', '--quiet']);
    expect(JSON.parse(settings.stdout)).toEqual([{ m: '61.0 MiB', t: spill }]);
    expect(readdirSync(dir).filter((f) => f.startsWith('inbox.duckdb')).sort()).toEqual(['inbox.duckdb']);
    const typo = await runCli(['costs', '--by', 'tenant', '--db', db, '--memory-limit', '2 gigs']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('--memory-limit 2 gigs: expected a size such as 512MB or 2GB');
  });

  it('--memory-limit abc is exit 2 naming the option, and no database is created', async () => {
    const fresh = join(dir, 'fresh.duckdb');
    const r = await runCli(['ingest', SPANS, '--db', fresh, '--memory-limit', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--memory-limit abc: expected a size such as 512MB or 2GB');
    expect(existsSync(fresh)).toBe(false);
  });

  it('a span file after --invoice stays a span file (file options take one value each)', async () => {
    const mixed = join(dir, 'mixed.duckdb');
    const r = await runCli(['ingest', '--invoice', join(FIXTURE, 'anthropic-cost.csv'), SPANS, '--db', mixed, '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { loaded: number; files: unknown[] };
    expect(report.files).toHaveLength(1);
    expect(report.loaded).toBe(261); // the fixture's 262 span records, one exported twice
  });

  it('reconcile over a month with no invoice lines is exit 2: the gate cannot pass on nothing', async () => {
    const r = await runCli(['reconcile', '--db', db, '--month', '2026-10', '--tolerance', '2%']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no invoice lines in 2026-10-01 – 2026-11-01 (until exclusive): no invoice lines are loaded; there is nothing to reconcile against');
    const outside = await runCli(['reconcile', '--db', db, '--month', '2026-09', ...INVOICES]);
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain(`no spans in 2026-09-01 – 2026-10-01 (until exclusive): ${COVERS}`);
  });

  it('an invoice usage line the book cannot value fails the gate (exit 1) and is listed', async () => {
    const usage = join(dir, 'usage.csv');
    // an Anthropic usage export (tokens, no cost) for a model the price book does not know
    writeFileSync(usage, [
      'usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens',
      '2026-10-07,claude-imaginary-9,inbox-prod,Default,standard,≤ 200k,1000000,0,0,0,1000',
    ].join('\n') + '\n');
    const r = await runCli(['reconcile', '--db', db, '--month', '2026-10', ...INVOICES, '--invoice', usage, '--tolerance', '50%']);
    expect(r.stderr).toContain('could not be valued by the price book; the gate cannot pass over them');
    expect(r.stderr).toMatch(/2026-10-07 anthropic claude-imaginary-9 input \(1000000 tokens\)/);
    expect(r.code).toBe(1);
  });

  it('a refused read leaves nothing behind in the working directory', async () => {
    const cwd = tempDir('costattr-nsw-cwd-');
    await runCli(['costs', '--by', 'tenant', '--db', 'nope.duckdb'], { cwd });
    expect(readdirSync(cwd)).toEqual([]);
  });
});
