/**
 * `ingestInvoiceFiles`: provider invoices and usage exports into `invoice_lines`. Each file's
 * format is detected from its header (CSV column names, JSON result keys), or narrowed by
 * --provider; the file is read by DuckDB (raw.ts), cast and checked (stage.ts), and merged.
 * All files load in one transaction: a bad row stops with exit 2 naming file, row and field and
 * leaves the database as it was, unless --skip-invalid.
 */
import type { Database } from '../../db/database.js';
import { num } from '../../db/values.js';
import { badInput, CostattrError } from '../../errors.js';
import { Fields, stagingSelect, type InvoiceAdapter } from './adapter.js';
import { anthropicCostCsv, anthropicCostJson, anthropicUsageCsv, anthropicUsageJson } from './anthropic.js';
import { focusCsv } from './focus.js';
import { genericCsv } from './generic.js';
import { openaiCostCsv, openaiCostJson, openaiUsageCsv, openaiUsageJson } from './openai.js';
import { firstLine, jsonResultKeys, loadCsv, loadJsonPages, looksLikeJson, parseHeader, type CsvReject } from './raw.js';
import { mergeStaged, ratesUsed, stage, stageProblems, type FxRates } from './stage.js';
import type { InvoiceFileReport, InvoiceIngestOptions, InvoiceIngestReport, InvoiceProblem } from './types.js';

export type { InvoiceIngestOptions, InvoiceIngestReport, InvoiceFileReport, InvoiceFormat, InvoiceProblem } from './types.js';

/** Detection order matters: the most specific header test first. */
const KNOWN: readonly InvoiceAdapter[] = [
  anthropicCostCsv, anthropicUsageCsv, openaiCostCsv, openaiUsageCsv, focusCsv,
  anthropicCostJson, anthropicUsageJson, openaiCostJson, openaiUsageJson,
];

/** Problems listed in the report under --skip-invalid (the counts are always complete; `--rejects` writes the list). */
const MAX_PROBLEMS = 100_000;

export async function ingestInvoiceFiles(db: Database, paths: readonly string[], options: InvoiceIngestOptions = {}): Promise<InvoiceIngestReport> {
  const provider = options.provider?.trim().toLowerCase();
  const adapters = [...KNOWN, genericCsv(options.mapping)];
  return db.transaction(async () => {
    const report: InvoiceIngestReport = { files: [], recordsRead: 0, loaded: 0, replaced: 0, rejected: 0, problems: [] };
    for (const path of paths) {
      const file = await ingestFile(db, path, adapters, { provider, skipInvalid: options.skipInvalid ?? false, mapped: options.mapping !== undefined, fx: options.fx ?? {} });
      report.files.push(file.report);
      report.recordsRead += file.report.recordsRead;
      report.loaded += file.report.loaded;
      report.replaced += file.report.replaced;
      report.rejected += file.report.rejected;
      report.problems.push(...file.problems.slice(0, Math.max(0, MAX_PROBLEMS - report.problems.length)));
    }
    await db.exec('DROP TABLE IF EXISTS invoice_raw; DROP TABLE IF EXISTS invoice_stage; DROP TABLE IF EXISTS invoice_new');
    return report;
  });
}

interface FileContext {
  provider: string | undefined;
  skipInvalid: boolean;
  /** A --mapping was given: the generic adapter wins over detection. */
  mapped: boolean;
  fx: FxRates;
}

async function ingestFile(db: Database, path: string, adapters: readonly InvoiceAdapter[], ctx: FileContext): Promise<{ report: InvoiceFileReport; problems: InvoiceProblem[] }> {
  const head = await firstLine(path);
  let fields: Fields;
  let reader: 'csv' | 'json';
  let unreadable: CsvReject[] = [];
  if (looksLikeJson(head)) {
    reader = 'json';
    await loadJsonPages(db, path);
    fields = new Fields(await jsonResultKeys(db));
  } else {
    reader = 'csv';
    const header = parseHeader(head);
    unreadable = await loadCsv(db, path, header, ctx.skipInvalid);
    fields = new Fields(header.names);
  }
  const recordsRead = num((await db.one<{ n: string }>('SELECT count(*) AS n FROM invoice_raw'))?.n) + unreadable.length;
  const adapter = pickAdapter(path, reader, fields, adapters, ctx, recordsRead);
  const missing = adapter?.required?.find((name) => !fields.has(name));
  if (missing) throw badInput(path, { line: 1 }, missing, `missing column (a ${adapter?.format} file has it; columns: ${describe(fields)})`);
  const format = adapter?.format ?? 'empty';
  const kind = adapter ? (adapter.kindFor?.(fields) ?? adapter.kind) : 'cost';
  const ingestId = await recordIngest(db, path, format);
  if (!adapter) return { report: { path, format, ingestId, recordsRead, loaded: 0, replaced: 0, rejected: 0, fx: {} }, problems: [] };

  await stage(db, stagingSelect(adapter.lines(fields, { provider: ctx.provider })), ctx.fx);
  const fx = await ratesUsed(db, ctx.fx);
  const check = await stageProblems(db, path, MAX_PROBLEMS);
  const first = check.problems[0];
  if (first && !ctx.skipInvalid) {
    throw Object.assign(badInput(path, { row: first.row }, first.field, first.message), {
      hint: '--skip-invalid loads the valid rows and reports the rest',
    });
  }
  const merged = await mergeStaged(db, ingestId, kind, path);
  const rejected = check.rejectedRows + unreadable.length;
  const problems = [...unreadable.map((r) => ({ file: path, row: r.line, field: r.field ?? '', message: r.message })), ...check.problems]
    .sort((a, b) => a.row - b.row);
  await db.exec('UPDATE ingests SET spans_loaded = $loaded, duplicates = $replaced, rejected = $rejected, records_read = $read WHERE ingest_id = $id', {
    loaded: merged.loaded, replaced: merged.replaced, rejected, read: recordsRead, id: ingestId,
  });
  return {
    report: { path, format, ingestId, recordsRead, loaded: merged.loaded, replaced: merged.replaced, rejected, fx },
    problems,
  };
}

function pickAdapter(path: string, reader: 'csv' | 'json', fields: Fields, adapters: readonly InvoiceAdapter[], ctx: FileContext, records: number): InvoiceAdapter | undefined {
  if (reader === 'json' && records === 0) return undefined; // a page with no results: nothing billed
  const candidates = adapters.filter((a) => a.reader === reader && (ctx.provider === undefined || a.provider === undefined || a.provider === ctx.provider));
  const generic = candidates.find((a) => a.format === 'generic-csv');
  const found = ctx.mapped && generic?.detect(fields) ? generic : candidates.find((a) => a.detect(fields));
  if (found) return found;
  const known = ['Anthropic Console cost/usage CSV', 'Anthropic Admin API cost_report/usage_report JSON', 'OpenAI cost/activity CSV',
    'OpenAI Costs/Usage API JSON', 'FOCUS 1.x CSV', 'a generic CSV with a column mapping'];
  throw new CostattrError('BAD_INPUT', `${path}: not a recognised invoice format${ctx.provider ? ` for provider ${ctx.provider}` : ''} (columns: ${describe(fields)})`, {
    hint: `supported: ${known.join('; ')}`,
  });
}

function describe(fields: Fields): string {
  const names = fields.names();
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ') || 'none';
}

async function recordIngest(db: Database, path: string, format: string): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO ingests (ingest_id, path, format, loaded_at, records_read, spans_loaded, duplicates, rejected)
     VALUES (nextval('ingest_seq'), $path, $format, current_timestamp::TIMESTAMP, 0, 0, 0, 0) RETURNING ingest_id AS id`,
    { path, format: `invoice:${format}` },
  );
  return num(row?.id);
}
