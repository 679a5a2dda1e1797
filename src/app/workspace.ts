/**
 * The workspace a command runs in, and the only place a database is opened: the `--db` file
 * (read-only for read commands, read-write for ingest), a `--lake` directory (read: an in-memory
 * database over its Parquet files; ingest: a scratch database published to the lake, src/lake),
 * a `--lake` on object storage (read by ClickHouse only: no DuckDB over it), or an in-memory
 * database for `--spans`,
 * the span/invoice/revenue inputs loaded into it, the price book loaded once and installed, and
 * everything closed when the command's work is done.
 */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { requireInvoicesIn, requireKnown, requireSpansIn, type NamedField } from '../analysis/coverage.js';
import type { Period } from '../analysis/period.js';
import { Database } from '../db/database.js';
import type { SqlEngine } from '../db/engine.js';
import { forgetIngestRun, hasIngestRuns, ingestState, recordIngestRun, startIngestRun } from '../db/ingest-runs.js';
import { killPoint } from '../db/kill-point.js';
import { overlayWritableTables } from '../db/schema.js';
import { CostattrError } from '../errors.js';
import { ingestInvoiceFiles, type InvoiceIngestReport } from '../ingest/invoices/index.js';
import { loadRevenueCsv } from '../ingest/revenue/index.js';
import { ingestSpanFiles, type IngestReport, type SpanIngestOptions } from '../ingest/spans/index.js';
import { boundIngestMemory } from '../ingest/spans/memory.js';
import { readCommittedOnly, recoverInterruptedIngest } from '../ingest/spans/recover.js';
import { installPriceBook, loadPriceBook, materialisePricedSpans, priceBookHash, type PriceBook } from '../pricebook/index.js';
import { refreshCostRollup, staleRollupNote, STORED_BANDS, storedRollupIsCurrent } from '../analysis/cost-rollup.js';
import { settleRead } from '../analysis/read-memo.js';
import { lakeLocation, type LakeLocation } from '../lake/location.js';
import type { LakeManifest } from '../lake/manifest.js';
import type { LakeWrite } from '../lake/write.js';
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
  /**
   * A span lake (src/lake): a directory, read in place or written by ingest; or `s3://bucket/prefix`
   * / an http(s) bucket URL, read by ClickHouse (src/lake/location.ts). Exclusive with `db`.
   */
  lake?: string | undefined;
  spans?: readonly string[] | undefined;
  spanOptions?: SpanIngestOptions | undefined;
  invoices?: InvoiceInputs | undefined;
  revenue?: string | undefined;
  /** Price-book overrides; read workspaces install the book and price the spans, ingest prices the cost roll-up with it. */
  pricing?: readonly string[] | undefined;
  memoryLimit?: string | undefined;
  tempDir?: string | undefined;
  scope?: Scope | undefined;
  /** Which engine the analysis runs on: DuckDB (the default), or ClickHouse over a `lake`. */
  engine?: 'duckdb' | 'clickhouse' | undefined;
  /** A ClickHouse server (`--clickhouse-url`); embedded ClickHouse (chdb) when not given. */
  clickhouseUrl?: string | undefined;
  /** A ClickHouse cluster that reads an object-store lake with s3Cluster (`--clickhouse-cluster`). */
  clickhouseCluster?: string | undefined;
  /** Once loaded, the database reads nothing but itself (`sql`): see Database.sandbox. */
  sandbox?: boolean | undefined;
  note: (message: string) => void;
}

export interface Workspace {
  db: Database;
  /** Where the analyses that run on either engine run: `db`, or ClickHouse (`--engine clickhouse`). */
  engine: SqlEngine;
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

/**
 * What a lake workspace opened: the manifest read (a directory's reads), a lake on object storage
 * (read by ClickHouse, which reads its manifest), or the write in progress (ingest).
 */
interface LakeState {
  read?: { dir: string; manifest: LakeManifest };
  objectStore?: LakeLocation;
  write?: LakeWrite;
}

async function openLakeDatabase(spec: WorkspaceSpec, location: LakeLocation, lake: LakeState): Promise<Database> {
  if (spec.db !== undefined) throw new CostattrError('BAD_USAGE', 'give --db FILE or --lake DIR, not both');
  if (location.kind === 'object-store') {
    refuseInputsBesideLake(spec);
    lake.objectStore = location;
    // nothing to open: ClickHouse reads the lake; the database is empty (no tables) and reads no files
    const db = await Database.open({ readOnly: true });
    await db.sandbox();
    return db;
  }
  const dir = location.dir;
  if (spec.access === 'write') {
    const { prepareLakeWrite } = await import('../lake/write.js');
    lake.write = await prepareLakeWrite(dir);
    return openDatabase({ ...spec, lake: undefined, db: lake.write.scratch }, lake);
  }
  refuseInputsBesideLake(spec);
  const { openLake } = await import('../lake/open.js');
  const { db, manifest } = await openLake(dir, { memoryLimit: spec.memoryLimit, tempDirectory: spec.tempDir });
  lake.read = { dir, manifest };
  return db;
}

function refuseInputsBesideLake(spec: WorkspaceSpec): void {
  if (hasSpanFiles(spec) || (spec.invoices?.files?.length ?? 0) > 0 || spec.revenue !== undefined) {
    throw new CostattrError('BAD_USAGE', '--lake reads the lake as it is: ingest other files into it first (`costattr ingest FILES --lake DIR`)');
  }
}

async function openDatabase(spec: WorkspaceSpec, lake: LakeState): Promise<Database> {
  if (spec.lake !== undefined) return openLakeDatabase(spec, lakeLocation(spec.lake), lake);
  if (spec.access === 'write') {
    if (spec.db === undefined) throw new CostattrError('BAD_USAGE', 'give the database to load into: --db FILE or --lake DIR');
    const db = await Database.open({ path: spec.db, memoryLimit: spec.memoryLimit, tempDirectory: spec.tempDir });
    try {
      const recovered = await recoverInterruptedIngest(db);
      if (recovered !== undefined) spec.note(recovered);
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
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
    const state = (await hasIngestRuns(db)) ? await ingestState(db) : undefined;
    // inputs given beside a stored database are loaded into temporary copies: a read never writes the file
    await overlayWritableTables(db, { spans: hasSpanFiles(spec), invoices: (spec.invoices?.files?.length ?? 0) > 0, revenue: spec.revenue !== undefined });
    if (state && state.interrupted.length > 0) {
      await readCommittedOnly(db, state);
      spec.note(`${spec.db} holds an unfinished ingest (ingest ids ${state.interrupted.join(', ')}): reading what was committed before it; the next \`costattr ingest\` rolls it back`);
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/**
 * Spans, invoices and revenue load in one transaction; into a --db it ends with the ingest marker
 * (src/db/ingest-runs.ts), so the whole run commits, or none of it.
 */
async function loadInputs(db: Database, spec: WorkspaceSpec, run: number | undefined): Promise<Pick<Workspace, 'spans' | 'invoices'>> {
  let invoices: InvoiceIngestReport | undefined;
  const loadOthers = async (): Promise<void> => {
    if (run !== undefined && hasSpanFiles(spec)) await refreshStoredRollup(db, spec);
    invoices = await loadInvoices(db, spec);
    killPoint('invoices-written');
    await loadRevenue(db, spec);
    killPoint('revenue-written');
    if (run !== undefined) {
      await recordIngestRun(db, run);
      killPoint('marker-written');
    }
  };
  let report: IngestReport | undefined;
  if (hasSpanFiles(spec)) {
    report = await ingestSpanFiles(db, [...(spec.spans ?? [])], spec.spanOptions ?? {}, loadOthers);
    if (spec.access === 'read') {
      spec.note(`loaded ${report.loaded} spans (${report.duplicates} duplicates, ${report.rejected} rejected)`);
      for (const line of uncountedNotes(report)) spec.note(line);
    }
    if (report.conflicts) {
      const first = report.conflicts.first.map((c) => `${c.file} trace ${c.traceId} span ${c.spanId}`).join('; ');
      spec.note(`${report.conflicts.count} conflicting span copies (same trace and span id as a copy already seen, different token counts): the first copy is kept (stored before, else first file and line); first: ${first}`);
    }
  } else {
    await db.transaction(loadOthers);
  }
  if (spec.access === 'write') {
    killPoint('committed');
    killPoint('checkpoint');
    // fold the WAL into the file now, so the next open has nothing to replay; under the ingest's budget,
    // since DuckDB's default limit (80% of RAM) let a 10M-span checkpoint alone reach 2.2 GB of RSS
    const restoreMemory = spec.memoryLimit === undefined ? await boundIngestMemory(db) : async () => undefined;
    try {
      await db.exec('CHECKPOINT');
    } finally {
      await restoreMemory();
    }
  }
  return { spans: report, invoices };
}

/** Price what the ingest stored, into the cost roll-up (src/analysis/cost-rollup.ts), in the ingest's transaction. */
async function refreshStoredRollup(db: Database, spec: WorkspaceSpec): Promise<void> {
  const book = await loadPriceBook([...(spec.pricing ?? [])]);
  await installPriceBook(db, book);
  await refreshCostRollup(db, priceBookHash(book));
  killPoint('rollup-written');
}

async function loadInvoices(db: Database, spec: WorkspaceSpec): Promise<InvoiceIngestReport | undefined> {
  const invoices = spec.invoices;
  if (!invoices?.files || invoices.files.length === 0) return undefined;
  const loaded = await ingestInvoiceFiles(db, invoices.files, {
    provider: invoices.provider, skipInvalid: invoices.skipInvalid, mapping: readInvoiceMapping(invoices.mapFile), fx: invoices.fx,
  });
  for (const file of loaded.files) {
    for (const [currency, rate] of Object.entries(file.fx)) spec.note(`${file.path}: amounts in ${currency} converted at ${rate} USD per ${currency} (--fx)`);
  }
  spec.note(`loaded ${loaded.loaded} invoice lines from ${loaded.files.length} file(s) (${loaded.replaced} replaced, ${loaded.rejected} rejected rows)`);
  for (const line of skippedNotes(loaded.problems, loaded.rejected)) spec.note(line);
  return loaded;
}

async function loadRevenue(db: Database, spec: WorkspaceSpec): Promise<void> {
  if (spec.revenue === undefined) return;
  const revenue = await loadRevenueCsv(db, spec.revenue, { skipInvalid: spec.invoices?.skipInvalid });
  for (const p of revenue.skipped) spec.note(`skipped ${revenue.path} row ${p.row}: field ${p.field}: ${p.problem}`);
  spec.note(`loaded ${revenue.rows} revenue rows of ${revenue.read} from ${revenue.path} (${revenue.skipped.length} skipped)`);
}

/** The scope checked on the engine the analysis runs on (so a lake on object storage is checked by ClickHouse). */
async function checkScope(engine: SqlEngine, spec: WorkspaceSpec): Promise<void> {
  const scope = spec.scope;
  if (scope === undefined) return;
  for (const name of scope.named ?? []) await requireKnown(engine, name.field, name.value, name.flag);
  if (scope.period !== undefined) {
    const tenant = scope.named?.find((n) => n.field === 'tenant')?.value;
    for (const line of await requireSpansIn(engine, scope.period, tenant)) spec.note(line);
    if (scope.invoices) await requireInvoicesIn(engine, scope.period);
  }
}

/**
 * `--engine clickhouse` reads a lake as it was priced at ingest: refused up front without one, or
 * with --pricing. A lake on object storage is read by ClickHouse only, and written nowhere.
 */
function checkEngine(spec: WorkspaceSpec): void {
  const location = spec.lake === undefined ? undefined : lakeLocation(spec.lake);
  if (location?.kind === 'object-store' && spec.access === 'write') {
    throw new CostattrError('BAD_USAGE', `--lake ${location.shown}: ingest writes a lake directory, not object storage`, {
      hint: 'ingest into a local --lake DIR, then sync the directory to the bucket with the manifest last (docs/scale-out.md)',
    });
  }
  if (location?.kind === 'object-store' && spec.engine !== 'clickhouse') {
    throw new CostattrError('BAD_USAGE', `--lake ${location.shown}: a lake on object storage is read by ClickHouse: add --engine clickhouse`, {
      hint: 'DuckDB would need its httpfs extension, which this build does not download; or sync the lake to a local directory and give --lake DIR',
    });
  }
  if (spec.engine !== 'clickhouse') return;
  if (spec.lake === undefined) throw new CostattrError('BAD_USAGE', '--engine clickhouse reads a span lake: give --lake DIR (made by `costattr ingest FILES --lake DIR`)');
  if ((spec.pricing ?? []).length > 0) {
    throw new CostattrError('BAD_USAGE', '--pricing cannot apply with --engine clickhouse: the lake is priced once, when it is written', {
      hint: 're-price with DuckDB (drop --engine, or use --engine duckdb), or re-ingest the spans into a new lake',
    });
  }
}

/** ClickHouse over the lake being read (embedded, or the --clickhouse-url server). */
async function openClickHouse(spec: WorkspaceSpec, lake: LakeState): Promise<SqlEngine & { close(): Promise<void> }> {
  const location = lake.objectStore ?? (lake.read && { kind: 'directory' as const, dir: lake.read.dir });
  if (location === undefined) throw new Error('openClickHouse without a lake read'); // checkEngine saw to it
  const { ClickHouseEngine } = await import('../engine/clickhouse.js');
  return ClickHouseEngine.open(location, { url: spec.clickhouseUrl, cluster: spec.clickhouseCluster }, lake.read?.manifest);
}

const FIRST_LINE = (err: Error): string => err.message.split('\n')[0] ?? '';

/**
 * What the engine reports about the machine, said as what the user can change (exit 2): a full disk
 * (naming the file DuckDB could not write: the database, its WAL, or a spill file in --temp-dir),
 * and running out of the memory limit.
 */
function engineErrorAsUsage(err: unknown, spec: WorkspaceSpec): unknown {
  if (!(err instanceof Error)) return err;
  if (/No space left on device|disk is full/i.test(err.message)) {
    const file = /file \\?"([^"\\]+)\\?"/.exec(err.message)?.[1];
    const spill = file !== undefined && spec.db !== undefined && !file.startsWith(spec.db);
    const nothingStored = spec.access === 'write' ? `; nothing was stored: ${spec.db ?? 'the database'} holds what it held before` : '';
    return new CostattrError('BAD_INPUT', `no space left on the device for ${file ?? spec.db ?? 'a temporary file'}${spill ? ' (DuckDB spilling work that outgrew its memory limit)' : ''}${nothingStored}`, {
      hint: spill ? 'free space there, or give --temp-dir a directory with room' : 'free space on that device, or use a --db on another one',
      cause: err,
    });
  }
  const spillFull = /failed to offload data block[^(]*\(([^)]*) used\)/.exec(err.message);
  if (spillFull) {
    const dir = spec.tempDir ?? (spec.db !== undefined ? `${spec.db}.tmp` : 'the temporary directory');
    return new CostattrError('BAD_INPUT', `no space left in ${dir} for DuckDB to spill work that outgrew its memory limit (${spillFull[1]} used)${spec.access === 'write' ? '; nothing was stored' : ''}`, {
      hint: 'free space there, give --temp-dir a directory with room, or raise --memory-limit',
      cause: err,
    });
  }
  if (!/Out of Memory Error/.test(err.message)) return err;
  const what = spec.access === 'write' ? 'ingest' : 'analysis';
  return new CostattrError('BAD_USAGE', `${what} ran out of memory${spec.memoryLimit ? ` under --memory-limit ${spec.memoryLimit}` : ''}: ${FIRST_LINE(err)}`, {
    hint: spec.access === 'write' ? 'raise --memory-limit (e.g. 1GB), or split the input into smaller files; nothing was stored' : 'raise --memory-limit (e.g. 1GB)',
    cause: err,
  });
}

/** Open the workspace, run `work` in it, and close it whatever happens; a failed ingest that made the database removes it. */
export async function withWorkspace<T>(spec: WorkspaceSpec, work: (workspace: Workspace) => Promise<T>): Promise<T> {
  checkEngine(spec);
  const creates = spec.access === 'write' && spec.db !== undefined && !existsSync(spec.db);
  const lake: LakeState = {};
  let db: Database;
  try {
    db = await openDatabase(spec, lake);
  } catch (err) {
    lake.write?.release();
    throw err;
  }
  let failed = true;
  let run: number | undefined;
  let clickhouse: (SqlEngine & { close(): Promise<void> }) | undefined;
  try {
    if (spec.access === 'write') run = await startIngestRun(db);
    const inputs = await loadInputs(db, spec, run);
    if (lake.write) await (await import('../lake/write.js')).publishLake(db, lake.write);
    let book: PriceBook | undefined;
    if (spec.access === 'read') {
      book = await loadPriceBook([...(spec.pricing ?? [])]);
      if (lake.read && (spec.pricing ?? []).length === 0) {
        await (await import('../lake/open.js')).installLakePricing(db, lake.read.dir, lake.read.manifest);
        settleRead(db);
      } else if (lake.objectStore === undefined) { // (one on object storage needs none: ClickHouse reads the lake's book and roll-ups)
        await installPriceBook(db, book);
        // spans are all loaded: freeze the pricing keys once, or take the ones ingest stored for this book
        settleRead(db);
        const current = await storedRollupIsCurrent(db);
        await materialisePricedSpans(db, current ? STORED_BANDS : undefined);
        const stale = current ? undefined : await staleRollupNote(db);
        if (stale !== undefined) spec.note(stale);
      }
    }
    if (spec.engine === 'clickhouse') clickhouse = await openClickHouse(spec, lake);
    await checkScope(clickhouse ?? db, spec);
    if (spec.sandbox) await db.sandbox(lake.read ? [resolve(lake.read.dir)] : []);
    const result = await work({ db, engine: clickhouse ?? db, book, ...inputs });
    failed = false;
    return result;
  } catch (err) {
    // rolled back cleanly: not an interrupted ingest (should this fail too, the next open recovers it)
    if (run !== undefined) await forgetIngestRun(db, run).catch(() => undefined);
    throw engineErrorAsUsage(err, spec);
  } finally {
    await clickhouse?.close();
    db.close();
    if (lake.write) (await import('../lake/write.js')).endLakeWrite(lake.write);
    if (failed && creates && spec.db !== undefined) for (const file of [spec.db, `${spec.db}.wal`]) rmSync(file, { force: true });
  }
}
