// Tables that fit: the built CLI's table output at COLUMNS=80 and 200 compared with golden files
// (test/e2e/golden/widths/), every table line within the width, a note naming the columns left out,
// --wide for all of them, date order by day; and the colour switches (NO_COLOR, FORCE_COLOR when
// piped, --color/--no-color). Same fixture as commands.test.ts, ingested once into a temp --db.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';

const FIXTURE = 'test/e2e/fixtures/inbox';
const GOLDEN = join(ROOT, 'test/e2e/golden/widths');
const ANSI = /\x1b\[[0-9;]*m/; // eslint-disable-line no-control-regex
let db: string;

beforeAll(async () => {
  db = join(tempDir('costattr-widths-'), 'inbox.duckdb');
  const ingest = await runCli(['ingest', `${FIXTURE}/spans.otlp.jsonl`, '--db', db, '--quiet']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

const runs = new Map<string, CliResult>();

/** The table a command prints (each distinct command line and environment runs once: spawning the CLI is the slow part). */
async function table(args: string[], env: Record<string, string> = {}): Promise<string> {
  const key = JSON.stringify([args, env]);
  const result = runs.get(key) ?? (await runCli([...args, '--db', db, '--quiet'], { env }));
  runs.set(key, result);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

/** Lines drawn by the table (borders and rows), not titles or notes. */
const tableLines = (text: string): string[] => text.split('\n').filter((line) => /^[┌│└├]/.test(line));
const widest = (text: string): number => Math.max(...tableLines(text).map((line) => [...line].length));

const COMMANDS: Array<[name: string, args: string[]]> = [
  ['costs-by-tenant', ['costs', '--by', 'tenant']],
  ['costs-by-day', ['costs', '--by', 'day']],
  ['anomalies', ['anomalies']],
  ['audit-acme', ['audit', '--tenant', 'acme']],
  ['quality', ['quality']],
];

describe('tables fit the terminal', () => {
  it.each(COMMANDS)('%s at 80 and 200 columns', async (name, args) => {
    for (const columns of [80, 200]) {
      const out = await table(args, { COLUMNS: String(columns) });
      expect(widest(out), `${name} at ${columns}`).toBeLessThanOrEqual(columns);
      expectGolden(join(GOLDEN, `${name}-${columns}.txt`), out);
    }
  });

  it('names the columns left out, and --wide shows them all', async () => {
    const narrow = await table(['costs', '--by', 'tenant'], { COLUMNS: '80' });
    expect(narrow).toContain('not shown to fit 80 columns: p99/run, cache write, spans, p95/run, input, cache read (--wide shows every column)');
    expect(tableLines(narrow)[1]).toBe('│ tenant           │  cost │ runs │ output │  share │ p50/run │ cache hit │');
    const wide = await table(['costs', '--by', 'tenant', '--wide'], { COLUMNS: '80' });
    expect(wide).not.toContain('not shown');
    expect(tableLines(wide)[1]).toContain('│ p99/run │ cache hit │');
    expect(widest(wide)).toBeGreaterThan(80);
  });

  it('--by day reads in date order, not by cost', async () => {
    const days = tableLines(await table(['costs', '--by', 'day'], { COLUMNS: '200' })).map((line) => /│ (\d{4}-\d{2}-\d{2}) /.exec(line)?.[1]).filter(Boolean);
    expect(days).toEqual(['2026-10-06', '2026-10-07', '2026-10-08', '2026-10-13', '2026-10-14', '2026-10-15']);
  });
});

describe('colour', () => {
  const costs = ['costs', '--by', 'tenant'];
  it('is off when piped, and under NO_COLOR', async () => {
    expect(await table(costs, { NO_COLOR: '' })).not.toMatch(ANSI);
    expect(await table(costs, { NO_COLOR: '1', FORCE_COLOR: '1' })).not.toMatch(ANSI);
  });

  it('FORCE_COLOR colours piped output, FORCE_COLOR=0 and --no-color do not', async () => {
    expect(await table(costs, { NO_COLOR: '', FORCE_COLOR: '1' })).toMatch(ANSI);
    expect(await table(costs, { NO_COLOR: '', FORCE_COLOR: '0' })).not.toMatch(ANSI);
    expect(await table([...costs, '--no-color'], { NO_COLOR: '', FORCE_COLOR: '1' })).not.toMatch(ANSI);
  });

  it('--color colours piped output, even under NO_COLOR, before or after the command', async () => {
    expect(await table([...costs, '--color'], { NO_COLOR: '1' })).toMatch(ANSI);
    expect(await table(['--color', ...costs], { NO_COLOR: '1' })).toMatch(ANSI);
  });
});
