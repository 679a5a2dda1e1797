// Crash consistency at every step of an ingest's commit. `costattr ingest spans --invoice --revenue`
// on a database holding an earlier ingest is SIGKILLed at named points (COSTATTR_TEST_KILL_AT: before
// the transaction, after each part is written, with the marker written but not committed, while
// COMMIT runs, after it, while CHECKPOINT runs), at random delays, and the moment the WAL appears
// (≥ 50 kills). After each kill, what a read command sees is exactly the earlier data or exactly the
// whole run, figures computed here by hand; then the next ingest (which rolls an unfinished one
// back) is re-run and holds the whole run.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { storedRollupIsCurrent } from '../../src/analysis/cost-rollup.js';
import { withWorkspace } from '../../src/app/workspace.js';
import type { Database } from '../../src/db/database.js';
import { hasRevenueTable } from '../../src/db/schema.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { writeInterruptedRun } from '../helpers/interrupted-run.js';

const dir = tempDir('costattr-killpoints-');
const base = join(dir, 'base.duckdb');
const { earlier, run, more } = writeInterruptedRun(dir);
const invoice = join(dir, 'invoice.csv');
writeFileSync(invoice, [
  'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status',
  '2026-01-01,Claude Haiku 4.5,Default,k,message,≤ 200k,input_no_cache,0.10,0.10,token,not_available,,apikey_01,active',
  '2026-01-01,Claude Haiku 4.5,Default,k,message,≤ 200k,output,0.25,0.25,token,not_available,,apikey_01,active',
  '2026-01-02,Claude Haiku 4.5,Default,k,message,≤ 200k,input_no_cache,1.00,1.00,token,not_available,,apikey_01,active',
].join('\n') + '\n');
const revenue = join(dir, 'revenue.csv');
writeFileSync(revenue, 'tenant,month,revenue_usd\nt1,2026-01,500\nt9,2026-01,70\n');

interface Figures {
  spans: number;
  inputTokens: number;
  ingests: number;
  invoiceLines: number;
  invoiceUsd: string;
  revenueRows: number;
  /** Tenant of trace 1's child and of trace 2's stored child: tag resolution across the two ingests. */
  childTenants: string;
  /** The stored cost roll-up, when reads use it, holds exactly what the spans give per run and tenant. */
  rollupAgrees: boolean;
}

const moreInput = more.reduce((n, m) => n + m.input, 0);
const BEFORE: Figures = { spans: 2, inputTokens: 300, ingests: 1, invoiceLines: 0, invoiceUsd: '0.00', revenueRows: 0, childTenants: 'none,none', rollupAgrees: true };
const AFTER: Figures = {
  spans: 2 + 2 + more.length, inputTokens: 300 + 300 + moreInput, ingests: 3, invoiceLines: 3, invoiceUsd: '1.35', revenueRows: 2, childTenants: 't1,t2', rollupAgrees: true,
};

const quiet = (): void => undefined;

/** Runs whose (tenant, spans, cost) differ between the cost roll-up and the priced spans. */
const ROLLUP_DIFFERENCES = `
  WITH rolled AS (SELECT trace_id, tenant, sum(spans) AS n, sum(cost_usd) AS c FROM cost_rollup JOIN runs USING (run) GROUP BY ALL),
       raw AS (SELECT trace_id, tenant, count(*) AS n, sum(cost_usd) AS c FROM priced_spans GROUP BY ALL)
  SELECT count(*)::VARCHAR AS n FROM ((FROM rolled EXCEPT FROM raw) UNION ALL (FROM raw EXCEPT FROM rolled))`;

async function rollupAgrees(handle: Database): Promise<boolean> {
  if (!(await storedRollupIsCurrent(handle))) return true; // reads roll the spans up themselves
  return (await handle.one<{ n: string }>(ROLLUP_DIFFERENCES))?.n === '0';
}

/** What a read command sees, in a read workspace as `costs`, `sql`, … open it. */
async function figuresIn(handle: Database): Promise<Figures> {
  const row = await handle.one<Record<string, string>>(`
    SELECT (SELECT count(*) FROM spans)::VARCHAR AS spans,
           (SELECT coalesce(sum(input_tokens), 0) FROM spans)::VARCHAR AS input,
           (SELECT count(*) FROM ingests)::VARCHAR AS ingests,
           (SELECT count(*) FROM invoice_lines)::VARCHAR AS lines,
           (SELECT coalesce(sum(amount_usd), 0)::DECIMAL(18,2) FROM invoice_lines)::VARCHAR AS usd,
           (SELECT string_agg(coalesce(tenant, 'none'), ',' ORDER BY trace_id) FROM spans WHERE span_id IN ($c1, $c2)) AS children`,
  { c1: 's2', c2: 's21' });
  const revenueRows = (await hasRevenueTable(handle)) ? Number((await handle.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM revenue'))?.n) : 0;
  const children = row?.children ?? 'none';
  return {
    spans: Number(row?.spans), inputTokens: Number(row?.input), ingests: Number(row?.ingests), invoiceLines: Number(row?.lines),
    invoiceUsd: row?.usd ?? '', revenueRows, childTenants: children.includes(',') ? children : `none,${children}`,
    rollupAgrees: await rollupAgrees(handle),
  };
}

/** What a read command sees: the same read workspace `costs`, `sql`, … open. */
async function seen(db: string): Promise<Figures> {
  return withWorkspace({ access: 'read', db, note: quiet }, ({ db: handle }) => figuresIn(handle));
}

const ingestArgs = (db: string): string[] => ['ingest', '--db', db, '--quiet', run, '--invoice', invoice, '--revenue', revenue];

interface Kill {
  /** COSTATTR_TEST_KILL_AT, or a delay in ms the test kills after, or 'wal': when the WAL file appears. */
  at: string | number;
}

/** Run the ingest on a copy of the base database and kill it as `kill` says; resolves when it is gone. */
function killedIngest(db: string, kill: Kill): Promise<number | null> {
  copyFileSync(base, db);
  const env = { ...process.env, TZ: 'UTC', ...(typeof kill.at === 'string' && kill.at !== 'wal' ? { COSTATTR_TEST_KILL_AT: kill.at } : {}) };
  const child = spawn(process.execPath, [join(ROOT, 'bin/costattr.js'), ...ingestArgs(db)], { env, stdio: 'ignore' });
  const gone = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  if (typeof kill.at === 'number') setTimeout(() => child.kill('SIGKILL'), kill.at);
  if (kill.at === 'wal') {
    const watcher = watch(dir, (_, name) => {
      if (name === `${db.split('/').pop()}.wal` && existsSync(`${db}.wal`)) child.kill('SIGKILL');
    });
    void gone.then(() => watcher.close());
  }
  return gone;
}

const NAMED = [
  'staged', 'spans-written', 'rollup-written', 'invoices-written', 'revenue-written', 'marker-written',
  'commit', 'commit@0', 'commit@1', 'commit@2', 'commit@4', 'committed',
  'checkpoint@0', 'checkpoint@1', 'checkpoint@2', 'checkpoint@4', 'checkpoint@8',
];
const RANDOM = 14; // with the 17 named points and the WAL moments; each run of the suite draws new delays
const WAL = 6;

async function inBatches<T, R>(items: readonly T[], size: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(each))));
  return results;
}

let killed = 0;

/**
 * Kill an ingest as each `kills` entry says, each on its own copy of the base database; check what a
 * read sees, then re-run the ingest and check it holds the whole run. Returns what each kill left.
 */
async function killAndRerun(kills: readonly Kill[]): Promise<Figures[]> {
  return inBatches(kills, 4, async (kill) => {
    const db = join(dir, `kill-${killed++}.duckdb`);
    const code = await killedIngest(db, kill);
    const now = await seen(db);
    expect([BEFORE, AFTER], `killed at ${kill.at} (exit ${code})`).toContainEqual(now);
    await withWorkspace({ access: 'write', db, spans: [run], invoices: { files: [invoice] }, revenue, note: quiet }, async () => undefined);
    // one read after the re-run: its figures, and whether it answers from the stored roll-up
    const [rerun, current] = await withWorkspace({ access: 'read', db, note: quiet }, async ({ db: handle }) => [await figuresIn(handle), await storedRollupIsCurrent(handle)] as const);
    // a re-run over a whole run adds its two `ingests` rows (0 new spans, 3 invoice lines replaced) and nothing else
    expect(rerun, `re-run after a kill at ${kill.at}`).toEqual({ ...AFTER, ingests: now.spans === AFTER.spans ? AFTER.ingests + 2 : AFTER.ingests });
    expect(current, `roll-up after the re-run at ${kill.at}`).toBe(true);
    return now;
  });
}

describe(`kill points: an ingest run is all or nothing (${NAMED.length + RANDOM + WAL} kills)`, () => {
  beforeAll(async () => {
    await withWorkspace({ access: 'write', db: base, spans: [earlier], note: quiet }, async () => undefined);
    expect(await seen(base)).toEqual(BEFORE);
  });

  it('a run that is not killed stores exactly the whole run', async () => {
    const db = join(dir, 'whole.duckdb');
    expect(await killedIngest(db, { at: 60_000 })).toBe(0);
    expect(await seen(db)).toEqual(AFTER);
  });

  it(`SIGKILL at ${NAMED.length} named points: before the COMMIT nothing is visible, after it everything`, async () => {
    const left = await killAndRerun(NAMED.map((at) => ({ at })));
    NAMED.forEach((at, i) => {
      if (at.startsWith('commit@')) return; // inside the COMMIT: either, as long as it is one or the other
      expect(left[i], `killed at ${at}`).toEqual(at === 'committed' || at.startsWith('checkpoint') ? AFTER : BEFORE);
    });
  });

  it(`SIGKILL after ${RANDOM} random delays and the moment the WAL appears (${WAL} times): earlier data or the whole run`, async () => {
    const left = await killAndRerun([
      ...Array.from({ length: RANDOM }, () => ({ at: 100 + Math.floor(Math.random() * 1200) })),
      ...Array.from({ length: WAL }, () => ({ at: 'wal' })),
    ]);
    expect(left.some((f) => f.spans === BEFORE.spans), 'some kills landed before the commit').toBe(true);
  });
});
