/**
 * The (trace id, span id) pairs staged more than once and not stored yet: what the conflict check
 * and the dedupe look at. Grouping 10M id strings builds a hash table of every id (seconds, and
 * spilling); grouping their 64-bit hash first leaves only the ids whose hash repeats (every true
 * repeat is among them) to be grouped exactly. Made once per ingest; dropped with the merge tables.
 */
import type { Database } from '../../db/database.js';
import { STAGE_TABLE } from './normalise.js';

export const REPEATS_TABLE = 'costattr_span_repeats';

/** Make REPEATS_TABLE from staging, unless this ingest made it already (staging only loses stored or repeated copies after). */
export async function findRepeatedIds(db: Database): Promise<void> {
  const stage = STAGE_TABLE;
  await db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS ${REPEATS_TABLE} AS
    WITH candidates AS (SELECT hash(trace_id, span_id) AS h FROM ${stage} GROUP BY 1 HAVING count(*) > 1)
    SELECT trace_id, span_id FROM ${stage} s
    WHERE hash(trace_id, span_id) IN (SELECT h FROM candidates)
      AND NOT EXISTS (SELECT 1 FROM spans x WHERE x.trace_id = s.trace_id AND x.span_id = s.span_id)
    GROUP BY trace_id, span_id HAVING count(*) > 1`);
}

export async function dropRepeatedIds(db: Database): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${REPEATS_TABLE}`);
}
