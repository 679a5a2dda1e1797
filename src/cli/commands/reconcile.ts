/**
 * `costattr reconcile`: flags → invoices and revenue loaded next to the spans → reconcile →
 * rendered close. Exit 1 (after printing) when --tolerance is given and the unexplained variance
 * is over it.
 */
import type { Command } from 'commander';
import { SHARE_MODES, type ShareMode } from '../../analysis/share-unattributed.js';
import { CostattrError } from '../../errors.js';
import { addEngineOptions, addInputOptions, addInvoiceOptions, parseTolerance, periodOf, readWorkspace, type InputOptions, type InvoiceInputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'csv', 'md'] as const;

interface ReconcileOptions extends InputOptions, InvoiceInputOptions {
  tolerance?: string;
  detail?: boolean;
  shareUnattributed?: string;
  freeTierDrain?: string;
  bill?: string;
}

function parseShare(value: string | undefined): ShareMode {
  if (value === undefined) return 'none';
  const mode = SHARE_MODES.find((m) => m === value.trim().toLowerCase());
  if (!mode) throw new CostattrError('BAD_USAGE', `--share-unattributed ${value}: expected one of ${SHARE_MODES.join(', ')}`);
  return mode;
}

function parseUsd(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\$?(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!m) throw new CostattrError('BAD_USAGE', `${flag} ${value}: expected an amount in USD such as 10`);
  return Number(m[1]);
}

export function registerReconcile(program: Command): void {
  const cmd = program
    .command('reconcile')
    .description('spans vs invoices: variance explained by cause, untraced and unattributed spend, margins, cache economics')
    .option('--skip-invalid', 'skip invoice rows that cannot be read, and report them')
    .option('--tolerance <pct>', 'exit 1 when the unexplained variance exceeds this share of the invoice, e.g. 2%')
    .option('--detail', 'also show every line and tenant (table/md)')
    .option('--share-unattributed <mode>', `give tenant-less spend to tenants for margins: ${SHARE_MODES.join('|')}`, 'none')
    .option('--free-tier-drain <usd>', 'monthly cost above which a free (zero-revenue) tenant is a free-tier drain (default 10)')
    .option('--bill <file>', 'write the pass-through bill (tenant, month, cost_usd, markup, bill_usd) as CSV');
  addEngineOptions(addInvoiceOptions(addInputOptions(cmd, OUTPUT_FORMATS))).action(async (opts: ReconcileOptions) => {
    const period = periodOf(opts);
    const spec = { period, tolerance: parseTolerance(opts.tolerance), share: parseShare(opts.shareUnattributed), freeTierDrainUsd: parseUsd('--free-tier-drain', opts.freeTierDrain) };
    const view = {
      title: `reconcile ${opts.month ?? `${period.since ?? '…'} – ${period.until ?? '…'}`}`,
      detail: opts.detail === true,
      tolerance: opts.tolerance,
      billFile: opts.bill,
    };
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts, { period, invoices: true }), async ({ engine }) => {
      const [{ reconcile }, { reconcileRendering }] = await Promise.all([import('../../analysis/reconcile.js'), import('../../render/outputs/gates.js')]);
      return reconcileRendering(await reconcile(engine, spec), view);
    });
  });
}
