// The span lake (`ingest --lake DIR`): what a read sees is what the same ingests into a --db give,
// figures computed here by hand; re-ingesting a file replaces exactly its rows and leaves the
// files of months it did not change alone; a SIGKILL at every step of a lake write leaves the lake
// as it was (or, once the manifest is swapped, as the whole run), and the next write clears the
// leftovers.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { withWorkspace, type WorkspaceSpec } from '../../src/app/workspace.js';
import { readManifest } from '../../src/lake/manifest.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { writeInterruptedRun } from '../helpers/interrupted-run.js';

const dir = tempDir('costattr-lake-');
// the run's 20 extra spans fall in February, so the run writes a second month
const { earlier, run, more } = writeInterruptedRun(dir, '2026-02-03T04:05:06Z');

interface Figures {
  spans: number;
  inputTokens: number;
  /** Exact cost of every priced span, as text (haiku 4.5: $1 in, $5 out per MTok). */
  costUsd: string;
  /** Tenant of trace 1's child and trace 2's stored child: tag resolution across ingests. */
  childTenants: string;
}

const usd = (inputTokens: number, spans: number): string => ((inputTokens * 1 + spans * 10 * 5) / 1e6).toFixed(6);
const BEFORE: Figures = { spans: 2, inputTokens: 300, costUsd: usd(300, 2), childTenants: 'none' };
const runInput = 300 + more.reduce((n, m) => n + m.input, 0);
// the parent is an agent span: stored, never priced
const AFTER: Figures = { spans: 24, inputTokens: 300 + runInput, costUsd: usd(300 + runInput, 23), childTenants: 't1,t2' };

const quiet = (): void => undefined;

async function seen(where: Pick<WorkspaceSpec, 'db' | 'lake'>): Promise<Figures> {
  return withWorkspace({ access: 'read', ...where, note: quiet }, async ({ db }) => {
    const row = await db.one<Record<string, string>>(`
      SELECT (SELECT count(*) FROM spans)::VARCHAR AS spans, (SELECT sum(input_tokens) FROM spans)::VARCHAR AS input,
             (SELECT sum(cost_usd)::DECIMAL(18,6) FROM priced_spans)::VARCHAR AS cost,
             (SELECT coalesce(string_agg(tenant, ',' ORDER BY trace_id), 'none') FROM spans WHERE span_id IN ('s2', 's21')) AS children`);
    return { spans: Number(row?.spans), inputTokens: Number(row?.input), costUsd: row?.cost ?? '', childTenants: row?.children ?? '' };
  });
}

const ingest = (target: string[], files: string[], env: Record<string, string> = {}) => runCli(['ingest', ...files, ...target, '--quiet'], { env });

function tableFiles(lake: string): string[] {
  const found: string[] = [];
  const walk = (at: string, rel: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(at, entry.name), `${rel}${entry.name}/`);
      else found.push(`${rel}${entry.name}`);
    }
  };
  walk(lake, '');
  return found.filter((f) => f.endsWith('.parquet')).sort();
}

describe('lake: the same figures as --db, idempotent re-ingest', () => {
  const lake = join(dir, 'lake');
  const db = join(dir, 'same.duckdb');

  it('earlier then the run: read in place, as a --db holds them', async () => {
    expect((await ingest(['--lake', lake], [earlier])).code).toBe(0);
    expect(await seen({ lake })).toEqual(BEFORE);
    expect((await ingest(['--lake', lake], [run])).code).toBe(0);
    expect(await seen({ lake })).toEqual(AFTER);
    for (const file of [earlier, run]) expect((await ingest(['--db', db], [file])).code).toBe(0);
    expect(await seen({ db })).toEqual(AFTER);
    expect(readManifest(lake)?.tables.spans).toEqual(['spans/month=2026-01/2-0.parquet', 'spans/month=2026-02/2-0.parquet']);
  });

  it('re-ingesting both files replaces exactly their rows; unchanged months keep their files', async () => {
    const spansBefore = readManifest(lake)?.tables.spans;
    for (const file of [run, earlier]) expect((await ingest(['--lake', lake], [file])).code).toBe(0);
    expect(await seen({ lake })).toEqual(AFTER);
    expect(readManifest(lake)?.tables.spans).toEqual(spansBefore);
    expect(readManifest(lake)?.last_ingest_id).toBe(4);
    // what is on disk: the live files and the previous write's, which the next write collects
    const live = Object.values(readManifest(lake)?.tables ?? {}).flat();
    for (const file of live) expect(existsSync(join(lake, file)), file).toBe(true);
    expect(tableFiles(lake).filter((f) => !live.includes(f)).every((f) => f.endsWith('/3-0.parquet'))).toBe(true);
  });

  it('refuses --db with --lake, and a missing lake (exit 2)', async () => {
    expect((await ingest(['--lake', lake, '--db', db], [run])).code).toBe(2);
    const missing = await runCli(['costs', '--by', 'tenant', '--lake', join(dir, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no costattr lake at/);
  });
});

const POINTS = ['staged', 'committed', 'lake-staged', 'lake-moved', 'lake-published'] as const;

describe(`lake kill points (${POINTS.length}): the lake as it was, or the whole run once published`, () => {
  const base = join(dir, 'base');
  beforeAll(async () => {
    expect((await ingest(['--lake', base], [earlier])).code).toBe(0);
  });

  it.each(POINTS)('SIGKILL at %s, then the next ingest', async (point) => {
    const lake = join(dir, `kill-${point}`);
    cpSync(base, lake, { recursive: true });
    const child = spawn(process.execPath, [join(ROOT, 'bin/costattr.js'), 'ingest', run, '--lake', lake, '--quiet'],
      { env: { ...process.env, TZ: 'UTC', COSTATTR_TEST_KILL_AT: point }, stdio: 'ignore' });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(await seen({ lake })).toEqual(point === 'lake-published' ? AFTER : BEFORE);
    expect((await ingest(['--lake', lake], [run])).code).toBe(0);
    expect(await seen({ lake })).toEqual(AFTER);
    expect(readdirSync(lake).filter((name) => name.startsWith('.'))).toEqual([]);
  });
});
