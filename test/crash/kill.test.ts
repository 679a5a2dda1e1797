// Crash safety: SIGKILL `costattr ingest` of a large OTLP file (~60 MB, made here) at random points,
// repeatedly. After every kill the database opens and holds all or none of each ingest — the small
// ingest committed before, plus either nothing or every span of the big file — and a re-run
// completes it. A second costattr on the same --db while the ingest runs gets a clear
// "database … is in use" error (exit 2), and the running ingest is not disturbed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { bigOtlpInputTokens, writeBigOtlp } from './big-otlp.js';

const dir = tempDir('costattr-crash-');
const db = join(dir, 'costs.duckdb');
const big = join(dir, 'big.otlp.jsonl');
const small = join(ROOT, 'test/hostile/cases/spans/otlp-valid.jsonl');
const SMALL_SPANS = 3;
const SMALL_INPUT = 3000n;
const KILLS = 3;

let bigSpans = 0;

interface Stored {
  spans: number;
  input: bigint;
  /** Σ spans_loaded over the `ingests` rows = spans stored: no ingest row without its spans, or the reverse. */
  ledgerMatches: boolean;
}

async function stored(): Promise<Stored> {
  const handle = await Database.open({ path: db });
  try {
    const row = await handle.one<{ n: string; i: string | null; g: string | null }>(
      `SELECT count(*)::VARCHAR AS n, sum(input_tokens)::VARCHAR AS i, (SELECT sum(spans_loaded) FROM ingests)::VARCHAR AS g FROM spans`);
    return { spans: Number(row?.n), input: BigInt(row?.i ?? '0'), ledgerMatches: row?.g === row?.n };
  } finally {
    handle.close();
  }
}

function startIngest(): { exited: Promise<number | null>; kill: () => void; running: () => boolean } {
  const child = spawn(process.execPath, [join(ROOT, 'bin/costattr.js'), 'ingest', '--db', db, '--quiet', big], {
    env: { ...process.env, TZ: 'UTC' },
    stdio: 'ignore',
  });
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { done = true; resolve(code); }));
  return { exited, kill: () => child.kill('SIGKILL'), running: () => !done };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) return false;
    await sleep(20);
  }
  return true;
}

/** The store holds the earlier small ingest, plus all of the big file or none of it. */
function expectAllOrNone(now: Stored, context = ''): void {
  const none: Stored = { spans: SMALL_SPANS, input: SMALL_INPUT, ledgerMatches: true };
  const all: Stored = { spans: SMALL_SPANS + bigSpans, input: SMALL_INPUT + bigOtlpInputTokens(bigSpans), ledgerMatches: true };
  expect([none, all], context).toContainEqual(now);
}

describe('crash safety', () => {
  beforeAll(async () => {
    bigSpans = writeBigOtlp(big, 2000, 50);
    const first = await runCli(['ingest', '--db', db, '--quiet', small]);
    expect(first.code, first.stderr).toBe(0);
  });

  it('a second costattr on the same --db is refused as "in use", and the holder is not disturbed', async () => {
    const holder = await Database.open({ path: db });
    try {
      for (const args of [['costs', '--db', db, '--by', 'tenant'], ['ingest', '--db', db, small]]) {
        const second = await runCli(args);
        expect(second.code, second.stderr).toBe(2);
        expect(second.stderr).toMatch(/database .*costs\.duckdb is in use/);
        expect(second.stderr).not.toMatch(/internal error|\n\s+at /);
      }
    } finally {
      holder.close();
    }
    expectAllOrNone(await stored());
  });

  it('a second costattr started while an ingest runs is refused; the store stays all-or-none', async () => {
    const first = startIngest();
    // the running ingest holds the database from the moment it opens it (the WAL appears on its first write)
    await waitFor(() => existsSync(`${db}.wal`) || !first.running(), 15_000);
    const second = first.running() ? await runCli(['costs', '--db', db, '--by', 'tenant']) : undefined;
    const stillRunning = first.running();
    first.kill();
    await first.exited;
    if (second && stillRunning) {
      expect(second.code, second.stderr).toBe(2);
      expect(second.stderr).toMatch(/is in use/);
    }
    expectAllOrNone(await stored());
  });

  it('an ingest that outgrows --memory-limit stops with exit 2 and a hint, storing nothing', async () => {
    const tight = join(dir, 'tight.duckdb');
    const result = await runCli(['ingest', '--db', tight, '--quiet', '--memory-limit', '32MB', '--temp-dir', join(dir, 'spill'), big]);
    expect(result.code, result.stderr).not.toBe(3);
    const handle = await Database.open({ path: tight });
    try {
      const row = await handle.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM spans');
      if (result.code === 2) {
        expect(result.stderr).toMatch(/ran out of memory under --memory-limit 32MB/);
        expect(result.stderr).toMatch(/hint: raise --memory-limit/);
        expect(Number(row?.n)).toBe(0);
      } else {
        expect(result.code, result.stderr).toBe(0);
        expect(Number(row?.n)).toBe(bigSpans);
      }
    } finally {
      handle.close();
    }
  });

  it(`SIGKILL at ${KILLS} random points leaves all or none of the ingest; a re-run completes it`, async () => {
    const delays: number[] = [];
    for (let attempt = 0; attempt < KILLS; attempt++) {
      const delay = 300 + Math.floor(Math.random() * 3000);
      delays.push(delay);
      const run = startIngest();
      await Promise.race([run.exited, sleep(delay)]);
      run.kill();
      await run.exited;
      const now = await stored();
      expectAllOrNone(now, `killed after ${delays.join(', ')} ms`);
    }
    const rerun = await runCli(['ingest', '--db', db, '--quiet', big]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await stored()).toEqual({ spans: SMALL_SPANS + bigSpans, input: SMALL_INPUT + bigOtlpInputTokens(bigSpans), ledgerMatches: true });
  });
});
