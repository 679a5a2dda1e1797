/**
 * The workspace a command runs in, and the only place a database is opened: the `--db` file
 * (read-only for read commands, read-write for ingest) or an in-memory database for `--spans`,
 * the span/invoice/revenue inputs loaded into it, the price book loaded once and installed, and
 * everything closed when the command's work is done.
 */
import { existsSync } from 'node:fs';
import { requireInvoicesIn, requireKnown, requireSpansIn, type NamedField } from '../analysis/coverage.js';
import type { Period } from '../analysis/period.js';
import { Database } from '../db/database.js';
import { overlayWritableTables } from '../db/schema.js';
import { CostattrError } from '../errors.js';
import { ingestInvoiceFiles, type InvoiceIngestReport } from '../ingest/invoices/index.js';
import { loadRevenueCsv } from '../ingest/revenue/index.js';
import { ingestSpanFiles, type IngestReport, type SpanIngestOptions } from '../ingest/spans/index.js';
import { installPriceBook, loadPriceBook, materialisePricedSpans, type PriceBook } from '../pricebook/index.js';
import { skippedNotes } from '../render/problems.js';
import { uncountedNotes } from '../render/quality.js';
import { readInvoiceMapping } from './invoice-mapping.js';

export interface InvoiceInputs {
  files?: readonly string[] | undefined;
  provider?: string | undefined;
  /** A JSON column mapping file for a generic invoice CSV. */
  mapFile?: string | undefined;
  skipInvalid?: boolean | undefined;
  /** USD per unit of each non-USD currency the invoices may use (`--fx EUR=1.08`). */
  fx?: Readonly<Record<string, string>> | undefined;
}

/** What the question is about, checked against the data before it is answered (never an empty answer for a typo). */
export interface Scope {
  /** The period must hold spans; one reaching past the data is noted. */
  period?: Period | undefined;
  /** The period must hold invoice lines too (reconcile). */
  invoices?: boolean | undefined;
  /** Named tenants, users, routes or models must exist in the data. */
  named?: ReadonlyArray<{ field: NamedField; value: string; flag: string }> | undefined;
}

export interface WorkspaceSpec {
  /** `read`: analyses (a `--db` opens read-only); `write`: ingest into `--db`, created when missing. */
  access: 'read' | 'write';
  db?: string | undefined;
  spans?: readonly string[] | undefined;
  spanOptions?: SpanIngestOptions | undefined;
  invoices?: InvoiceInputs | undefined;
  revenue?: string | undefined;
  /** Price-book overrides; read workspaces install the book and price the spans. */
  pricing?: readonly string[] | undefined;
  memoryLimit?: string | undefined;
  tempDir?: string | undefined;
  scope?: Scope | undefined;
  /** Once loaded, the database reads nothing but itself (`sql`): see Database.sandbox. */
  sandbox?: boolean | undefined;
  note: (message: string) => void;
}

export interface Workspace {
  db: Database;
  /** The price book (read workspaces); loaded once per run. */
  book: PriceBook | undefined;
  /** What span ingest loaded, when span files were given. */
  spans: IngestReport | undefined;
  /** What invoice ingest loaded, when invoice files were given. */
  invoices: InvoiceIngestReport | undefined;
}


function hasSpanFiles(spec: WorkspaceSpec): boolean {
  return spec.spans !== undefined && spec.spans.length > 0;
}

async function openDatabase(spec: WorkspaceSpec): Promise<Database> {
  if (spec.access === 'write') {
    if (spec.db === undefined) throw new CostattrError('BAD_USAGE', 'give the database to load into: --db FILE');
    return Database.open({ path: spec.db, memoryLimit: spec.memoryLimit, tempDirectory: spec.tempDir });
  }
  if (spec.db === undefined) {
    if (!hasSpanFiles(spec)) throw new CostattrError('BAD_USAGE', 'give the data: --db FILE (made by `costattr ingest`) or --spans FILE…');
    return Database.open({ memoryLimit: spec.memoryLimit, tempDirectory: spec.tempDir });
  }
  if (!existsSync(spec.db)) {
    throw new CostattrError('NOT_FOUND', `no database at ${spec.db}`, { hint: 'make one with `costattr ingest FILES --db FILE`, or check the path' });
  }
  const db = await Database.open({ path: spec.db, readOnly: true, memoryLimit: spec.memoryLimit, tempDirectory: spec.tempDir });
  try {
    // inputs given beside a stored database are loaded into temporary copies: a read never writes the file
    await overlayWritableTables(db, { spans: hasSpanFiles(spec), invoices: (spec.invoices?.files?.length ?? 0) > 0, revenue: spec.revenue !== undefined });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

async function loadInputs(db: Database, spec: WorkspaceSpec): Promise<Pick<Workspace, 'spans' | 'invoices'>> {
  let report: IngestReport | undefined;
  let loaded: InvoiceIngestReport | undefined;
  if (hasSpanFiles(spec)) {
    report = await ingestSpanFiles(db, [...(spec.spans ?? [])], spec.spanOptions ?? {});
    if (spec.access === 'read') spec.note(`loaded ${report.loaded} spans (${report.duplicates} duplicates, ${report.rejected} rejected)`);
    if (spec.access === 'read') for (const line of uncountedNotes(report)) spec.note(line);
  }
  const invoices = spec.invoices;
  if (invoices?.files && invoices.files.length > 0) {
    loaded = await ingestInvoiceFiles(db, invoices.files, {
      provider: invoices.provider, skipInvalid: invoices.skipInvalid, mapping: readInvoiceMapping(invoices.mapFile), fx: invoices.fx,
    });
    for (const file of loaded.files) {
      for (const [currency, rate] of Object.entries(file.fx)) spec.note(`${file.path}: amounts in ${currency} converted at ${rate} USD per ${currency} (--fx)`);
    }
    spec.note(`loaded ${loaded.loaded} invoice lines from ${loaded.files.length} file(s) (${loaded.replaced} replaced, ${loaded.rejected} rejected rows)`);
    for (const line of skippedNotes(loaded.problems, loaded.rejected)) spec.note(line);
  }
  if (spec.revenue !== undefined) {
    const revenue = await loadRevenueCsv(db, spec.revenue, { skipInvalid: spec.invoices?.skipInvalid });
    for (const p of revenue.skipped) spec.note(`skipped ${revenue.path} row ${p.row}: field ${p.field}: ${p.problem}`);
    spec.note(`loaded ${revenue.rows} revenue rows of ${revenue.read} from ${revenue.path} (${revenue.skipped.length} skipped)`);
  }
  return { spans: report, invoices: loaded };
}

async function checkScope(db: Database, spec: WorkspaceSpec): Promise<void> {
  const scope = spec.scope;
  if (scope === undefined) return;
  for (const name of scope.named ?? []) await requireKnown(db, name.field, name.value, name.flag);
  if (scope.period !== undefined) {
    for (const line of await requireSpansIn(db, scope.period)) spec.note(line);
    if (scope.invoices) await requireInvoicesIn(db, scope.period);
  }
}

/** DuckDB running out of its memory limit is a setting the user can change, not a bug: say which (exit 2). */
function outOfMemoryAsUsage(err: unknown, spec: WorkspaceSpec): unknown {
  if (!(err instanceof Error) || !/Out of Memory Error/.test(err.message)) return err;
  const what = spec.access === 'write' ? 'ingest' : 'analysis';
  return new CostattrError('BAD_USAGE', `${what} ran out of memory${spec.memoryLimit ? ` under --memory-limit ${spec.memoryLimit}` : ''}: ${err.message.split('\n')[0] ?? ''}`, {
    hint: spec.access === 'write' ? 'raise --memory-limit (e.g. 1GB), or split the input into smaller files; nothing was stored' : 'raise --memory-limit (e.g. 1GB)',
    cause: err,
  });
}

/** Open the workspace, run `work` in it, and close it whatever happens. */
export async function withWorkspace<T>(spec: WorkspaceSpec, work: (workspace: Workspace) => Promise<T>): Promise<T> {
  const db = await openDatabase(spec);
  try {
    const inputs = await loadInputs(db, spec);
    let book: PriceBook | undefined;
    if (spec.access === 'read') {
      book = await loadPriceBook([...(spec.pricing ?? [])]);
      await installPriceBook(db, book);
      await materialisePricedSpans(db); // spans are all loaded: freeze the pricing keys once
    }
    await checkScope(db, spec);
    if (spec.sandbox) await db.sandbox();
    return await work({ db, book, ...inputs });
  } catch (err) {
    throw outOfMemoryAsUsage(err, spec);
  } finally {
    db.close();
  }
}
