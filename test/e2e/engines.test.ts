// The same analyses on both engines: the inbox fixture (test/e2e/fixtures/inbox) ingested into a
// span lake, then `reconcile`, `costs` and `audit` run with DuckDB over the lake, with embedded ClickHouse (chdb) and
// with a ClickHouse server over HTTP (a fake one on 127.0.0.1 that runs each query through chdb);
// every answer must be the golden of the --db run, byte for byte, in JSON and Markdown. The goldens'
// figures are re-derived by hand in commands.test.ts.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedRollupIsCurrent } from '../../src/analysis/cost-rollup.js';
import { withWorkspace } from '../../src/app/workspace.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { fakeClickHouse, type FakeClickHouse } from '../helpers/fake-clickhouse.js';
import { expectGolden } from '../helpers/golden.js';
import { ENGINE_COMMANDS, INBOX_FIXTURE, inboxLake, twoMonthLake } from '../helpers/lakes.js';
import { ROOT } from '../helpers/cli.js';

const GOLDEN = join(ROOT, 'test/e2e/golden/inbox');
const CREDENTIALS = { CLICKHOUSE_USER: 'costattr', CLICKHOUSE_PASSWORD: 's3cret' };

let lake: string;
let server: FakeClickHouse;

beforeAll(async () => {
  lake = await inboxLake('costattr-engines-');
  server = await fakeClickHouse(CREDENTIALS.CLICKHOUSE_USER, CREDENTIALS.CLICKHOUSE_PASSWORD);
});

afterAll(async () => {
  await server.close();
});

const ENGINES: Record<string, () => { args: string[]; env?: Record<string, string> }> = {
  'duckdb over the lake': () => ({ args: ['--engine', 'duckdb'] }),
  'embedded clickhouse': () => ({ args: ['--engine', 'clickhouse'] }),
  'clickhouse over http': () => ({ args: ['--engine', 'clickhouse', '--clickhouse-url', server.url], env: CREDENTIALS }),
};

describe.each(Object.keys(ENGINES))('%s: the --db goldens, byte for byte', (name) => {
  // the fake server runs the same chdb queries as embedded ClickHouse: there, a command over the spans' roll-ups and the one over invoices
  const commands = name === 'clickhouse over http' ? ENGINE_COMMANDS.filter(([golden]) => golden === 'reconcile' || golden === 'costs-by-tenant') : ENGINE_COMMANDS;
  it.each(commands)('%s', async (golden, args) => {
    const engine = ENGINES[name]!();
    // Markdown too where the engine runs in the CLI's process; the fake server runs the same chdb queries, so JSON there
    for (const format of name === 'clickhouse over http' ? ['json'] : ['json', 'md']) {
      const result = await runCli([...args, '--lake', lake, ...engine.args, '--quiet', '--format', format], { env: engine.env });
      expect(result.code, result.stderr).toBe(0);
      expectGolden(join(GOLDEN, `${golden}.${format}`), result.stdout);
    }
    if (name === 'clickhouse over http') expect(server.queries.some((q) => q.includes('file('))).toBe(true);
  });
});

describe('the lake carries the stored cost roll-ups', () => {
  it('a lake read answers from them on both engines (and the goldens above are the --db answers)', async () => {
    const current = await withWorkspace({ access: 'read', lake, engine: 'clickhouse', note: () => undefined },
      async ({ db, engine }) => [await storedRollupIsCurrent(db), await storedRollupIsCurrent(engine)]);
    expect(current).toEqual([true, true]);
  });

  it('not with another book: --pricing re-prices the spans', async () => {
    const discount = join(tempDir('costattr-engines-book-'), 'haiku-discount.json');
    writeFileSync(discount, JSON.stringify({
      provider: 'anthropic',
      models: [{ model: 'claude-haiku-4-5', aliases: [], prices: [{ effective_from: '2025-01-01', tier: 'standard', per_mtok: { input: '0.5', cache_read: '0.05', cache_write_5m: '0.625', cache_write_1h: '1', output: '2.5' } }] }],
    }));
    const current = await withWorkspace({ access: 'read', lake, pricing: [discount], note: () => undefined }, ({ db }) => storedRollupIsCurrent(db));
    expect(current).toBe(false);
  });
});

describe('a lake of two months (a table in two partitions)', () => {
  it('embedded ClickHouse reads both, from any working directory, as DuckDB does', async () => {
    const months = await twoMonthLake('costattr-engines-months-');
    const dir = dirname(months);
    const answers = await Promise.all(['duckdb', 'clickhouse'].map((engine) =>
      runCli(['costs', '--by', 'month', '--lake', months, '--engine', engine, '--format', 'json', '--quiet'], { cwd: dir })));
    for (const answer of answers) expect(answer.code, answer.stderr).toBe(0);
    expect(answers[1]!.stdout).toBe(answers[0]!.stdout);
    const rows = (JSON.parse(answers[0]!.stdout) as { rows: Array<{ month: string }> }).rows;
    expect(rows.map((r) => r.month).sort()).toEqual(['2026-01', '2026-02']);
  });
});

describe('a --timezone other than UTC: ClickHouse answers as DuckDB over the lake', () => {
  it.each([
    ['costs', '--by', 'day,tenant', '--timezone', 'America/New_York'],
    ['audit', '--tenant', 'acme', '--month', '2026-10', '--timezone', 'Asia/Kolkata'],
  ])('%s %s %s', async (...args) => {
    const run = async (engine: string) => runCli([...args, '--lake', lake, '--engine', engine, '--quiet', '--format', 'json']);
    const [duckdb, clickhouse] = [await run('duckdb'), await run('clickhouse')];
    expect(duckdb.code, duckdb.stderr).toBe(0);
    expect(clickhouse.code, clickhouse.stderr).toBe(0);
    expect(clickhouse.stdout).toBe(duckdb.stdout);
  });
});

describe('--engine clickhouse refuses what it cannot do (exit 2)', () => {
  it('--pricing: the lake is priced at ingest', async () => {
    const result = await runCli(['reconcile', '--month', '2026-10', '--lake', lake, '--engine', 'clickhouse', '--pricing', `${INBOX_FIXTURE}/guard-policy.json`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/priced once, when it is written/);
  });

  it('without a lake', async () => {
    const result = await runCli(['reconcile', '--month', '2026-10', '--spans', `${INBOX_FIXTURE}/spans.otlp.jsonl`, '--engine', 'clickhouse']);
    expect(result.code).toBe(2);
  });

  it('wrong credentials are the server refusing', async () => {
    const result = await runCli(['reconcile', '--month', '2026-10', '--lake', lake, '--engine', 'clickhouse', '--clickhouse-url', server.url],
      { env: { CLICKHOUSE_USER: 'costattr', CLICKHOUSE_PASSWORD: 'wrong' } });
    expect(result.code).not.toBe(0);
  });
});
