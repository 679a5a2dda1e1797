/**
 * The ingest marker: one `ingest_runs` row, written last inside an ingest's transaction, records
 * the highest ingest id the run committed and the store's row counts after it. Every open checks it:
 * rows carrying an ingest id above the last marker (or counts that differ from it) are the trace of
 * an ingest that did not finish. A write open rolls such rows back (src/ingest/spans/recover.ts);
 * a read open leaves the file alone and reads only what the markers cover (src/app/workspace.ts).
 */
import type { Database } from './database.js';

/** Tables whose rows carry the ingest id that wrote them. */
export const INGEST_ID_TABLES = ['ingests', 'spans', 'ingest_drops', 'invoice_lines'] as const;

/** Tables whose row count the marker records. */
const COUNTED_TABLES = ['ingests', 'spans', 'invoice_lines'] as const;

export const INGEST_RUN_COLUMNS = `
  run_id          INTEGER PRIMARY KEY,
  last_ingest_id  INTEGER NOT NULL,
  committed_at    TIMESTAMP NOT NULL,
  ingests         BIGINT NOT NULL,
  spans           BIGINT NOT NULL,
  invoice_lines   BIGINT NOT NULL`;

const COUNTS_SQL = COUNTED_TABLES.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ');

/** Write the marker: the last statement of an ingest's transaction. */
export async function recordIngestRun(db: Database): Promise<void> {
  await db.exec(`
    INSERT INTO ingest_runs
    SELECT (SELECT coalesce(max(run_id), 0) + 1 FROM ingest_runs),
           (SELECT coalesce(max(ingest_id), 0) FROM ingests),
           now()::TIMESTAMP, ${COUNTS_SQL}`);
}

/** Databases written before the marker existed: everything stored counts as committed. */
export async function adoptUnmarkedDatabase(db: Database): Promise<void> {
  await db.exec(`
    INSERT INTO ingest_runs
    SELECT 1, coalesce((SELECT max(ingest_id) FROM ingests), 0), now()::TIMESTAMP, ${COUNTS_SQL}
    WHERE EXISTS (SELECT 1 FROM ingests) AND NOT EXISTS (SELECT 1 FROM ingest_runs)`);
}

export interface IngestState {
  /** The highest ingest id a marker covers (0: none). */
  lastCommitted: number;
  /** Ingest ids stored above it: an ingest that did not finish. */
  interrupted: number[];
  /** Row counts that differ from what the last marker recorded, `table: recorded → stored`. */
  mismatches: string[];
}

export async function hasIngestRuns(db: Database): Promise<boolean> {
  const row = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'ingest_runs' AND NOT temporary`);
  return Number(row?.n ?? 0) > 0;
}

/** Compare the stored rows with the last marker (cheap: max ids and counts). */
export async function ingestState(db: Database): Promise<IngestState> {
  const last = await db.one<Record<string, string | null>>(
    `SELECT last_ingest_id::VARCHAR AS last, ${COUNTED_TABLES.map((t) => `${t}::VARCHAR AS ${t}`).join(', ')}
     FROM ingest_runs ORDER BY run_id DESC LIMIT 1`);
  const lastCommitted = Number(last?.last ?? 0);
  const ids = await db.all<{ id: number }>(
    INGEST_ID_TABLES.map((t) => `SELECT DISTINCT ingest_id AS id FROM ${t} WHERE ingest_id > $last`).join(' UNION ') + ' ORDER BY id',
    { last: lastCommitted },
  );
  const interrupted = ids.map((r) => Number(r.id));
  const mismatches: string[] = [];
  if (interrupted.length === 0) {
    const now = await db.one<Record<string, string>>(`SELECT ${COUNTED_TABLES.map((t) => `(SELECT count(*) FROM ${t})::VARCHAR AS ${t}`).join(', ')}`);
    for (const t of COUNTED_TABLES) {
      const recorded = last?.[t] ?? '0';
      if (now?.[t] !== recorded) mismatches.push(`${t}: ${recorded} recorded, ${now?.[t] ?? '?'} stored`);
    }
  }
  return { lastCommitted, interrupted, mismatches };
}
