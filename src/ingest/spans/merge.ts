/**
 * The end of an ingest: dedupe staging (the first copy of each id repeated within it, see
 * repeats.ts; none already in `spans`), resolve tags (tags.ts), then in one transaction write one
 * `ingests` row per file, insert the new spans with their resolved tags,
 * update the tags of existing spans in every trace this ingest touched, record what each file
 * dropped by which rule (`ingest_drops`), and count a model call reported by several sources once
 * (response-merge.ts). All of it commits together or not at all.
 */
import type { Database } from '../../db/database.js';
import { killPoint } from '../../db/kill-point.js';
import { SPAN_CONFLICT_RULE } from './conflicts.js';
import { quoteIdent } from '../../db/quote.js';
import { SPAN_COLUMN_NAMES, TAG_FIELDS } from '../../db/schema.js';
import { STAGE_TABLE } from './normalise.js';
import { batchRows } from './memory.js';
import { anySpanStored } from './stored.js';
import { dropRepeatedIds, findRepeatedIds, REPEATS_TABLE } from './repeats.js';
import { mergeByResponseId } from './response-merge.js';
import { dropTagTables, FRESH_TAGS_TABLE, freshTag, resolveTags, updateStoredTags } from './tags.js';

const FRESH_TABLE = 'costattr_span_fresh';

export interface FileCounts {
  staged: number;
  fresh: number;
  conventions: Record<string, number>;
}

export interface IngestRowSpec {
  path: string;
  format: string;
  recordsRead: number;
  rejected: number;
  /** Staged copies of spans already seen, plus the records the source dropped as duplicates. */
  duplicates: number;
  /** Records the source dropped before staging, by rule (src/ingest/sources). */
  dropped?: Readonly<Record<string, number>> | undefined;
  /** Staged copies dropped that disagreed with the copy kept (conflicts.ts); part of the (trace id, span id) drops. */
  conflicts: number;
}

/** The rule name of the (trace id, span id) dedupe, in `ingest_drops`. */
export const SPAN_ID_RULE = 'span_id';

/**
 * Select the spans this ingest adds (first copy of each id, not already stored); counts per file.
 * Staging is pruned in place and becomes the fresh table: no copy of every span, and no window over
 * all of them unless some id really repeats.
 */
export async function selectFreshSpans(db: Database): Promise<Map<number, FileCounts>> {
  const staged = await db.all<{ f: number; n: string }>(`SELECT ingest_id AS f, count(*)::VARCHAR AS n FROM ${STAGE_TABLE} GROUP BY 1`);
  if (await anySpanStored(db)) {
    await db.exec(`
      DELETE FROM ${STAGE_TABLE}
      WHERE EXISTS (SELECT 1 FROM spans x WHERE x.trace_id = ${STAGE_TABLE}.trace_id AND x.span_id = ${STAGE_TABLE}.span_id)`);
  }
  await findRepeatedIds(db);
  const repeated = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${REPEATS_TABLE}`);
  if (Number(repeated?.n ?? 0) > 0) {
    await db.exec(`
      DELETE FROM ${STAGE_TABLE} WHERE rid IN (
        SELECT rid FROM ${STAGE_TABLE} SEMI JOIN ${REPEATS_TABLE} USING (trace_id, span_id)
        QUALIFY row_number() OVER (PARTITION BY trace_id, span_id ORDER BY ingest_id, rid) > 1)`);
  }
  await db.exec(`DROP TABLE IF EXISTS ${FRESH_TABLE}`);
  await db.exec(`ALTER TABLE ${STAGE_TABLE} RENAME TO ${FRESH_TABLE}`);
  const fresh = await db.all<{ f: number; c: string; inference: string; total: string }>(
    `SELECT ingest_id AS f, input_convention AS c, count(*) FILTER (WHERE is_inference)::VARCHAR AS inference, count(*)::VARCHAR AS total
     FROM ${FRESH_TABLE} GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  const counts = new Map<number, FileCounts>();
  const entry = (f: number): FileCounts => {
    let c = counts.get(f);
    if (!c) counts.set(f, (c = { staged: 0, fresh: 0, conventions: {} }));
    return c;
  };
  for (const row of staged) entry(row.f).staged = Number(row.n);
  for (const row of fresh) {
    const c = entry(row.f);
    c.fresh += Number(row.total);
    if (Number(row.inference) > 0) c.conventions[row.c] = Number(row.inference);
  }
  return counts;
}

/** Resolve again the tags of the stored spans in the traces `traceTable` lists (after a rollback removed some of their spans). */
export async function reresolveTraces(db: Database, traceTable: string): Promise<void> {
  await resolveTags(db, `SELECT * FROM spans WHERE trace_id IN (SELECT trace_id FROM ${quoteIdent(traceTable)})`);
  await updateStoredTags(db);
}

/**
 * The fresh spans into `spans` with their resolved tags, in batches of the fresh table's rowids:
 * each batch joins only its own slice of the tags (both scans pruned by rowid), so the join's
 * build side fits in memory and the wide rows stream through it, never spilled a second time.
 */
async function insertFreshSpans(db: Database, ids: readonly number[]): Promise<void> {
  const insertCols = SPAN_COLUMN_NAMES.map((c) => {
    if (c === 'ingest_id') return `($ids::INTEGER[])[f.ingest_id + 1]`;
    if ((TAG_FIELDS as readonly string[]).includes(c)) return freshTag(c, 'f', 't');
    return `f.${quoteIdent(c)}`;
  });
  const last = await db.one<{ n: number | null }>(`SELECT max(rowid)::BIGINT AS n FROM ${FRESH_TABLE}`);
  const batch = await batchRows(db);
  for (let lo = 0; lo <= Number(last?.n ?? -1); lo += batch) {
    await db.exec(`
      INSERT INTO spans (${SPAN_COLUMN_NAMES.map(quoteIdent).join(', ')})
      SELECT ${insertCols.join(', ')}
      FROM (SELECT rowid AS costattr_row, * FROM ${FRESH_TABLE} WHERE rowid BETWEEN $lo AND $hi) f
      LEFT JOIN (SELECT * FROM ${FRESH_TAGS_TABLE} WHERE row BETWEEN $lo AND $hi) t ON t.row = f.costattr_row`,
    { ids: JSON.stringify(ids), lo, hi: lo + batch - 1 });
  }
}

/**
 * Write everything in one transaction, then `alsoCommit` (what else the run loads) inside it;
 * returns the ingest id given to each file index.
 */
export async function commitIngest(
  db: Database, files: readonly IngestRowSpec[], counts: Map<number, FileCounts>, namespace: string | null, alsoCommit?: () => Promise<void>,
): Promise<number[]> {
  // the walk writes only work tables: outside the transaction they spill, inside they would stay in its local storage
  const touched = (await anySpanStored(db)) ? `trace_id IN (SELECT DISTINCT trace_id FROM ${FRESH_TABLE})` : 'false';
  const touchesStored = await resolveTags(db, `SELECT * FROM spans WHERE ${touched}`, FRESH_TABLE);
  return db.transaction(async () => {
    const ids: number[] = [];
    for (const [idx, file] of files.entries()) {
      const c = counts.get(idx) ?? { staged: 0, fresh: 0, conventions: {} };
      const row = await db.one<{ id: number }>(`SELECT nextval('ingest_seq')::INTEGER AS id`);
      const id = Number(row?.id);
      ids.push(id);
      const drops: Record<string, number> = { ...file.dropped, [SPAN_ID_RULE]: c.staged - c.fresh - file.conflicts, [SPAN_CONFLICT_RULE]: file.conflicts };
      await db.exec(
        `INSERT INTO ingests VALUES ($id, $path, $format, now()::TIMESTAMP, $read, $loaded, $duplicates, $rejected, $namespace, $conventions)`,
        {
          id,
          path: file.path,
          format: file.format,
          read: file.recordsRead,
          loaded: c.fresh,
          duplicates: file.duplicates,
          rejected: file.rejected,
          namespace,
          conventions: JSON.stringify(c.conventions),
        },
      );
      for (const [rule, records] of Object.entries(drops)) {
        if (records > 0) await db.exec(`INSERT INTO ingest_drops VALUES ($id, $rule, $records)`, { id, rule, records });
      }
    }
    await insertFreshSpans(db, ids);
    if (touchesStored) await updateStoredTags(db);
    await mergeByResponseId(db, ids);
    killPoint('spans-written');
    await alsoCommit?.();
    return ids;
  });
}

export async function dropMergeTables(db: Database): Promise<void> {
  await db.exec(`DROP TABLE IF EXISTS ${FRESH_TABLE}`);
  await dropRepeatedIds(db);
  await dropTagTables(db);
}
