/**
 * Keeps an ingest inside its memory budget (peak RSS ≤ 1 GB for a 1.2 GB OTLP file): while it runs,
 * DuckDB may hold at most INGEST_MEMORY_LIMIT and spills the rest of its work tables to its temp
 * directory (beside a database file). In-memory databases keep their own limit: they have no
 * directory of their own to spill to.
 */
import type { Database } from '../../db/database.js';

const INGEST_MEMORY_LIMIT = '384MB';
const INGEST_LIMIT_BYTES = 384 * 1000 * 1000;

/** Lower DuckDB's memory limit for the ingest; returns what restores the previous one. */
export async function boundIngestMemory(db: Database): Promise<() => Promise<void>> {
  if (db.path === ':memory:') return async () => undefined;
  const row = await db.one<{ limit: string }>(`SELECT current_setting('memory_limit') AS limit`);
  const previous = row?.limit;
  if (previous === undefined || parseBytes(previous) <= INGEST_LIMIT_BYTES) return async () => undefined;
  await db.exec(`SET memory_limit = $limit`, { limit: INGEST_MEMORY_LIMIT });
  return async () => {
    await db.exec(`SET memory_limit = $limit`, { limit: previous });
  };
}

/** '19.2 GiB', '512.0 MiB', '1.0 GB' → bytes. */
function parseBytes(text: string): number {
  const m = /^([\d.]+)\s*([KMGT]?)(i?)B/i.exec(text.trim());
  if (!m) return Infinity;
  const power = ' KMGT'.indexOf((m[2] ?? '').toUpperCase() || ' ');
  return Number(m[1]) * (m[3] ? 1024 : 1000) ** power;
}
