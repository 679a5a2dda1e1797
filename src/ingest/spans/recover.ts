/**
 * What an unfinished ingest left behind (rows with ingest ids above the last ingest marker,
 * src/db/ingest-runs.ts). A write open rolls it back: the rows are deleted, the tags of the stored
 * spans that shared a trace with them are resolved again, and the unfinished run's marker is
 * removed, all in one transaction; re-running the interrupted ingest then loads it whole. A read open
 * leaves the file alone and reads the same recovered state through temporary copies.
 */
import { invalidateCostRollup } from '../../analysis/cost-rollup.js';
import type { Database } from '../../db/database.js';
import { INGEST_ID_TABLES, ingestState, type IngestState } from '../../db/ingest-runs.js';
import { quoteIdent } from '../../db/quote.js';
import { hideUncommittedRows } from '../../db/schema.js';
import { dropMergeTables, reresolveTraces } from './merge.js';

const TOUCHED_TRACES = 'costattr_recover_traces';

/** Remove the rows above the last marker (through `remove`), then resolve the touched traces' tags again. */
async function withoutUncommitted(db: Database, lastCommitted: number, remove: () => Promise<void>): Promise<void> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(TOUCHED_TRACES)} AS SELECT DISTINCT trace_id FROM spans WHERE ingest_id > $last`, { last: lastCommitted });
  await remove();
  await reresolveTraces(db, TOUCHED_TRACES);
  await db.exec(`DROP TABLE ${quoteIdent(TOUCHED_TRACES)}`);
  await dropMergeTables(db);
}

/** On a read-only database: read what the markers cover, as a write open would recover it. */
export async function readCommittedOnly(db: Database, state: IngestState): Promise<void> {
  await withoutUncommitted(db, state.lastCommitted, () => hideUncommittedRows(db, state.lastCommitted));
}

/** Roll back what an interrupted ingest left; returns what was done, for a note (undefined: nothing to do). */
export async function recoverInterruptedIngest(db: Database): Promise<string | undefined> {
  const state = await ingestState(db);
  if (state.unfinished.length === 0) return undefined;
  await db.transaction(async () => {
    if (state.interrupted.length > 0) {
      await withoutUncommitted(db, state.lastCommitted, async () => {
        for (const table of INGEST_ID_TABLES) await db.exec(`DELETE FROM ${quoteIdent(table)} WHERE ingest_id > $last`, { last: state.lastCommitted });
      });
    }
    await db.exec('DELETE FROM ingest_runs WHERE NOT committed');
    await invalidateCostRollup(db);
  });
  const left = state.interrupted.length > 0 ? `rolled back what it stored (ingest ids ${state.interrupted.join(', ')})` : 'it had stored nothing';
  return `${db.path}: an earlier ingest was interrupted; ${left}; run it again to load it`;
}
