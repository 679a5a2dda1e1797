/** `costattr quality`: flags → an analysis workspace → assessQuality → the per-source data-quality report. */
import type { Command } from 'commander';
import { addInputOptions, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

export function registerQuality(program: Command): void {
  const cmd = program
    .command('quality')
    .description('data quality per span source: records, duplicates by rule, rejected, conventions, missing tags, unpriced, attributable share');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: InputOptions) => {
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts), async ({ db }) => {
      const [{ assessQuality }, { qualityRendering }] = await Promise.all([import('../../analysis/quality.js'), import('../../render/outputs/analyses.js')]);
      return qualityRendering(await assessQuality(db));
    });
  });
}
