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
import { writeLines } from '../ingest/otlp-builder.js';
import { ROOT, runCliAsync, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-lake-');
const span = (trace: string, id: string, input: number, extra: Record<string, string | number> = {}): string => JSON.stringify({
  trace_id: trace, span_id: id, operation: 'chat', provider: 'anthropic', request_model: 'claude-haiku-4-5',
  input_tokens: input, output_tokens: 10, start_time: '2026-01-01T00:00:00Z', ...extra,
});
// earlier: trace 1's root (tenant t1) and trace 2's child, whose parent arrives with the run
const earlier = writeLines(dir, 'earlier.jsonl', [span('t1', 's1', 100, { tenant: 't1' }), span('t2', 's21', 200, { parent_span_id: 's20' })]);
// the run: a child of trace 1 (inherits t1), trace 2's parent (gives the stored child t2), and 20 spans in February
const more = Array.from({ length: 20 }, (_, i) => ({ trace: `t${100 + i}`, id: `s${100 + i}`, input: 1000 + i }));
const run = writeLines(dir, 'run.jsonl', [
  span('t1', 's2', 300, { parent_span_id: 's1' }),
  JSON.stringify({ trace_id: 't2', span_id: 's20', operation: 'invoke_agent', tenant: 't2', start_time: '2026-01-01T00:00:00Z' }),
  ...more.map((m) => span(m.trace, m.id, m.input, { tenant: 't9', start_time: '2026-02-03T04:05:06Z' })),
]);

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

const ingest = (target: string[], files: string[], env: Record<string, string> = {}) => runCliAsync(['ingest', ...files, ...target, '--quiet'], { env });

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
    const missing = await runCliAsync(['costs', '--by', 'tenant', '--lake', join(dir, 'nowhere')]);
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
