// Bounded inputs (issue 16.7): a 1 MB gzip bomb (1 GiB inside), a truncated gzip, a line past the
// line limit and JSON nested thousands deep are refused with exit 2 naming the file and line, nothing
// stored, and the bomb is refused with the child's peak RSS (VmHWM, polled from /proc) under 600 MB.
// The limits are configurable: `--input-limits line=…,depth=…,gzip-ratio=…,file=…`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-bounds-');
const MiB = 1024 * 1024;
const span = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ trace_id: 't', span_id: id, operation: 'chat', request_model: 'gpt-4o', input_tokens: 1, output_tokens: 1, start_time: '2026-01-01T00:00:00Z', ...extra });

/** 1000 gzip members of 1 MiB of spaces each: about 1 MB on disk, 1 GiB once decompressed, after one good line. */
function writeBomb(name: string, firstLine: string): string {
  const path = join(dir, name);
  const member = gzipSync(Buffer.alloc(MiB, 0x20), { level: 9 });
  writeFileSync(path, Buffer.concat([gzipSync(`${firstLine}\n`), ...Array.from({ length: 1000 }, () => member)]));
  return path;
}

/** Run the CLI, polling the child's peak RSS (VmHWM) until it exits. */
function runMeasured(args: string[]): Promise<{ code: number | null; stderr: string; peakMiB: number }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/costattr.js'), ...args], { env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } });
  let stderr = '';
  let peakKiB = 0;
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const status = `/proc/${child.pid}/status`;
  const poll = setInterval(() => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))?.[1];
      if (hwm) peakKiB = Math.max(peakKiB, Number(hwm));
    } catch {
      // the child has just exited
    }
  }, 10);
  return new Promise((resolve) => child.on('close', (code) => {
    clearInterval(poll);
    resolve({ code, stderr, peakMiB: peakKiB / 1024 });
  }));
}

async function storedSpans(db: string): Promise<number> {
  if (!existsSync(db)) return 0;
  const handle = await Database.open({ path: db, readOnly: true });
  try {
    return Number((await handle.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM spans'))?.n);
  } finally {
    handle.close();
  }
}

describe('bounded inputs', () => {
  it.runIf(existsSync('/proc/self/status'))('a 1 MB gzip bomb (OTLP and flat JSON Lines) is refused at its line, peak RSS under 600 MB', async () => {
    const otlp = writeBomb('bomb.otlp.jsonl.gz', JSON.stringify({ resourceSpans: [] }));
    const flat = writeBomb('bomb.jsonl.gz', span('a'));
    for (const file of [otlp, flat]) {
      const db = join(dir, 'bomb.duckdb');
      const result = await runMeasured(['ingest', '--db', db, '--quiet', file]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`${file}:2: gzip expands more than 200×.*likely gzip bomb`));
      expect(result.peakMiB, `peak RSS ${result.peakMiB} MiB`).toBeLessThan(600);
      expect(await storedSpans(db)).toBe(0);
    }
  });

  it('a truncated gzip: exit 2 naming the file and the line it broke off in', async () => {
    const whole = gzipSync(Array.from({ length: 2000 }, (_, i) => `${span(`s${i}`)}\n`).join(''));
    const file = join(dir, 'cut.jsonl.gz');
    writeFileSync(file, whole.subarray(0, Math.floor(whole.length / 2)));
    const db = join(dir, 'cut.duckdb');
    const result = await runCli(['ingest', '--db', db, '--quiet', file]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:\\d+: truncated or corrupt gzip`));
    expect(await storedSpans(db)).toBe(0);
  });

  it('a line past --input-limits line=…: exit 2 naming the file and line (OTLP and flat)', async () => {
    const long = 'x'.repeat(3 * MiB);
    const otlp = join(dir, 'long.otlp.jsonl');
    writeFileSync(otlp, `${JSON.stringify({ resourceSpans: [] })}\n${JSON.stringify({ resourceSpans: [], pad: long })}\n`);
    const flat = join(dir, 'long.jsonl');
    writeFileSync(flat, `${span('a')}\n${span('b', { name: long })}\n`);
    for (const file of [otlp, flat]) {
      const result = await runCli(['ingest', '--db', join(dir, 'long.duckdb'), '--quiet', '--input-limits', 'line=1MiB', file]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`${file}:2: a line longer than ${MiB} bytes`);
    }
  });

  it('JSON nested 100,000 deep in a flat JSON line: exit 2 naming the line (DuckDB\'s reader would crash); depth is configurable', async () => {
    const file = join(dir, 'deep.jsonl');
    writeFileSync(file, `${span('a')}\n{"trace_id":"t","span_id":"b","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
    const deep = await runCli(['ingest', '--db', join(dir, 'deep.duckdb'), '--quiet', file]);
    expect(deep.code, deep.stderr).toBe(2);
    expect(deep.stderr).toContain(`${file}:2: JSON nested more than 128 deep`);

    const shallow = join(dir, 'shallow.jsonl');
    writeFileSync(shallow, `${span('a', { tags_json: { a: { b: { c: 1 } } } })}\n`);
    const strict = await runCli(['ingest', '--db', join(dir, 'shallow.duckdb'), '--quiet', '--input-limits', 'depth=3', shallow]);
    expect(strict.code, strict.stderr).toBe(2);
    expect(strict.stderr).toContain(`${shallow}:1: JSON nested more than 3 deep`);
    const loose = await runCli(['ingest', '--db', join(dir, 'shallow.duckdb'), '--quiet', '--input-limits', 'depth=4', shallow]);
    expect(loose.code, loose.stderr).toBe(0);
  });

  it('a malformed --input-limits is a usage error naming the option', async () => {
    const result = await runCli(['ingest', '--db', join(dir, 'x.duckdb'), '--input-limits', 'lines=5', join(dir, 'deep.jsonl')]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toContain('--input-limits lines=5: expected file=N, gzip-ratio=N, line=N, depth=N');
  });
});
