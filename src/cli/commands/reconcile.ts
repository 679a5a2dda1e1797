/**
 * `costattr reconcile`: flags → invoices and revenue loaded next to the spans → reconcile →
 * rendered close. Exit 1 (after printing) when --tolerance is given and the unexplained variance
 * is over it.
 */
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { reconcile } from '../../analysis/reconcile.js';
import { SHARE_MODES, type ShareMode } from '../../analysis/share-unattributed.js';
import { CostattrError } from '../../errors.js';
import { wantsColor } from '../../render/color.js';
import { renderJson } from '../../render/json.js';
import { renderCsv } from '../../render/csv.js';
import { billTable, linesTable, reconcileTables } from '../../render/reconcile.js';
import { renderTableModels, type TableFormat } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, note, openAnalysisDb, periodOf, type InputOptions } from '../common.js';
import { addInvoiceOptions, loadInvoiceInputs, type InvoiceInputOptions } from '../invoice-inputs.js';

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

/** `2%` → 0.02; `0.02` → 0.02. A bare number above 1 is ambiguous and refused. */
export function parseTolerance(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!m || !Number.isFinite(n) || n > 1) throw new CostattrError('BAD_USAGE', `--tolerance ${value}: expected a percentage such as 2% (or a fraction such as 0.02)`);
  return n;
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
  addInvoiceOptions(addInputOptions(cmd, OUTPUT_FORMATS)).action(async (opts: ReconcileOptions) => {
    const format = formatOf(opts, OUTPUT_FORMATS) as TableFormat | 'json';
    const tolerance = parseTolerance(opts.tolerance);
    const period = periodOf(opts);
    const share = parseShare(opts.shareUnattributed);
    const freeTierDrainUsd = parseUsd('--free-tier-drain', opts.freeTierDrain);
    const db = await openAnalysisDb(opts);
    let result;
    try {
      await loadInvoiceInputs(db, opts);
      result = await reconcile(db, { period, tolerance, share, freeTierDrainUsd });
    } finally {
      db.close();
    }
    if (format === 'json') emit(opts, renderJson(result.report));
    else {
      const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
      const title = `reconcile ${opts.month ?? `${period.since ?? '…'} – ${period.until ?? '…'}`}`;
      const tables = format === 'csv' ? [linesTable(result)] : reconcileTables(result, { title, detail: opts.detail === true });
      emit(opts, renderTableModels(tables, format, { color }));
    }
    if (opts.bill !== undefined) {
      writeBill(opts.bill, result.bill);
      note(opts, `wrote the pass-through bill of ${result.bill?.length ?? 0} tenant(s) to ${opts.bill}`);
    }
    for (const line of result.notes) note(opts, line);
    if (result.gateFailed) {
      const pct = result.unexplained_pct === null ? 'all' : `${(result.unexplained_pct * 100).toFixed(2)}%`;
      throw new CostattrError('GATE_FAILED', `unexplained variance $${result.unexplained_usd.toFixed(6)} (${pct} of the invoice) is over the tolerance ${opts.tolerance ?? ''}`);
    }
  });
}

function writeBill(path: string, lines: Parameters<typeof billTable>[0] | null): void {
  if (lines === null) throw new CostattrError('BAD_USAGE', '--bill needs revenue (--revenue FILE or a --db with revenue) and one calendar month (--month YYYY-MM)');
  try {
    writeFileSync(path, renderCsv(billTable(lines)));
  } catch (err) {
    throw new CostattrError('BAD_USAGE', `--bill ${path}: cannot write: ${(err as Error).message}`, { cause: err });
  }
}
