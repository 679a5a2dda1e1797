/**
 * The lake's manifest (`DIR/manifest.json`): the one list of live Parquet files per table. A write
 * makes new files first and then swaps this file atomically, so a reader sees the lake before the
 * write or after it, never between; files it does not list are leftovers of a killed write, ignored
 * by readers and removed by the next write (`collectGarbage`).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeFileAtomic } from '../app/atomic-file.js';
import { CostattrError, parseJsonDocument } from '../errors.js';

/**
 * Tables a lake holds; `spans` is partitioned by month and carries its price columns (priced at
 * ingest); `runs`, `cost_rollup`, `run_rollup`, `tool_call_rollup`, `span_price_bands` and `pricing_state` are the stored cost roll-ups
 * (src/analysis/cost-rollup.ts), priced with the same book.
 */
export const LAKE_TABLES = [
  'spans', 'ingests', 'ingest_drops', 'ingest_runs', 'invoice_lines', 'revenue', 'prices', 'model_aliases',
  'runs', 'cost_rollup', 'run_rollup', 'tool_call_rollup', 'span_price_bands', 'pricing_state',
] as const;
export type LakeTable = (typeof LAKE_TABLES)[number];

export const MANIFEST = 'manifest.json';
const FORMAT = 'costattr-lake';

export interface LakeManifest {
  format: typeof FORMAT;
  version: 1;
  /** The highest ingest id the lake holds; new files are named after the write's own. */
  last_ingest_id: number;
  written_at: string;
  /** The hash of the price book the spans and roll-ups were priced with (lakes written before roll-ups: none). */
  book_hash?: string;
  /** Live files per table, relative to the lake directory (`spans/month=2026-10/7-0.parquet`). */
  tables: Partial<Record<LakeTable, string[]>>;
}

/** A manifest's text, checked to be one (`where`: the file it came from, for messages). */
export function parseManifest(where: string, text: string): LakeManifest {
  const doc = parseJsonDocument(where, text) as Partial<LakeManifest> | null;
  if (doc?.format !== FORMAT || doc.version !== 1 || typeof doc.tables !== 'object') {
    throw new CostattrError('BAD_INPUT', `${where} is not a costattr lake manifest (format ${FORMAT}, version 1)`);
  }
  return doc as LakeManifest;
}

/** The manifest, or undefined when the directory holds no lake yet. */
export function readManifest(dir: string): LakeManifest | undefined {
  const path = join(dir, MANIFEST);
  return existsSync(path) ? parseManifest(path, readFileSync(path, 'utf8')) : undefined;
}

export function writeManifest(dir: string, manifest: LakeManifest): void {
  writeFileAtomic(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The manifest of a lake to read: a missing or empty lake is refused (exit 2), saying how to make one. */
export function requireManifest(dir: string): LakeManifest {
  return requireLake(dir, existsSync(dir) ? readManifest(dir) : undefined);
}

/** `manifest`, refused (exit 2) when absent or listing no files; `lake` names the lake in the message. */
export function requireLake(lake: string, manifest: LakeManifest | undefined): LakeManifest {
  const files = manifest ? Object.values(manifest.tables).reduce((n, list) => n + (list?.length ?? 0), 0) : 0;
  if (manifest === undefined || files === 0) throw noLake(lake, manifest === undefined ? `no ${MANIFEST}` : 'it lists no files');
  return manifest;
}

/** The error for a lake that is not there (`why`: what was found instead). */
export function noLake(lake: string, why: string, cause?: unknown): CostattrError {
  return new CostattrError('NOT_FOUND', `no costattr lake at ${lake} (${why})`, {
    hint: 'make one with `costattr ingest FILES --lake DIR` (on object storage: sync that directory to the bucket, manifest last), or check the path',
    cause,
  });
}

/** Absolute paths of a table's live files. */
export function liveFiles(dir: string, manifest: LakeManifest | undefined, table: LakeTable): string[] {
  return (manifest?.tables[table] ?? []).map((file) => join(dir, file));
}

function walk(root: string, at: string, found: string[]): void {
  for (const name of readdirSync(at)) {
    const path = join(at, name);
    if (statSync(path).isDirectory()) walk(root, path, found);
    else found.push(relative(root, path).split(sep).join('/'));
  }
}

/**
 * Remove what a killed write left: table files the manifest does not list, staging directories and
 * scratch databases. Called by a writer holding the lake's lock, before it writes.
 */
export function collectGarbage(dir: string, manifest: LakeManifest | undefined): void {
  if (!existsSync(dir)) return;
  const live = new Set(Object.values(manifest?.tables ?? {}).flat());
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.staging-') || name.startsWith('.scratch-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
  for (const table of LAKE_TABLES) {
    if (!existsSync(join(dir, table))) continue;
    const found: string[] = [];
    walk(dir, join(dir, table), found);
    for (const file of found) if (!live.has(file)) rmSync(join(dir, file), { force: true });
  }
}
