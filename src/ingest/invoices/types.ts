/**
 * The invoice-ingest contract: the formats recognised, the options a caller passes, and the
 * report every invoice ingest returns (per-file figures and the rows it skipped).
 */

export const INVOICE_FORMATS = [
  'anthropic-cost-csv',
  'anthropic-usage-csv',
  'anthropic-cost-json',
  'anthropic-usage-json',
  'openai-cost-csv',
  'openai-cost-json',
  'openai-usage-csv',
  'openai-usage-json',
  'focus-csv',
  'generic-csv',
] as const;
export type InvoiceFormat = (typeof INVOICE_FORMATS)[number];

/** `cost` lines carry billed dollars (maybe tokens too); `usage` lines carry token counts only. */
export type InvoiceKind = 'cost' | 'usage';

export interface InvoiceIngestOptions {
  /** Force the provider (`anthropic`, `openai`, …): picks the adapter family, names FOCUS/generic rows. */
  provider?: string | undefined;
  skipInvalid?: boolean | undefined;
  /** canonical invoice column ← source column, for a generic CSV (see docs/data-model.md). */
  mapping?: Record<string, string> | undefined;
  /** USD per unit of a currency (`--fx EUR=1.08`): amounts in it are converted; other non-USD amounts are refused. */
  fx?: Readonly<Record<string, string>> | undefined;
}

/** A row left out under --skip-invalid (or the first one that stopped the ingest). */
export interface InvoiceProblem {
  file: string;
  row: number;
  field: string;
  message: string;
}

export interface InvoiceFileReport {
  path: string;
  format: InvoiceFormat | 'empty';
  ingestId: number;
  /** Rows (CSV) or results (JSON) read. */
  recordsRead: number;
  /** Invoice lines stored (rows are split per token class and summed per line key). */
  loaded: number;
  /** Stored lines an earlier ingest had for the same key, replaced by this file's. */
  replaced: number;
  rejected: number;
  /** Currencies converted to USD in this file, with the rate used (USD per unit). */
  fx: Record<string, string>;
}

export interface InvoiceIngestReport {
  files: InvoiceFileReport[];
  recordsRead: number;
  loaded: number;
  replaced: number;
  rejected: number;
  problems: InvoiceProblem[];
}
