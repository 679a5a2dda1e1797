// Atomic files (issue 16.3): every file costattr writes goes through src/app/atomic-file.ts. A file
// written piece by piece shows nothing at its path until committed; an abort, a failure or a full
// disk leaves yesterday's file byte for byte; the demo's generated files leave no temporary behind.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AtomicFile, writeFileAtomic } from '../../src/app/atomic-file.js';
import { generateDemo } from '../../src/demo/generate.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-atomic-');

describe('atomic files', () => {
  it('a file written piece by piece replaces the old one only on commit; abort keeps the old one', () => {
    const path = join(dir, 'baseline.json');
    writeFileSync(path, 'yesterday');
    const file = new AtomicFile(path);
    file.write('to');
    file.write('day');
    expect(readFileSync(path, 'utf8')).toBe('yesterday');
    file.commit();
    expect(readFileSync(path, 'utf8')).toBe('today');

    const aborted = new AtomicFile(path);
    aborted.write('half a fi');
    aborted.abort();
    expect(readFileSync(path, 'utf8')).toBe('today');
    expect(readdirSync(dir)).toEqual(['baseline.json']);
  });

  it('a missing directory is exit 2 naming the path', () => {
    const path = join(dir, 'no-such-dir', 'out.json');
    expect(() => writeFileAtomic(path, 'x')).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining(`cannot write ${path}`) }));
  });

  it.runIf(process.getuid?.() === 0)('a full disk (small tmpfs) is exit 2 "the disk is full", the old file intact, no temporary left', () => {
    const mnt = join(dir, 'small');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    try {
      const path = join(mnt, 'snapshot.json');
      writeFileAtomic(path, 'old baseline');
      expect(() => writeFileAtomic(path, 'x'.repeat(256 * 1024))).toThrow(expect.objectContaining({ exitCode: 2, message: `cannot write ${path}: the disk is full` }));
      expect(readFileSync(path, 'utf8')).toBe('old baseline');
      expect(readdirSync(mnt)).toEqual(['snapshot.json']);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });

  it('the demo writes its files whole, with no temporary file left beside them', () => {
    const out = join(dir, 'demo');
    mkdirSync(out);
    const demo = generateDemo({ seed: 7, outDir: out });
    const written = [demo.spansFile, demo.revenueFile, demo.truthFile, ...demo.invoiceFiles].map((p) => p.slice(out.length + 1)).sort();
    expect(readdirSync(out).sort()).toEqual(written);
    const lines = readFileSync(demo.spansFile, 'utf8').trimEnd().split('\n');
    expect(lines.reduce((n, line) => n + (JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> }).resourceSpans[0]!.scopeSpans[0]!.spans.length, 0)).toBe(demo.truth.totals.spans);
  });
});
