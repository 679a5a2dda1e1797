/**
 * Keeps an ingest inside its memory budget: while it runs, DuckDB may hold at most a quarter of the
 * machine's RAM, between INGEST_MIN_BYTES and INGEST_MAX_BYTES (peak RSS runs some hundreds of MB
 * above DuckDB's limit, so the cap keeps a 10M-span ingest near 1 GB), and spills the rest of its
 * work tables to its temp directory (beside a database file). `--memory-limit` overrides it.
 * In-memory databases keep their own limit: they have no directory of their own to spill to.
 * The spans insert goes in batches sized from the limit (batchRows).
 */
import { totalmem } from 'node:os';
import type { Database } from '../../db/database.js';

const MB = 1000 * 1000;
const INGEST_MIN_BYTES = 256 * MB;
const INGEST_MAX_BYTES = 400 * MB;
/** Memory limit per row of a spans insert batch: the batch's tags in the join's hash table, with room to spare. */
const BYTES_PER_BATCH_ROW = 500;

/** The ingest's budget on this machine, in bytes. */
export function ingestBudget(ram = totalmem()): number {
  return Math.min(INGEST_MAX_BYTES, Math.max(INGEST_MIN_BYTES, Math.floor(ram / 4)));
}

/** DuckDB's memory limit now, as it says it and in bytes. */
async function memoryLimit(db: Database): Promise<{ text: string; bytes: number }> {
  const row = await db.one<{ limit: string }>(`SELECT current_setting('memory_limit') AS limit`);
  const text = row?.limit ?? '';
  return { text, bytes: parseBytes(text) };
}

/** Lower DuckDB's memory limit to the ingest's budget; returns what restores the previous one. */
export async function boundIngestMemory(db: Database): Promise<() => Promise<void>> {
  if (db.path === ':memory:') return async () => undefined;
  const previous = await memoryLimit(db);
  const budget = ingestBudget();
  if (previous.bytes <= budget) return async () => undefined;
  await db.exec(`SET memory_limit = $limit`, { limit: `${Math.floor(budget / MB)}MB` });
  return async () => {
    await db.exec(`SET memory_limit = $limit`, { limit: previous.text });
  };
}

/** Rows per batch of the spans insert (its join holds a batch of tags) under the current limit. */
export async function batchRows(db: Database): Promise<number> {
  const { bytes } = await memoryLimit(db);
  return Number.isFinite(bytes) ? Math.max(10_000, Math.floor(bytes / BYTES_PER_BATCH_ROW)) : Number.MAX_SAFE_INTEGER;
}

/** '19.2 GiB', '512.0 MiB', '1.0 GB' → bytes. */
function parseBytes(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]?)(i?)B/i.exec(text.trim());
  if (!m) return Infinity;
  const power = ' KMGT'.indexOf((m[2] ?? '').toUpperCase() || ' ');
  return Number(m[1]) * (m[3] ? 1024 : 1000) ** power;
}
