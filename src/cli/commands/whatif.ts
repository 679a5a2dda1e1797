/**
 * `costattr whatif`: flags → the changes to reprice under (model swaps, price book date, batch
 * shares, cache-hit targets) → whatif → delta by tenant and route (table, md, csv, json).
 */
import type { Command } from 'commander';
import type { ModelSwap, RouteShare } from '../../analysis/whatif-reprice.js';
import { CostattrError } from '../../errors.js';
import { addInputOptions, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

interface WhatifOptions extends InputOptions {
  swapModel?: string[];
  asOf?: string;
  batchShare?: string[];
  cacheHit?: string[];
}

/** `A=B` pairs: the model served, and the one to price its tokens at instead. */
export function parseSwaps(values: readonly string[] = []): ModelSwap[] {
  return values.map((value) => {
    const [from, to, ...rest] = value.split('=').map((s) => s.trim());
    if (!from || !to || rest.length > 0) throw new CostattrError('BAD_USAGE', `--swap-model ${value}: expected FROM=TO, e.g. claude-opus-4-1=claude-sonnet-4-5`);
    return { tenant: null, from, to };
  });
}

/** `route=0.5` pairs (split at the last `=`, so a route may contain one); the share is a fraction in [0, 1] or a percentage. */
export function parseRouteShares(flag: string, values: readonly string[] = []): RouteShare[] {
  return values.map((value) => {
    const at = value.lastIndexOf('=');
    const route = value.slice(0, at).trim();
    const text = value.slice(at + 1).trim();
    const share = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
    if (at <= 0 || route === '' || text === '' || !Number.isFinite(share) || share < 0 || share > 1) {
      throw new CostattrError('BAD_USAGE', `${flag} ${value}: expected ROUTE=SHARE with a share between 0 and 1, e.g. summary=0.5`);
    }
    return { route, share };
  });
}

export function parseAsOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new CostattrError('BAD_USAGE', `--as-of ${value}: expected an ISO date such as 2026-01-01`);
  }
  return value;
}

export function registerWhatif(program: Command): void {
  const cmd = program
    .command('whatif')
    .description('reprice the same tokens under a change: model swap, price book date, batch share, cache-hit target')
    .option('--swap-model <pairs...>', 'price FROM model calls as TO (FROM=TO)')
    .option('--as-of <date>', 'price every span at the rates effective on this date')
    .option('--batch-share <pairs...>', 'move this share of a route to the batch tier (ROUTE=SHARE)')
    .option('--cache-hit <pairs...>', 'move uncached input into cache reads up to this hit rate (ROUTE=RATE)');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: WhatifOptions) => {
    const changes = {
      swaps: parseSwaps(opts.swapModel),
      asOf: parseAsOf(opts.asOf),
      batchShare: parseRouteShares('--batch-share', opts.batchShare),
      cacheHit: parseRouteShares('--cache-hit', opts.cacheHit),
    };
    if (changes.swaps.length + changes.batchShare.length + changes.cacheHit.length === 0 && changes.asOf === undefined) {
      throw new CostattrError('BAD_USAGE', 'name a change: --swap-model, --as-of, --batch-share or --cache-hit');
    }
    const filter = { period: periodOf(opts) };
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts, {
      period: filter.period,
      named: [
        ...changes.swaps.map((s) => ({ field: 'model' as const, value: s.from, flag: '--swap-model' })),
        ...changes.batchShare.map((s) => ({ field: 'route' as const, value: s.route, flag: '--batch-share' })),
        ...changes.cacheHit.map((s) => ({ field: 'route' as const, value: s.route, flag: '--cache-hit' })),
      ],
    }), async ({ db }) => {
      const [{ whatif }, { whatifRendering }] = await Promise.all([import('../../analysis/whatif.js'), import('../../render/outputs/analyses.js')]);
      return whatifRendering(await whatif(db, { filter, changes }));
    });
  });
}
