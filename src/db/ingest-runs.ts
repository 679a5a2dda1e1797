/**
 * The ingest markers. An ingest first commits a `started` row of `ingest_runs` on its own; its one
 * transaction ends by marking that row committed, with the highest ingest id the run wrote and the
 * store's row counts after it. Every open checks for a row still `started`: that ingest did not
 * finish, and rows carrying ingest ids above the last committed marker are what it left. A write open
 * rolls them back (src/ingest/spans/recover.ts); a read open leaves the file alone and reads only
 * what committed markers cover (src/app/workspace.ts). Rows written outside ingest (tests building a
 * database by hand) are never mistaken for an unfinished ingest: there is no started row.
 */
import type { Database } from './database.js';

/** Tables whose rows carry the ingest id that wrote them. */
export const INGEST_ID_TABLES = ['ingests', 'spans', 'ingest_drops', 'invoice_lines'] as const;

/** Tables whose row count the marker records (an audit of what each run left). */
const COUNTED_TABLES = ['ingests', 'spans', 'invoice_lines'] as const;

export const INGEST_RUN_COLUMNS = `
  run_id          INTEGER PRIMARY KEY,
  last_ingest_id  INTEGER,
  committed_at    TIMESTAMP,
  ingests         BIGINT,
  spans           BIGINT,
  invoice_lines   BIGINT,
  committed       BOOLEAN NOT NULL`;

const COUNTS_SQL = COUNTED_TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(', ');
const LAST_ID_SQL = '(SELECT coalesce(max(ingest_id), 0) FROM ingests)';

/** Say an ingest has started (committed on its own, before the ingest's transaction); returns its run id. */
export async function startIngestRun(db: Database): Promise<number> {
  const row = await db.one<{ id: number }>(
    `INSERT INTO ingest_runs (run_id, committed) SELECT coalesce(max(run_id), 0) + 1, false FROM ingest_runs RETURNING run_id AS id`);
  return Number(row?.id);
}

/** Mark the run committed: the last statement of an ingest's transaction. */
export async function recordIngestRun(db: Database, runId: number): Promise<void> {
  await db.exec(`
    UPDATE ingest_runs SET committed = true, last_ingest_id = ${LAST_ID_SQL}, committed_at = now()::TIMESTAMP,
      (${COUNTED_TABLES.join(', ')}) = (${COUNTS_SQL})
    WHERE run_id = $run`, { run: runId });
}

/** An ingest that failed cleanly (its transaction rolled back) is no longer started. */
export async function forgetIngestRun(db: Database, runId: number): Promise<void> {
  await db.exec('DELETE FROM ingest_runs WHERE run_id = $run AND NOT committed', { run: runId });
}

/** Databases written before the marker existed: everything stored counts as committed. */
export async function adoptUnmarkedDatabase(db: Database): Promise<void> {
  await db.exec(`
    INSERT INTO ingest_runs
    SELECT 1, ${LAST_ID_SQL}, now()::TIMESTAMP, ${COUNTS_SQL}, true
    WHERE EXISTS (SELECT 1 FROM ingests) AND NOT EXISTS (SELECT 1 FROM ingest_runs)`);
}

export interface IngestState {
  /** The highest ingest id a committed marker covers (0: none). */
  lastCommitted: number;
  /** Runs started and never committed. */
  unfinished: number[];
  /** Ingest ids stored above `lastCommitted` while a run is unfinished: what it left. */
  interrupted: number[];
}

export async function hasIngestRuns(db: Database): Promise<boolean> {
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'ingest_runs' AND NOT temporary`);
  return Number(row?.n ?? 0) > 0;
}

export async function ingestState(db: Database): Promise<IngestState> {
  const runs = await db.one<{ last: number | null; unfinished: number[] | null }>(
    `SELECT max(last_ingest_id) FILTER (WHERE committed) AS last, list(run_id ORDER BY run_id) FILTER (WHERE NOT committed) AS unfinished FROM ingest_runs`);
  const lastCommitted = Number(runs?.last ?? 0);
  const unfinished = (runs?.unfinished ?? []).map(Number);
  if (unfinished.length === 0) return { lastCommitted, unfinished, interrupted: [] };
  const ids = await db.all<{ id: number }>(
    INGEST_ID_TABLES.map((t) => `SELECT DISTINCT ingest_id AS id FROM ${t} WHERE ingest_id > $last`).join(' UNION ') + ' ORDER BY id',
    { last: lastCommitted },
  );
  return { lastCommitted, unfinished, interrupted: ids.map((r) => Number(r.id)) };
}
