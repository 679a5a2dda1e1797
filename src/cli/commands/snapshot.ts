/**
 * `costattr snapshot`: flags → SnapshotSpec → takeSnapshot → stable JSON (a CI baseline for
 * `costattr diff`).
 */
import type { Command } from 'commander';
import { addInputOptions, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runCommand } from '../run.js';

interface SnapshotOptions extends InputOptions {
  label?: string;
}

export function registerSnapshot(program: Command): void {
  const cmd = program
    .command('snapshot')
    .description('write a small, stable JSON baseline of an eval run (per-route cost per run, tokens per layer, cache hit rate) for `costattr diff`')
    .option('--label <label>', 'a name for this baseline (e.g. the branch or commit)');
  addInputOptions(cmd, ['json']).action(async (opts: SnapshotOptions) => {
    const filter = { period: periodOf(opts) };
    await runCommand(opts, ['json'], async () => {
      const [{ snapshotOf }, { snapshotRendering }] = await Promise.all([import('../../app/snapshots.js'), import('../../render/outputs/documents.js')]);
      return snapshotRendering(await snapshotOf(readWorkspace(opts, { period: filter.period }), filter, opts.label), opts.out);
    });
  });
}
