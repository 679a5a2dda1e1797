/**
 * Whether the database holds any span yet: a first ingest skips every comparison with stored spans
 * (an anti-join against an empty table still hashes all the staged ids in DuckDB's plan).
 */
import type { Database } from '../../db/database.js';

export async function anySpanStored(db: Database): Promise<boolean> {
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM spans LIMIT 1)`);
  return Number(row?.n ?? 0) > 0;
}
