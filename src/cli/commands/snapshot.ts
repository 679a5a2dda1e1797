/**
 * `costattr snapshot`: flags → SnapshotSpec → takeSnapshot → stable JSON (a CI baseline for
 * `costattr diff`). Also the one way a span-file side of `diff` becomes a snapshot.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatSnapshot, takeSnapshot, type Snapshot } from '../../analysis/snapshot.js';
import { loadPriceBook } from '../../pricebook/index.js';
import { addInputOptions, emit, note, openAnalysisDb, periodOf, type InputOptions } from '../common.js';

interface SnapshotOptions extends InputOptions {
  label?: string;
}

/** The running costattr's version, recorded in a snapshot's provenance. */
function costattrVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

/** Open the data the options name (`--db` or `--spans`), price it and take its snapshot. */
export async function snapshotOf(opts: InputOptions, label: string | undefined): Promise<Snapshot> {
  const period = periodOf(opts);
  const book = await loadPriceBook(opts.pricing ?? []);
  const db = await openAnalysisDb(opts);
  try {
    return await takeSnapshot(db, { filter: { period }, label, version: costattrVersion(), book });
  } finally {
    db.close();
  }
}

export function registerSnapshot(program: Command): void {
  const cmd = program
    .command('snapshot')
    .description('write a small, stable JSON baseline of an eval run (per-route cost per run, tokens per layer, cache hit rate) for `costattr diff`')
    .option('--label <label>', 'a name for this baseline (e.g. the branch or commit)');
  addInputOptions(cmd, ['json']).action(async (opts: SnapshotOptions) => {
    const snapshot = await snapshotOf(opts, opts.label);
    emit(opts, formatSnapshot(snapshot));
    note(opts, `snapshot: ${snapshot.totals.runs} runs over ${Object.keys(snapshot.routes).length} routes, $${snapshot.totals.cost_per_run} per run${opts.out ? ` → ${opts.out}` : ''}`);
  });
}
