/**
 * Recovery on a write open: rows an unfinished ingest left behind (ingest ids above the last
 * ingest marker, src/db/ingest-runs.ts) are rolled back, the tags of the stored spans that shared a
 * trace with them are resolved again, and a marker records the state recovered to, all in one
 * transaction. Re-running the interrupted ingest then loads it whole.
 */
import type { Database } from '../../db/database.js';
import { INGEST_ID_TABLES, ingestState, recordIngestRun } from '../../db/ingest-runs.js';
import { quoteIdent } from '../../db/quote.js';
import { dropMergeTables, reresolveTraces } from './merge.js';

const TOUCHED_TRACES = 'costattr_recover_traces';

/** Roll back what an interrupted ingest left; returns what was done, for a note (undefined: nothing to do). */
export async function recoverInterruptedIngest(db: Database): Promise<string | undefined> {
  const state = await ingestState(db);
  if (state.interrupted.length === 0 && state.mismatches.length === 0) return undefined;
  await db.transaction(async () => {
    const last = { last: state.lastCommitted };
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(TOUCHED_TRACES)} AS SELECT DISTINCT trace_id FROM spans WHERE ingest_id > $last`, last);
    for (const table of INGEST_ID_TABLES) await db.exec(`DELETE FROM ${quoteIdent(table)} WHERE ingest_id > $last`, last);
    await reresolveTraces(db, TOUCHED_TRACES);
    await db.exec(`DROP TABLE ${quoteIdent(TOUCHED_TRACES)}`);
    await dropMergeTables(db);
    await recordIngestRun(db);
  });
  const parts: string[] = [];
  if (state.interrupted.length > 0) parts.push(`rolled back an interrupted ingest (ingest ids ${state.interrupted.join(', ')}); run it again to load it`);
  if (state.mismatches.length > 0) parts.push(`the stored rows differed from the last ingest record (${state.mismatches.join('; ')})`);
  return `${db.path}: ${parts.join('; ')}`;
}
