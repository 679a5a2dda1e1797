/** `costattr ingest <files…> --db FILE`: flags → SpanIngestOptions → ingestSpanFiles → a summary line (or the report as JSON). */
import type { Command } from 'commander';
import { Database } from '../../db/database.js';
import { CostattrError } from '../../errors.js';
import { ingestSpanFiles, parseColumnMapping, readMappingFile, type IngestReport, type SpanIngestOptions } from '../../ingest/spans/index.js';
import type { ConventionOverride, SpanFormatOption } from '../../ingest/spans/types.js';
import { ingestSourceLines } from '../../render/quality.js';
import { note } from '../common.js';
import { addInvoiceOptions, loadInvoiceInputs, type InvoiceInputOptions } from '../invoice-inputs.js';

interface IngestOptions extends InvoiceInputOptions {
  db: string;
  namespace?: string;
  convention?: string;
  skipInvalid?: boolean;
  format?: string;
  map?: string;
  mapFile?: string;
  quiet?: boolean;
  json?: boolean;
  memoryLimit?: string;
  tempDir?: string;
}

const CONVENTIONS: readonly ConventionOverride[] = ['auto', 'inclusive', 'exclusive'];
const INPUT_FORMATS: readonly SpanFormatOption[] = ['auto', 'otlp', 'jsonl', 'csv', 'parquet'];
const PROGRESS_EVERY_MS = 500;

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  const v = (value ?? allowed[0]) as T;
  if (!allowed.includes(v)) throw new CostattrError('BAD_USAGE', `${flag} ${String(value)} is not one of ${allowed.join(', ')}`);
  return v;
}

export function ingestSummary(report: IngestReport): string {
  const conventions = Object.entries(report.conventions)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return (
    `loaded ${report.loaded} spans from ${report.files.length} files ` +
    `(${report.duplicates} duplicates, ${report.rejected} rejected, ${report.problems.length} skipped); ` +
    `conventions: ${conventions || 'none'}; namespace ${report.namespace ?? 'none'}`
  );
}

function progressReporter(opts: IngestOptions): SpanIngestOptions['onProgress'] {
  if (opts.quiet || !process.stderr.isTTY) return undefined;
  const started = Date.now();
  let last = 0;
  return ({ records }) => {
    const now = Date.now();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    const rate = Math.round(records / Math.max(0.001, (now - started) / 1000));
    process.stderr.write(`\r${records} records read (${rate}/s)   `);
  };
}

/** DuckDB running out of its memory limit is a setting the user can change, not a bug: say which (exit 2). */
function outOfMemoryAsUsage(err: unknown, opts: IngestOptions): unknown {
  if (!(err instanceof Error) || !/Out of Memory Error/.test(err.message)) return err;
  return new CostattrError('BAD_USAGE', `ingest ran out of memory${opts.memoryLimit ? ` under --memory-limit ${opts.memoryLimit}` : ''}: ${err.message.split('\n')[0] ?? ''}`, {
    hint: 'raise --memory-limit (e.g. 1GB), or split the input into smaller files; nothing was stored',
    cause: err,
  });
}

export function registerIngest(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('load span exports (OTLP/JSON, flat JSONL/CSV/Parquet), invoices and revenue into a database; idempotent')
    .argument('[files...]', 'span files or directories')
    .requiredOption('--db <file>', 'database file to load into (created when missing)')
    .option('--namespace <ns>', 'custom attribute namespace for tenant/user/task/route tags (detected when unique)')
    .option('--convention <rule>', `input-token convention: ${CONVENTIONS.join('|')}`, 'auto')
    .option('--skip-invalid', 'load the valid records and report the invalid ones instead of stopping')
    .option('--format <format>', `input format: ${INPUT_FORMATS.join('|')}`, 'auto')
    .option('--map <pairs>', 'flat tables: canonical=source column pairs, comma separated')
    .option('--map-file <file>', 'flat tables: JSON object of canonical → source column')
    .option('--json', 'print the ingest report as JSON on stdout')
    .option('--memory-limit <size>', "DuckDB's memory_limit for this run, e.g. 512MB (work beyond it spills to --temp-dir)")
    .option('--temp-dir <dir>', 'where DuckDB spills work tables that outgrow the memory limit (default: <db>.tmp)')
    .option('--quiet', 'no progress or summary on stderr');
  addInvoiceOptions(cmd).action(async (files: string[], opts: IngestOptions) => {
    if (files.length === 0 && !opts.invoice?.length && !opts.revenue) {
      throw new CostattrError('BAD_USAGE', 'nothing to ingest: give span files, --invoice FILE… or --revenue FILE');
    }
    const mapping = {
      ...(opts.mapFile ? readMappingFile(opts.mapFile) : {}),
      ...(opts.map ? parseColumnMapping(opts.map) : {}),
    };
    const spec: SpanIngestOptions = {
      namespace: opts.namespace,
      convention: oneOf('--convention', opts.convention, CONVENTIONS),
      skipInvalid: opts.skipInvalid === true,
      format: oneOf('--format', opts.format, INPUT_FORMATS),
      mapping,
      onProgress: progressReporter(opts),
      userMemoryLimit: opts.memoryLimit !== undefined,
    };
    const db = await Database.open({ path: opts.db, memoryLimit: opts.memoryLimit, tempDirectory: opts.tempDir });
    let report: IngestReport | undefined;
    try {
      if (files.length > 0) report = await ingestSpanFiles(db, files, spec);
      await loadInvoiceInputs(db, opts);
    } catch (err) {
      throw outOfMemoryAsUsage(err, opts);
    } finally {
      db.close();
    }
    if (!report) return;
    if (spec.onProgress) process.stderr.write('\n');
    for (const p of report.problems) {
      const where = p.line !== undefined ? `:${p.line}` : p.row !== undefined ? ` row ${p.row}` : '';
      note(opts, `skipped ${p.file}${where}:${p.field ? ` field ${p.field}:` : ''} ${p.message}`);
    }
    note(opts, ingestSummary(report));
    for (const line of ingestSourceLines(report)) note(opts, line);
    if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  });
}
