/**
 * `costattr guard`: `--policy FILE` replays the period against a policy (events, per-tenant
 * outcome, savings; `--fail` exits 1 after printing when a critical rule fired), or `--recommend`
 * writes a policy derived from the traffic (JSON, to --out or stdout).
 */
import type { Command } from 'commander';
import { readPolicyFile } from '../../analysis/guard/policy.js';
import { CostattrError } from '../../errors.js';
import { addInputOptions, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

interface GuardOptions extends InputOptions {
  policy?: string;
  recommend?: boolean;
  revenue?: string;
  fail?: boolean;
}

export function registerGuard(program: Command): void {
  const cmd = program
    .command('guard')
    .description('replay history against rate limits, daily caps and a kill switch; or recommend limits from it')
    .option('--policy <file>', 'policy JSON to replay (docs/guard.md)')
    .option('--recommend', 'write a policy derived from the traffic instead (JSON, to --out or stdout)')
    .option('--revenue <file>', 'revenue CSV with contracted ceilings (ceiling_usd) for ceiling-based daily caps')
    .option('--fail', 'exit 1 when a critical rule (kill switch, daily cap) would have fired');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: GuardOptions) => {
    if ((opts.policy === undefined) === (opts.recommend !== true)) {
      throw new CostattrError('BAD_USAGE', 'give either --policy FILE (replay) or --recommend (derive a policy)');
    }
    const filter = { period: periodOf(opts) };
    const policyFile = opts.policy;
    const policy = policyFile !== undefined ? readPolicyFile(policyFile) : undefined;
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts, { period: filter.period }), async ({ db }) => {
      const outputs = await import('../../render/outputs/gates.js');
      if (policy === undefined || policyFile === undefined) {
        const { recommendPolicy } = await import('../../analysis/guard/recommend.js');
        return outputs.policyRendering(await recommendPolicy(db, { filter }));
      }
      const { replayGuard } = await import('../../analysis/guard/replay.js');
      return outputs.guardRendering(await replayGuard(db, { filter, policy, policyFile }), opts.fail === true);
    });
  });
}
