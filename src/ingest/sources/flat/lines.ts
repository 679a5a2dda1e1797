/**
 * Line-level checks on flat span tables that DuckDB's readers cannot make safely: whether a file is
 * valid UTF-8, and a cleaned copy of a file in which every line a judge refuses (and a leading BOM)
 * is blanked, so DuckDB reads the rest while the true line numbers of what was left out are known.
 */
import { mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { readInput, type InputLimits } from '../input.js';
import type { SourceProblem } from '../source.js';

const NEWLINE = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** A judge's verdict on one non-blank line: the bytes to keep, or the problem that leaves it out. */
export type LineVerdict = { keep: Buffer } | { problem: string };

export interface CleanCopy {
  path: string;
  /** Lines left out of the copy, and why. */
  problems: SourceProblem[];
  /** Lines that hold no record in the copy (blank or left out), ascending. */
  gaps: number[];
  dispose(): void;
}

/** Each line of a file (without its `\n`), in order, with its 1-based number. */
async function* lines(path: string, limits: InputLimits): AsyncGenerator<[Buffer, number]> {
  let carry = Buffer.alloc(0);
  let number = 0;
  for await (const chunk of readInput(path, limits)) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
      yield [data.subarray(start, end), ++number];
      start = end + 1;
    }
    carry = Buffer.from(data.subarray(start));
  }
  if (carry.length > 0) yield [carry, ++number];
}

/** Whether the whole file is valid UTF-8 (checked a chunk at a time, cut at the last newline). */
export async function isUtf8File(path: string, limits: InputLimits): Promise<boolean> {
  let carry = Buffer.alloc(0);
  for await (const chunk of readInput(path, limits)) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const cut = data.lastIndexOf(NEWLINE) + 1;
    if (!isUtf8(data.subarray(0, cut))) return false;
    carry = Buffer.from(data.subarray(cut));
  }
  return isUtf8(carry);
}

/**
 * Copy `path` (decompressed) into a temporary file of the same extension without a leading BOM;
 * every line `judge` refuses becomes a blank line, so the copy keeps the original line numbers.
 */
export async function writeCleanCopy(path: string, judge: (line: Buffer) => LineVerdict, limits: InputLimits): Promise<CleanCopy> {
  const dir = mkdtempSync(join(tmpdir(), 'costattr-flat-'));
  const copy = join(dir, `clean${extname(path.replace(/\.gz$/i, '')) || '.txt'}`);
  const problems: SourceProblem[] = [];
  const gaps: number[] = [];
  const fd = openSync(copy, 'w');
  try {
    for await (const [raw, number] of lines(path, limits)) {
      const line = number === 1 && raw.subarray(0, 3).equals(BOM) ? raw.subarray(3) : raw;
      const verdict = line.length === 0 || (line.length === 1 && line[0] === 0x0d) ? undefined : judge(line);
      if (verdict === undefined || 'problem' in verdict) gaps.push(number);
      if (verdict !== undefined && 'problem' in verdict) problems.push({ line: number, message: verdict.problem });
      if (verdict !== undefined && 'keep' in verdict) writeSync(fd, verdict.keep);
      writeSync(fd, '\n');
    }
  } catch (err) {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  closeSync(fd);
  return { path: copy, problems, gaps, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** CSV lines: kept as they are when valid UTF-8. */
export function judgeCsvLine(line: Buffer): LineVerdict {
  return isUtf8(line) ? { keep: line } : { problem: 'not valid UTF-8 text (save the file as UTF-8)' };
}

/** JSON Lines: each line one JSON object; invalid UTF-8 inside strings becomes U+FFFD, as for OTLP. */
export function judgeJsonLine(line: Buffer): LineVerdict {
  const text = line.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { problem: `not valid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  return { keep: isUtf8(line) ? line : Buffer.from(text, 'utf8') };
}
