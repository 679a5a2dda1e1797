/**
 * Which files an ingest reads: paths may be files or directories (recursed, picking the span file
 * extensions), each with its format, from the extension and, for JSON, a sniff of the first bytes
 * (an OTLP request has `resourceSpans`; a source of src/ingest/sources is recognised by its own
 * fields; anything else is a flat JSON Lines table). Claude Code session logs found under one path
 * become one entry (a tree read in one scan).
 */
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { constants, gunzipSync } from 'node:zlib';
import { CostattrError } from '../../errors.js';
import { detectSourceFormat } from '../sources/detect.js';
import type { SourceFormat, SpanFileFormat, SpanFormatOption } from './types.js';

export interface SpanFile {
  path: string;
  format: SpanFileFormat | SourceFormat;
  /** The files behind a tree entry (Claude Code logs); absent for a single file. */
  files?: string[];
}

const EXTENSIONS = ['.jsonl', '.json', '.jsonl.gz', '.json.gz', '.ndjson', '.csv', '.parquet'];
const SNIFF_BYTES = 64 * 1024;

function hasSpanExtension(path: string): boolean {
  const lower = path.toLowerCase();
  return EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function listDirectory(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listDirectory(path);
      return entry.isFile() && hasSpanExtension(path) ? [path] : [];
    });
}

/** The first bytes of a file, decompressed when gzip (a partial gzip member decodes as far as it goes). */
function sniff(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, buf, 0, SNIFF_BYTES, 0);
    const head = buf.subarray(0, n);
    if (!path.endsWith('.gz')) return head.toString('utf8');
    try {
      return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    } catch {
      return '';
    }
  } finally {
    closeSync(fd);
  }
}

function detectFormat(path: string): SpanFileFormat | SourceFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith('.parquet')) return 'parquet';
  const head = sniff(path);
  const source = detectSourceFormat(path, head);
  if (source) return source;
  if (lower.endsWith('.csv')) return 'csv';
  return /"resource_?[sS]pans"/.test(head) ? 'otlp' : 'jsonl';
}

/** Claude Code files found under one argument are read together, as one tree entry named by the argument. */
function groupClaudeCode(arg: string, files: SpanFile[]): SpanFile[] {
  const logs = files.filter((f) => f.format === 'claude-code').map((f) => f.path);
  if (logs.length === 0) return files;
  return [{ path: arg, format: 'claude-code', files: logs }, ...files.filter((f) => f.format !== 'claude-code')];
}

export function expandSpanPaths(paths: readonly string[], format: SpanFormatOption = 'auto'): SpanFile[] {
  const files: SpanFile[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new CostattrError('BAD_INPUT', `${path}: no such file or directory`);
    }
    const found = (isDir ? listDirectory(path) : [path]).map((file): SpanFile => ({ path: file, format: format === 'auto' ? detectFormat(file) : format }));
    files.push(...groupClaudeCode(path, found));
  }
  return files;
}
