/**
 * `costattr anomalies`: flags (and the `anomalies` thresholds of costattr.config.json) → AnomalySpec
 * → detectAnomalies → table, Markdown or the PRODUCT.md JSON.
 */
import type { Command } from 'commander';
import { ANOMALY_KINDS, type AnomalyKind } from '../../analysis/anomalies/types.js';
import { runConfig } from '../../app/config.js';
import { CostattrError } from '../../errors.js';
import { addInputOptions, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'md'] as const;

interface AnomaliesOptions extends InputOptions {
  kind?: string;
  tenant?: string;
  minUsd?: string | number;
}

export function parseKinds(value: string | undefined): AnomalyKind[] {
  if (value === undefined) return [];
  const kinds = value.split(',').map((k) => k.trim()).filter((k) => k.length > 0);
  for (const kind of kinds) {
    if (!(ANOMALY_KINDS as readonly string[]).includes(kind)) {
      throw new CostattrError('BAD_USAGE', `--kind ${kind}: not one of ${ANOMALY_KINDS.join(', ')}`);
    }
  }
  return kinds as AnomalyKind[];
}

export function parseMinUsd(value: string | number | undefined): number {
  if (value === undefined) return 0;
  const usd = typeof value === 'number' ? value : Number(value);
  if (String(value).trim() === '' || !Number.isFinite(usd) || usd < 0) {
    throw new CostattrError('BAD_USAGE', `--min-usd ${String(value)}: expected a non-negative amount in USD`);
  }
  return usd;
}

export function registerAnomalies(program: Command): void {
  const cmd = program
    .command('anomalies')
    .description('tool loops, prompt bloat, memory runaway, cache-miss storms, model escalation and spend spikes, with the traces to open')
    .option('--kind <kinds>', `comma list of: ${ANOMALY_KINDS.join(',')} (default: all)`)
    .option('--tenant <id>', 'only findings about this tenant')
    .option('--min-usd <usd>', 'ignore findings with less money at stake');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: AnomaliesOptions) => {
    const spec = { period: periodOf(opts), kinds: parseKinds(opts.kind), tenant: opts.tenant, minUsd: parseMinUsd(opts.minUsd) };
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts, { period: spec.period, named: opts.tenant === undefined ? [] : [{ field: 'tenant', value: opts.tenant, flag: '--tenant' }] }), async ({ db }) => {
      const [{ detectAnomalies, resolveThresholds }, { anomaliesRendering }] = await Promise.all([
        import('../../analysis/anomalies/index.js'), import('../../render/outputs/analyses.js'),
      ]);
      return anomaliesRendering(await detectAnomalies(db, { ...spec, thresholds: resolveThresholds(runConfig().anomalies) }));
    });
  });
}
