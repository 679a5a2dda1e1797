/**
 * Which files an ingest reads: paths may be files or directories (recursed, picking the span file
 * extensions; a directory with none is refused, saying what it holds), paths read literally (no globbing), each given to its source (src/ingest/sources/registry.ts: the one `--format` names,
 * else the first to recognise the file's head). The files of a source that reads a tree (Claude
 * Code logs) found under one path become one entry, named by that path; a Claude Code config
 * directory contributes its `projects` logs only.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CostattrError } from '../../errors.js';
import { claudeLogRoot } from '../sources/claude-code/config-dir.js';
import { FileHead } from '../sources/head.js';
import { SPAN_SOURCES, sourceOf } from '../sources/registry.js';
import type { SpanFile } from '../sources/source.js';
import type { SpanFormatOption } from './types.js';

const EXTENSIONS = ['.jsonl', '.json', '.jsonl.gz', '.json.gz', '.ndjson', '.csv', '.parquet'];

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

/** Every file under a directory (for saying what was found where no span file was). */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? allFiles(path) : [path];
  });
}

/** A directory holding no span file is a mistake (a wrong path, an export not yet written): say what was searched and found. */
function noSpanFiles(dir: string): CostattrError {
  const found = allFiles(dir);
  const sample = found.slice(0, 5).map((f) => relative(dir, f)).join(', ');
  return new CostattrError('BAD_INPUT', `${dir}: no span files in this directory (searched it and its subdirectories for ${EXTENSIONS.join(', ')}; found ${found.length === 0 ? 'no files at all' : `${found.length} other file(s): ${sample}${found.length > 5 ? ', …' : ''}`})`, {
    hint: 'give the span files or the directory that holds them; paths are read literally (no globbing)',
  });
}

/** The trees found under one argument come first, one entry per source, then the other files in order. */
function groupTrees(arg: string, found: readonly SpanFile[]): SpanFile[] {
  const trees = SPAN_SOURCES.filter((source) => source.readsTree).flatMap((source): SpanFile[] => {
    const files = found.filter((f) => f.source === source).flatMap((f) => f.files);
    return files.length === 0 ? [] : [{ path: arg, source, files }];
  });
  return [...trees, ...found.filter((f) => f.source.readsTree !== true)];
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
    const logRoot = isDir ? claudeLogRoot(path) : path;
    const listed = isDir ? listDirectory(logRoot).filter((file) => logRoot === path || file.toLowerCase().endsWith('.jsonl')) : [path];
    if (listed.length === 0) throw noSpanFiles(path);
    const found = listed.map((file): SpanFile => ({ path: file, source: sourceOf(new FileHead(file), format), files: [file] }));
    files.push(...groupTrees(path, found));
  }
  return files;
}
