/** `costattr ingest <files…> --db FILE`: flags → a write workspace (spans, invoices, revenue loaded into --db) → the ingest report. */
import type { Command } from 'commander';
import { CostattrError } from '../../errors.js';
import type { ConventionOverride, SpanFormatOption, SpanIngestOptions } from '../../ingest/spans/index.js';
import { addInvoiceOptions, collect, parseFx, parseMemoryLimit, type InvoiceInputOptions } from '../common.js';
import { note } from '../output.js';
import { runInWorkspace } from '../run.js';

interface IngestOptions extends InvoiceInputOptions {
  db?: string;
  lake?: string;
  namespace?: string;
  convention?: string;
  format?: string;
  map?: string;
  mapFile?: string;
  quiet?: boolean;
  json?: boolean;
  memoryLimit?: string;
  tempDir?: string;
  inputLimits?: string;
  rejects?: string;
  pricing?: string[];
}

const CONVENTIONS: readonly ConventionOverride[] = ['auto', 'inclusive', 'exclusive'];
const INPUT_FORMATS: readonly SpanFormatOption[] = ['auto', 'otlp', 'jsonl', 'csv', 'parquet'];

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  const v = (value ?? allowed[0]) as T;
  if (!allowed.includes(v)) throw new CostattrError('BAD_USAGE', `${flag} ${String(value)} is not one of ${allowed.join(', ')}`);
  return v;
}

/** Every skipped record, one JSON object a line: `{"file", "line" | "row", "field", "reason"}`; written atomically, empty when none. */
async function writeRejects(path: string, problems: ReadonlyArray<{ file: string; line?: number | undefined; row?: number | undefined; field?: string | undefined; message: string }>): Promise<void> {
  const { writeFileAtomic } = await import('../../app/atomic-file.js');
  const lines = problems.map((p) => JSON.stringify({ file: p.file, line: p.line, row: p.row, field: p.field || undefined, reason: p.message }));
  writeFileAtomic(path, lines.map((l) => `${l}\n`).join(''));
}

export function registerIngest(program: Command): void {
  const cmd = program
    .command('ingest')
    .description('load span exports (OTLP/JSON, flat JSONL/CSV/Parquet), invoices and revenue into a database; idempotent')
    .argument('[files...]', 'span files or directories')
    .option('--db <file>', 'database file to load into (created when missing)')
    .option('--lake <dir>', 'or a span lake directory: partitioned Parquet, priced at ingest (created when missing)')
    .option('--namespace <ns>', 'custom attribute namespace for tenant/user/task/route tags (detected when unique)')
    .option('--convention <rule>', `input-token convention: ${CONVENTIONS.join('|')}`, 'auto')
    .option('--skip-invalid', 'load the valid records and report the invalid ones instead of stopping')
    .option('--rejects <file>', 'write every skipped record (file, line or row, field, reason) to FILE as JSON Lines; implies --skip-invalid')
    .option('--format <format>', `input format: ${INPUT_FORMATS.join('|')}`, 'auto')
    .option('--map <pairs>', 'flat tables: canonical=source column pairs, comma separated')
    .option('--map-file <file>', 'flat tables: JSON object of canonical → source column')
    .option('--json', 'print the ingest report as JSON on stdout')
    .option('--memory-limit <size>', "DuckDB's memory_limit for this run, e.g. 512MB (work beyond it spills to --temp-dir)")
    .option('--temp-dir <dir>', 'where DuckDB spills work tables that outgrow the memory limit (default: <db>.tmp)')
    .option('--input-limits <limits>', 'bounds on each span file: line=256MB,depth=128,gzip-ratio=200,file=64GiB (any of them)')
    .option('--pricing <file>', 'price overrides the stored cost roll-up is priced with; reads given the same --pricing use it (repeatable)', collect)
    .option('--quiet', 'no progress or summary on stderr');
  addInvoiceOptions(cmd).action(async (files: string[], opts: IngestOptions) => {
    if (files.length === 0 && !opts.invoice?.length && !opts.revenue) {
      throw new CostattrError('BAD_USAGE', 'nothing to ingest: give span files, --invoice FILE… or --revenue FILE');
    }
    if ((opts.db === undefined) === (opts.lake === undefined)) {
      throw new CostattrError('BAD_USAGE', 'give where to load into: --db FILE or --lake DIR (one of them)');
    }
    const [{ parseColumnMapping, readMappingFile }, { parseInputLimits }, { ingestProgressBar }] = await Promise.all([
      import('../../ingest/spans/index.js'), import('../../ingest/sources/input.js'), import('../progress.js'),
    ]);
    const limits = parseInputLimits(opts.inputLimits);
    const progress = ingestProgressBar(opts);
    const spanOptions: SpanIngestOptions = {
      namespace: opts.namespace,
      convention: oneOf('--convention', opts.convention, CONVENTIONS),
      skipInvalid: opts.skipInvalid === true || opts.rejects !== undefined,
      format: oneOf('--format', opts.format, INPUT_FORMATS),
      mapping: { ...(opts.mapFile ? readMappingFile(opts.mapFile) : {}), ...(opts.map ? parseColumnMapping(opts.map) : {}) },
      onProgress: progress?.update,
      userMemoryLimit: opts.memoryLimit !== undefined,
      limits,
    };
    const workspace = {
      access: 'write' as const,
      db: opts.db,
      lake: opts.lake,
      spans: files,
      spanOptions,
      invoices: { files: opts.invoice, provider: opts.provider, mapFile: opts.invoiceMap, skipInvalid: spanOptions.skipInvalid, fx: parseFx(opts.fx) },
      revenue: opts.revenue,
      pricing: opts.pricing,
      memoryLimit: parseMemoryLimit(opts.memoryLimit),
      tempDir: opts.tempDir,
      note: (message: string) => {
        progress?.stop(); // a note (invoices, revenue) after the spans: the bar's line is cleared first
        note(opts, message);
      },
    };
    // --format names the input format here; the report goes to stdout only as JSON (--json)
    try {
      await runInWorkspace({ format: opts.json ? 'json' : 'table', quiet: opts.quiet }, ['table', 'json'], workspace, async ({ spans, invoices }) => {
        progress?.stop(); // the bar is cleared before the report's notes
        if (opts.rejects !== undefined) await writeRejects(opts.rejects, [...(spans?.problems ?? []), ...(invoices?.problems ?? [])]);
        const { ingestRendering } = await import('../../render/outputs/documents.js');
        return ingestRendering(spans);
      });
    } finally {
      progress?.stop();
    }
  });
}
