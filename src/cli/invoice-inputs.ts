/**
 * Invoice and revenue files next to the spans: the `--invoice`, `--provider`, `--invoice-map`,
 * and `--revenue` options (with `--skip-invalid` from the command) shared by `ingest`, `reconcile` and the reports.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Database } from '../db/database.js';
import { CostattrError } from '../errors.js';
import { ingestInvoiceFiles } from '../ingest/invoices/index.js';
import { loadRevenueCsv } from '../ingest/revenue/index.js';
import { note } from './common.js';

export interface InvoiceInputOptions {
  invoice?: string[];
  provider?: string;
  invoiceMap?: string;
  skipInvalid?: boolean;
  revenue?: string;
  quiet?: boolean;
}

export function addInvoiceOptions(cmd: Command): Command {
  return cmd
    .option('--invoice <files...>', 'invoice or usage exports (Anthropic, OpenAI, FOCUS, mapped CSV)')
    .option('--provider <name>', 'the provider of the invoice files, when their header does not say')
    .option('--invoice-map <file>', 'JSON column mapping for a generic invoice CSV')
    .option('--revenue <file>', 'revenue CSV (tenant, month, revenue_usd, plan, ceiling_usd, markup)');
}

/** A generic-CSV column mapping file: `{"day": "Date", "amount_usd": "Cost", …}`. */
export function readInvoiceMapping(path: string | undefined): Record<string, string> | undefined {
  if (path === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read the invoice mapping: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Object.values(doc).every((v) => typeof v === 'string')) {
    throw new CostattrError('BAD_INPUT', `${path}: expected an object {"canonical column": "source column", …}`);
  }
  return doc as Record<string, string>;
}

/** Load `--invoice` files and `--revenue` into the analysis database (after the spans). */
export async function loadInvoiceInputs(db: Database, opts: InvoiceInputOptions): Promise<void> {
  if (opts.invoice && opts.invoice.length > 0) {
    const report = await ingestInvoiceFiles(db, opts.invoice, {
      provider: opts.provider, skipInvalid: opts.skipInvalid, mapping: readInvoiceMapping(opts.invoiceMap),
    });
    note(opts, `loaded ${report.loaded} invoice lines from ${report.files.length} file(s) (${report.replaced} replaced, ${report.rejected} rejected rows)`);
    for (const problem of report.problems) note(opts, `skipped ${problem.file} row ${problem.row}:${problem.field ? ` field ${problem.field}:` : ''} ${problem.message}`);
  }
  if (opts.revenue) {
    const revenue = await loadRevenueCsv(db, opts.revenue, { skipInvalid: opts.skipInvalid });
    for (const p of revenue.skipped) note(opts, `skipped ${revenue.path} row ${p.row}: field ${p.field}: ${p.problem}`);
    note(opts, `loaded ${revenue.rows} revenue rows of ${revenue.read} from ${revenue.path} (${revenue.skipped.length} skipped)`);
  }
}
