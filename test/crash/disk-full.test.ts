// A full disk (issue 16.3, issue 14): on a small tmpfs (root only: mounted here, skipped with a message
// otherwise) an ingest that cannot write its database stops with exit 2 naming the file, and the
// database holds exactly what it held before; DuckDB spilling into a full --temp-dir stops with exit 2
// saying so, not "out of memory".
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-diskfull-');
const mnt = join(dir, 'small');
const root = process.getuid?.() === 0;
let mounted = false;

/** `count` flat spans with input tokens 0 … count-1 and a padded name (so they take room). */
function writeSpans(path: string, count: number, pad: number): void {
  const lines = Array.from({ length: count }, (_, i) => JSON.stringify({
    trace_id: `t${i}`, span_id: `s${i}`, operation: 'chat', request_model: 'gpt-4o', input_tokens: i, output_tokens: 1,
    start_time: '2026-01-01T00:00:00Z', name: `${'x'.repeat(pad)}${i}`,
  }));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function mountTmpfs(size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mnt]);
  mounted = true;
}

function unmount(): void {
  if (mounted) execFileSync('umount', [mnt]);
  mounted = false;
}

async function stored(db: string): Promise<{ spans: string; input: string }> {
  const handle = await Database.open({ path: db, readOnly: true });
  try {
    return (await handle.one<{ spans: string; input: string }>('SELECT count(*)::VARCHAR AS spans, coalesce(sum(input_tokens), 0)::VARCHAR AS input FROM spans')) as { spans: string; input: string };
  } finally {
    handle.close();
  }
}

describe.skipIf(!root)('disk full (tmpfs)', () => {
  beforeAll(() => {
    mkdirSync(mnt);
  });
  afterAll(unmount);

  it('an ingest whose database device fills up: exit 2 naming the file, the earlier data intact', async () => {
    const small = join(dir, 'small.jsonl');
    writeSpans(small, 3, 0);
    const many = join(dir, 'many.jsonl');
    writeSpans(many, 40_000, 200);
    const seeded = join(dir, 'seeded.duckdb');
    expect((await runCli(['ingest', '--db', seeded, '--quiet', small])).code).toBe(0);
    mountTmpfs('5m'); // room for the seeded database (its tables and roll-ups), not for the 40k spans
    try {
      const db = join(mnt, 'costs.duckdb');
      copyFileSync(seeded, db);
      const result = await runCli(['ingest', '--db', db, '--quiet', many]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`no space left on the device for ${db}`);
      expect(result.stderr).toContain(`nothing was stored: ${db} holds what it held before`);
      expect(await stored(db)).toEqual({ spans: '3', input: String(0 + 1 + 2) });
    } finally {
      unmount();
    }
  });

  it('DuckDB spilling into a full --temp-dir: exit 2 saying the directory is full, not "out of memory"', async () => {
    const mid = join(dir, 'mid.jsonl');
    writeSpans(mid, 60_000, 300);
    mountTmpfs('512k');
    try {
      const db = join(dir, 'spill.duckdb');
      const result = await runCli(['ingest', '--db', db, '--quiet', '--memory-limit', '48MB', '--temp-dir', mnt, mid]);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`no space left in ${mnt} for DuckDB to spill work that outgrew its memory limit`);
      expect(result.stderr).not.toMatch(/ran out of memory/);
    } finally {
      unmount();
    }
  });
});

it.skipIf(root)('disk-full tests need root to mount a small tmpfs: skipped', () => {
  console.warn('test/crash/disk-full.test.ts: not running as root, so no tmpfs can be mounted; the disk-full tests were skipped');
});
