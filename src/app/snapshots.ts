/**
 * Snapshots as `snapshot` and `diff` get them: taken from a workspace (with the price book it
 * priced by), or read from a file a previous `costattr snapshot` wrote.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { DiffInput } from '../analysis/diff.js';
import type { SpanFilter } from '../analysis/span-filter.js';
import { loadedFromSnapshot, looksLikeSnapshot, parseSnapshot, takeSnapshot, type Snapshot } from '../analysis/snapshot.js';
import { CostattrError } from '../errors.js';
import { costattrVersion } from './version.js';
import { withWorkspace, type WorkspaceSpec } from './workspace.js';

/** Open the data `workspace` names, price it and take its snapshot. */
export async function snapshotOf(workspace: WorkspaceSpec, filter: SpanFilter, label: string | undefined): Promise<Snapshot> {
  return withWorkspace(workspace, async ({ db, book }) => {
    if (book === undefined) throw new Error('a snapshot needs a read workspace with the price book');
    return takeSnapshot(db, { filter, label, version: costattrVersion(), book });
  });
}

/** Whether `path` is a snapshot file (else span files: a directory, or a file that is not a snapshot). */
export function isSnapshotFile(path: string): boolean {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new CostattrError('BAD_INPUT', `${path}: no such file or directory`);
  }
  if (stats.isDirectory() || !path.toLowerCase().endsWith('.json')) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const read = readSync(fd, head, 0, head.length, 0);
    return looksLikeSnapshot(head.subarray(0, read).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

/** One side of a diff: span files snapshotted now (all of them, priced by the workspace's book), or a snapshot file. */
export async function diffSide(
  side: { files: readonly string[] } | { snapshotFile: string },
  workspace: Omit<WorkspaceSpec, 'spans'>,
  filter: SpanFilter,
): Promise<DiffInput> {
  if ('files' in side) {
    const snapshot = await snapshotOf({ ...workspace, spans: side.files }, filter, undefined);
    return { source: side.files.join(', '), ...loadedFromSnapshot(snapshot) };
  }
  return { source: side.snapshotFile, ...parseSnapshot(side.snapshotFile, readFileSync(side.snapshotFile, 'utf8')) };
}
