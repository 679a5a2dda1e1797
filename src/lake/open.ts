/**
 * Reading a lake with DuckDB: an in-memory database whose canonical tables are the manifest's live
 * files. The small tables are loaded; `spans` and the stored cost roll-ups stay views over their
 * Parquet files (read in place, pruned by column), and `priced_spans` is the lake's own priced rows:
 * the spans were priced once, at ingest, with the book whose hash the manifest keeps, which is the
 * installed book of a read without `--pricing` (so the roll-ups answer, src/analysis/cost-rollup.ts).
 * Given `--pricing`, DuckDB prices the stored counters again instead (installPriceBook).
 */
import { listValue } from '../db/duckdb.js';
import { Database } from '../db/database.js';
import { quoteIdent, quoteLiteral } from '../db/quote.js';
import { createRevenueTable, SPAN_COLUMN_NAMES } from '../db/schema.js';
import { pricedSpansSelect } from '../pricebook/index.js';
import { liveFiles, requireManifest, type LakeManifest, type LakeTable } from './manifest.js';

export interface OpenLakeOptions {
  memoryLimit?: string | undefined;
  tempDirectory?: string | undefined;
}

/** `read_parquet` over a list of files, as SQL text (views take no parameters). */
export function parquetScan(files: readonly string[]): string {
  return `read_parquet([${files.map(quoteLiteral).join(', ')}], hive_partitioning = false)`;
}

export async function openLake(dir: string, options: OpenLakeOptions = {}): Promise<{ db: Database; manifest: LakeManifest }> {
  const manifest = requireManifest(dir);
  const db = await Database.open({ memoryLimit: options.memoryLimit, tempDirectory: options.tempDirectory });
  try {
    const files = (table: LakeTable) => liveFiles(dir, manifest, table);
    for (const table of ['ingests', 'ingest_drops', 'ingest_runs', 'invoice_lines'] as const) {
      if (files(table).length > 0) await db.exec(`INSERT INTO ${quoteIdent(table)} SELECT * FROM read_parquet($files)`, { files: listValue(files(table)) });
    }
    if (files('revenue').length > 0) {
      await createRevenueTable(db);
      await db.exec('INSERT INTO revenue SELECT * FROM read_parquet($files)', { files: listValue(files('revenue')) });
    }
    if (files('spans').length > 0) {
      await db.exec(`DROP TABLE spans; CREATE VIEW lake_spans AS SELECT * FROM ${parquetScan(files('spans'))};
        CREATE VIEW spans AS SELECT ${SPAN_COLUMN_NAMES.map(quoteIdent).join(', ')} FROM lake_spans`);
    }
    for (const table of ['runs', 'cost_rollup', 'run_rollup', 'tool_call_rollup', 'span_price_bands', 'pricing_state'] as const) {
      if (files(table).length > 0) await db.exec(`CREATE VIEW ${quoteIdent(table)} AS SELECT * FROM ${parquetScan(files(table))}`);
    }
    return { db, manifest };
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The price book the lake was priced with, and its priced spans, as `installPriceBook` would leave them. */
export async function installLakePricing(db: Database, dir: string, manifest: LakeManifest): Promise<void> {
  for (const table of ['prices', 'model_aliases'] as const) {
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM read_parquet($files)`, { files: listValue(liveFiles(dir, manifest, table)) });
  }
  const priced = liveFiles(dir, manifest, 'spans').length > 0 ? 'SELECT * FROM lake_spans WHERE is_inference' : pricedSpansSelect('spans');
  await db.exec(`CREATE OR REPLACE TEMP VIEW priced_spans AS ${priced}`);
  if (manifest.book_hash !== undefined) {
    await db.exec('CREATE OR REPLACE TEMP TABLE price_book_state AS SELECT $hash::VARCHAR AS book_hash', { hash: manifest.book_hash });
  }
}
