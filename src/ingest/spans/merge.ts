/**
 * The transactional end of an ingest: dedupe staging (DISTINCT ON within it, anti-join against
 * `spans`), write one `ingests` row per file, insert the new spans with their resolved tags, and
 * re-resolve the tags of existing spans in every trace this ingest touched, record what each file
 * dropped by which rule (`ingest_drops`), and count a model call reported by several sources once
 * (response-merge.ts). All of it commits together or not at all.
 */
import type { Database } from '../../db/database.js';
import { killPoint } from '../../db/kill-point.js';
import { SPAN_CONFLICT_RULE } from './conflicts.js';
import { quoteIdent } from '../../db/quote.js';
import { SPAN_COLUMN_NAMES, TAG_FIELDS } from '../../db/schema.js';
import { STAGE_TABLE } from './normalise.js';
import { mergeByResponseId } from './response-merge.js';

const FRESH_TABLE = 'costattr_span_fresh';
const NODES_TABLE = 'costattr_tag_nodes';
const RESOLVED_TABLE = 'costattr_tag_resolved';
const ANCESTORS_TABLE = 'costattr_tag_ancestors';
/** Deepest ancestor chain followed when inheriting tags; also what stops a parent cycle. */
const MAX_TAG_DEPTH = 64;

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
  await db.exec(`
    DELETE FROM ${STAGE_TABLE}
    WHERE EXISTS (SELECT 1 FROM spans x WHERE x.trace_id = ${STAGE_TABLE}.trace_id AND x.span_id = ${STAGE_TABLE}.span_id)`);
  const repeated = await db.one<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${STAGE_TABLE} GROUP BY trace_id, span_id HAVING count(*) > 1)`,
  );
  if (Number(repeated?.n ?? 0) > 0) {
    await db.exec(`
      DELETE FROM ${STAGE_TABLE} WHERE rid IN (
        SELECT rid FROM ${STAGE_TABLE} QUALIFY row_number() OVER (PARTITION BY trace_id, span_id ORDER BY ingest_id, rid) > 1)`);
  }
  await db.exec(`DROP TABLE IF EXISTS ${FRESH_TABLE}`);
  await db.exec(`ALTER TABLE ${STAGE_TABLE} RENAME TO ${FRESH_TABLE}`);
  const fresh = await db.all<{ f: number; c: string; inference: string; total: string }>(
    `SELECT ingest_id AS f, input_convention AS c, count(*) FILTER (WHERE is_inference)::VARCHAR AS inference, count(*)::VARCHAR AS total
     FROM ${FRESH_TABLE} GROUP BY 1, 2`,
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

/** The spans' own tag columns, as the walk reads them. */
const OWN_COLUMNS = TAG_FIELDS.map((f) => `tag_${f}`);
const OWN_TAGS = OWN_COLUMNS.join(', ');

/**
 * Tag resolution, set-based: each span walks up its ancestors, filling each field from the nearest
 * one that has it. `nodesSql` selects the spans to walk over (trace_id, span_id, parent_span_id, the
 * tag_* columns, `stored`). Returns whether any stored span is among them (only then can a stored
 * span's tags change).
 */
async function resolveTags(db: Database, nodesSql: string): Promise<boolean> {
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${NODES_TABLE} AS ${nodesSql}`);
  const walkCols = TAG_FIELDS.map((f) => quoteIdent(f)).join(', ');
  const step = TAG_FIELDS.map((f) => `coalesce(w.${quoteIdent(f)}, p.tag_${f})`).join(', ');
  const unfinished = TAG_FIELDS.map((f) => `w.${quoteIdent(f)} IS NULL`).join(' OR ');
  const missing = OWN_COLUMNS.map((c) => `${c} IS NULL`).join(' OR ');
  // Only a span with a parent and a tag missing walks, and only spans that are some span's parent
  // can be stepped onto: at 10M flat spans the walk over every node built a hash table DuckDB could
  // not fit in the ingest's memory budget (docs/performance.md); the result is the same.
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${ANCESTORS_TABLE} AS
    SELECT n.* FROM ${NODES_TABLE} n
    SEMI JOIN (SELECT DISTINCT trace_id, parent_span_id FROM ${NODES_TABLE} WHERE parent_span_id IS NOT NULL) c
      ON c.trace_id = n.trace_id AND c.parent_span_id = n.span_id`);
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${RESOLVED_TABLE} AS
    WITH RECURSIVE walk(trace_id, span_id, next_id, depth, ${walkCols}) AS (
      SELECT trace_id, span_id, parent_span_id, 0, ${OWN_TAGS} FROM ${NODES_TABLE}
      WHERE parent_span_id IS NOT NULL AND (${missing})
      UNION ALL
      SELECT w.trace_id, w.span_id, p.parent_span_id, w.depth + 1, ${step}
      FROM walk w JOIN ${ANCESTORS_TABLE} p ON p.trace_id = w.trace_id AND p.span_id = w.next_id
      WHERE w.depth < ${MAX_TAG_DEPTH} AND (${unfinished})
    )
    SELECT trace_id, span_id, ${walkCols} FROM walk
    QUALIFY row_number() OVER (PARTITION BY trace_id, span_id ORDER BY depth DESC) = 1
    UNION ALL
    SELECT trace_id, span_id, ${OWN_TAGS} FROM ${NODES_TABLE}
    WHERE NOT (parent_span_id IS NOT NULL AND (${missing}))`);
  const stored = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${NODES_TABLE} WHERE stored LIMIT 1)`);
  return Number(stored?.n ?? 0) > 0;
}

/** Stored spans whose resolved tags differ from the walk's take its result. */
async function updateStoredTags(db: Database): Promise<void> {
  const changed = TAG_FIELDS.map((f) => `spans.${quoteIdent(f)} IS DISTINCT FROM r.${quoteIdent(f)}`).join(' OR ');
  await db.exec(`
    UPDATE spans SET ${TAG_FIELDS.map((f) => `${quoteIdent(f)} = r.${quoteIdent(f)}`).join(', ')}
    FROM ${RESOLVED_TABLE} r
    WHERE spans.trace_id = r.trace_id AND spans.span_id = r.span_id AND (${changed})`);
}

/** Resolve again the tags of the stored spans in the traces `traceTable` lists (after a rollback removed some of their spans). */
export async function reresolveTraces(db: Database, traceTable: string): Promise<void> {
  await resolveTags(db, `
    SELECT trace_id, span_id, parent_span_id, ${OWN_TAGS}, true AS stored FROM spans
    WHERE trace_id IN (SELECT trace_id FROM ${quoteIdent(traceTable)})`);
  await updateStoredTags(db);
}

/**
 * Write everything in one transaction, then `alsoCommit` (what else the run loads) inside it;
 * returns the ingest id given to each file index.
 */
export async function commitIngest(
  db: Database, files: readonly IngestRowSpec[], counts: Map<number, FileCounts>, namespace: string | null, alsoCommit?: () => Promise<void>,
): Promise<number[]> {
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
    const touchesStored = await resolveTags(db, `
      SELECT trace_id, span_id, parent_span_id, ${OWN_TAGS}, false AS stored FROM ${FRESH_TABLE}
      UNION ALL
      SELECT trace_id, span_id, parent_span_id, ${OWN_TAGS}, true AS stored FROM spans
      WHERE trace_id IN (SELECT DISTINCT trace_id FROM ${FRESH_TABLE})`);
    const insertCols = SPAN_COLUMN_NAMES.map((c) => {
      if (c === 'ingest_id') return `($ids::INTEGER[])[f.ingest_id + 1]`;
      if ((TAG_FIELDS as readonly string[]).includes(c)) return `r.${quoteIdent(c)}`;
      return `f.${quoteIdent(c)}`;
    });
    await db.exec(`
      INSERT INTO spans (${SPAN_COLUMN_NAMES.map(quoteIdent).join(', ')})
      SELECT ${insertCols.join(', ')}
      FROM ${FRESH_TABLE} f JOIN ${RESOLVED_TABLE} r USING (trace_id, span_id)`, { ids: JSON.stringify(ids) });
    if (touchesStored) await updateStoredTags(db);
    await mergeByResponseId(db, ids);
    killPoint('spans-written');
    await alsoCommit?.();
    return ids;
  });
}

export async function dropMergeTables(db: Database): Promise<void> {
  for (const t of [FRESH_TABLE, NODES_TABLE, ANCESTORS_TABLE, RESOLVED_TABLE]) await db.exec(`DROP TABLE IF EXISTS ${t}`);
}
