/**
 * `ingest --lake DIR`: the normal ingest, run into a scratch DuckDB seeded with what the lake holds
 * (so dedupe, tag resolution and the multi-source merge see the stored spans exactly as with --db),
 * then priced once with the price book and written out as Parquet: spans partitioned by UTC month
 * (`spans/month=YYYY-MM/<ingest-id>-<n>.parquet`, only the months whose rows changed), the small
 * tables and the stored cost roll-ups (priced with the same book, its hash in the manifest) whole. New files go to a staging directory, are renamed into place, and the manifest swap
 * publishes them; a kill anywhere before it leaves the lake as it was.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { listValue } from '../db/duckdb.js';
import { Database } from '../db/database.js';
import { killPoint } from '../db/kill-point.js';
import { quoteIdent, quoteLiteral } from '../db/quote.js';
import { createRevenueTable, hasRevenueTable, SPAN_COLUMN_NAMES } from '../db/schema.js';
import { refreshCostRollup } from '../analysis/cost-rollup.js';
import { installPriceBook, loadPriceBook, materialisePricedSpans, priceBookHash } from '../pricebook/index.js';
import { lockLake } from './lock.js';
import { collectGarbage, liveFiles, readManifest, writeManifest, type LakeManifest, type LakeTable } from './manifest.js';

/** A lake write in progress: the scratch database the ingest runs in, and what the lake held before. */
export interface LakeWrite {
  dir: string;
  scratch: string;
  before: LakeManifest | undefined;
  /** Per month of stored spans: a hash of its rows, to keep the files of months the write leaves unchanged. */
  monthHashes: Map<string, string>;
  release: () => void;
}

/** Tables seeded from the lake into the scratch database, in the canonical column order. */
const SEEDED: readonly LakeTable[] = ['ingests', 'ingest_drops', 'ingest_runs', 'invoice_lines'];
const MONTH = `coalesce(strftime(start_time, '%Y-%m'), 'undated')`;
const HASH = (alias: string) => `sum(hash(${alias})::HUGEINT)::VARCHAR`;

/** The rows the lake stores for spans: every span, inference ones with their price columns. */
const LAKE_SPANS = `SELECT * FROM priced_spans UNION ALL BY NAME SELECT * FROM spans WHERE NOT is_inference`;

/** Take the lake's lock, clear a killed write's leftovers, and seed a scratch database with what the lake holds. */
export async function prepareLakeWrite(dir: string): Promise<LakeWrite> {
  mkdirSync(dir, { recursive: true });
  const release = lockLake(dir);
  try {
    const before = readManifest(dir);
    collectGarbage(dir, before);
    const scratch = join(dir, `.scratch-${process.pid}.duckdb`);
    const monthHashes = await seedScratch(scratch, dir, before);
    return { dir, scratch, before, monthHashes, release };
  } catch (err) {
    release();
    throw err;
  }
}

async function seedScratch(scratch: string, dir: string, manifest: LakeManifest | undefined): Promise<Map<string, string>> {
  const db = await Database.open({ path: scratch });
  try {
    const read = (table: LakeTable) => ({ files: listValue(liveFiles(dir, manifest, table)) });
    const has = (table: LakeTable) => liveFiles(dir, manifest, table).length > 0;
    for (const table of SEEDED) {
      if (has(table)) await db.exec(`INSERT INTO ${quoteIdent(table)} SELECT * FROM read_parquet($files, hive_partitioning = false)`, read(table));
    }
    if (has('revenue')) {
      await createRevenueTable(db);
      await db.exec('INSERT INTO revenue SELECT * FROM read_parquet($files, hive_partitioning = false)', read('revenue'));
    }
    const hashes = new Map<string, string>();
    if (has('spans')) {
      await db.exec(`INSERT INTO spans SELECT ${SPAN_COLUMN_NAMES.map(quoteIdent).join(', ')} FROM read_parquet($files, hive_partitioning = false)`, read('spans'));
      const rows = await db.all<{ month: string; h: string }>(
        `SELECT ${MONTH} AS month, ${HASH('x')} AS h FROM read_parquet($files, hive_partitioning = false) x GROUP BY ALL`, read('spans'));
      for (const row of rows) hashes.set(row.month, row.h);
    }
    // ids continue after the lake's: a new ingest never reuses one
    const next = await db.one<{ n: string }>('SELECT (coalesce(max(ingest_id), 0) + 1)::VARCHAR AS n FROM ingests');
    await db.exec(`DROP SEQUENCE ingest_seq; CREATE SEQUENCE ingest_seq START ${Number(next?.n ?? 1)}`);
    await db.exec('CHECKPOINT');
    return hashes;
  } finally {
    db.close();
  }
}

function filesUnder(root: string, at: string = root): string[] {
  return readdirSync(at).flatMap((name) => {
    const path = join(at, name);
    return statSync(path).isDirectory() ? filesUnder(root, path) : [relative(root, path).split(sep).join('/')];
  });
}

/**
 * After the ingest committed into the scratch database: price the spans once, write the changed
 * months and the small tables as new Parquet files, and publish them with the manifest swap.
 */
export async function publishLake(db: Database, write: LakeWrite): Promise<LakeManifest> {
  const book = await loadPriceBook([]);
  await installPriceBook(db, book);
  await materialisePricedSpans(db);
  // the roll-ups the ingest stored, brought to this book (rebuilt when it priced with another, or stored none)
  await refreshCostRollup(db, priceBookHash(book));
  const last = Number((await db.one<{ n: string }>('SELECT coalesce(max(ingest_id), 0)::VARCHAR AS n FROM ingests'))?.n ?? 0);
  const staging = join(write.dir, `.staging-${last}-${process.pid}`);
  const name = `${last}-{i}`;
  mkdirSync(staging, { recursive: true });
  const months = await db.all<{ month: string; h: string }>(`SELECT ${MONTH} AS month, ${HASH('x')} AS h FROM (${LAKE_SPANS}) x GROUP BY ALL`);
  const changed = months.filter((m) => write.monthHashes.get(m.month) !== m.h).map((m) => m.month);
  const kept = new Set(months.map((m) => m.month).filter((m) => !changed.includes(m)));
  if (changed.length > 0) {
    await db.exec(
      `COPY (SELECT *, ${MONTH} AS month FROM (${LAKE_SPANS}) WHERE ${MONTH} IN (SELECT unnest($changed)))
       TO ${quoteLiteral(join(staging, 'spans'))} (FORMAT parquet, PARTITION_BY (month), FILENAME_PATTERN ${quoteLiteral(name)})`,
      { changed: listValue(changed) });
  }
  const small: Array<[LakeTable, string]> = [
    ['ingests', 'ingests'], ['ingest_drops', 'ingest_drops'], ['ingest_runs', 'ingest_runs'], ['invoice_lines', 'invoice_lines'],
    ['prices', 'prices'], ['model_aliases', 'model_aliases'],
    ['runs', 'runs'], ['cost_rollup', 'cost_rollup'], ['run_rollup', 'run_rollup'], ['tool_call_rollup', 'tool_call_rollup'], ['span_price_bands', 'span_price_bands'], ['pricing_state', 'pricing_state'],
  ];
  if (await hasRevenueTable(db)) small.push(['revenue', 'revenue']);
  for (const [table, source] of small) {
    mkdirSync(join(staging, table), { recursive: true });
    await db.exec(`COPY (SELECT * FROM ${quoteIdent(source)}) TO ${quoteLiteral(join(staging, table, `${last}-0.parquet`))} (FORMAT parquet)`);
  }
  killPoint('lake-staged');
  const written = filesUnder(staging);
  for (const file of written) {
    mkdirSync(dirname(join(write.dir, file)), { recursive: true });
    renameSync(join(staging, file), join(write.dir, file));
  }
  rmSync(staging, { recursive: true, force: true });
  killPoint('lake-moved');
  const keptSpans = (write.before?.tables.spans ?? []).filter((file) => kept.has(/month=([^/]+)\//.exec(file)?.[1] ?? ''));
  const tables: LakeManifest['tables'] = { spans: [...keptSpans, ...written.filter((f) => f.startsWith('spans/'))].sort() };
  for (const [table] of small) tables[table] = written.filter((f) => f.startsWith(`${table}/`));
  const manifest: LakeManifest = {
    format: 'costattr-lake', version: 1, last_ingest_id: last, written_at: new Date().toISOString(), book_hash: priceBookHash(book), tables,
  };
  writeManifest(write.dir, manifest);
  killPoint('lake-published');
  return manifest;
}

/** The scratch database goes, and the lock with it (a killed write leaves both for the next write to clear). */
export function endLakeWrite(write: LakeWrite): void {
  for (const suffix of ['', '.wal']) rmSync(`${write.scratch}${suffix}`, { force: true });
  rmSync(`${write.scratch}.tmp`, { recursive: true, force: true });
  write.release();
}
