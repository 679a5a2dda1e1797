/**
 * `costattr guard`: `--policy FILE` replays the period against a policy (events, per-tenant
 * outcome, savings; `--fail` exits 1 after printing when a critical rule fired), or `--recommend`
 * writes a policy derived from the traffic (JSON, to --out or stdout).
 */
import type { Command } from 'commander';
import { readPolicyFile } from '../../analysis/guard/policy.js';
import { recommendPolicy } from '../../analysis/guard/recommend.js';
import { replayGuard } from '../../analysis/guard/replay.js';
import { CostattrError } from '../../errors.js';
import { loadRevenueCsv } from '../../ingest/revenue/index.js';
import { wantsColor } from '../../render/color.js';
import { guardTables, guardTenantsTable } from '../../render/guard.js';
import { renderJson } from '../../render/json.js';
import { renderTableModels, type TableFormat } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, note, openAnalysisDb, periodOf, type InputOptions } from '../common.js';

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
    const format = formatOf(opts, OUTPUT_FORMATS) as TableFormat | 'json';
    const filter = { period: periodOf(opts) };
    const policy = opts.policy !== undefined ? readPolicyFile(opts.policy) : undefined;
    const db = await openAnalysisDb(opts);
    let result;
    try {
      if (opts.revenue) await loadRevenueCsv(db, opts.revenue);
      if (policy === undefined || opts.policy === undefined) {
        emit(opts, renderJson(await recommendPolicy(db, { filter })));
        return;
      }
      result = await replayGuard(db, { filter, policy, policyFile: opts.policy });
    } finally {
      db.close();
    }
    if (format === 'json') emit(opts, renderJson(result));
    else {
      const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
      emit(opts, renderTableModels(format === 'csv' ? [guardTenantsTable(result)] : guardTables(result), format, { color }));
    }
    if (format === 'json') for (const line of result.notes) note(opts, line);
    if (opts.fail && result.critical_events > 0) {
      throw new CostattrError('GATE_FAILED', `${result.critical_events} critical guard event(s): a kill switch or daily cap would have fired`);
    }
  });
}
