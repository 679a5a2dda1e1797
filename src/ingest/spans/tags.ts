/**
 * Tag inheritance, set-based and within the memory budget: a span missing a tag takes it from its
 * nearest ancestor that has it, field by field, at most MAX_TAG_DEPTH steps up (which also stops a
 * parent cycle). Spans are nodes with an integer id (a fresh span's row id; stored spans get negative
 * ids); parents are linked by id once, by one join on (trace id, span id) that touches only the spans
 * some span names as its parent, and the walk then takes one ordinary integer join per depth. Every
 * step is a plain join DuckDB can spill, unlike a recursive CTE's pinned working set at 10M spans.
 * Only spans that have a parent and miss a tag walk; none walking costs one empty join.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { TAG_FIELDS } from '../../db/schema.js';

/** Walkers' resolved tags by node id (fresh spans: `rid`); a node not in it keeps its own tags. */
export const RESOLVED_TABLE = 'costattr_tag_resolved';
/** The stored spans the walk reads, with their (negative) node ids. */
export const STORED_NODES_TABLE = 'costattr_tag_stored';
const PARENTS_TABLE = 'costattr_tag_parents';
const ANCESTORS_TABLE = 'costattr_tag_ancestors';
const WALK_TABLE = 'costattr_tag_walk';
const NEXT_TABLE = 'costattr_tag_walk_next';
/** Deepest ancestor chain followed when inheriting tags; also what stops a parent cycle. */
const MAX_TAG_DEPTH = 64;

/** The spans' own tag columns. */
export const OWN_TAG_COLUMNS = TAG_FIELDS.map((f) => `tag_${f}`);
const OWN_TAGS = OWN_TAG_COLUMNS.join(', ');
const WALK_TAGS = TAG_FIELDS.map((f) => quoteIdent(f)).join(', ');
const MISSING = (alias: string, columns: readonly string[]): string => columns.map((c) => `${alias}.${quoteIdent(c)} IS NULL`).join(' OR ');

/** A resolved tag of node `own` (which has the tag_* columns), from the walk result `resolved` LEFT JOINed on its node id. */
export function resolvedTag(field: string, own: string, resolved: string): string {
  return `CASE WHEN ${resolved}.node IS NULL THEN ${own}.tag_${field} ELSE ${resolved}.${quoteIdent(field)} END`;
}

export async function dropTagTables(db: Database): Promise<void> {
  for (const t of [RESOLVED_TABLE, STORED_NODES_TABLE, PARENTS_TABLE, ANCESTORS_TABLE, WALK_TABLE, NEXT_TABLE]) await db.exec(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * Walk the fresh spans of `freshTable` (if any; node id `rid`) together with the stored spans
 * `storedSql` selects (trace_id, span_id, parent_span_id, the tag_* columns). Leaves RESOLVED_TABLE
 * and STORED_NODES_TABLE; returns whether any stored span is among the nodes (only then can a
 * stored span's tags change).
 */
export async function resolveTags(db: Database, storedSql: string, freshTable?: string): Promise<boolean> {
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${STORED_NODES_TABLE} AS
    SELECT -row_number() OVER () AS node, trace_id, span_id, parent_span_id, ${OWN_TAGS} FROM (${storedSql})`);
  const nodes = `(${freshTable === undefined ? '' : `SELECT rid::BIGINT AS node, trace_id, span_id, parent_span_id, ${OWN_TAGS} FROM ${freshTable} UNION ALL `}
    SELECT node, trace_id, span_id, parent_span_id, ${OWN_TAGS} FROM ${STORED_NODES_TABLE})`;
  const walkers = `SELECT * FROM ${nodes} w WHERE w.parent_span_id IS NOT NULL AND (${MISSING('w', OWN_TAG_COLUMNS)})`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${RESOLVED_TABLE} (node BIGINT, ${TAG_FIELDS.map((f) => `${quoteIdent(f)} VARCHAR`).join(', ')})`);
  const none = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (${walkers} LIMIT 1)`);
  if (Number(none?.n ?? 0) > 0) await walk(db, nodes, walkers);
  const stored = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${STORED_NODES_TABLE} LIMIT 1)`);
  return Number(stored?.n ?? 0) > 0;
}

/** Fill RESOLVED_TABLE with the tags `walkers` (a subset of `nodes`) end up with. */
async function walk(db: Database, nodes: string, walkers: string): Promise<void> {
  // the spans named as a parent (every step of every walk lands on one), each linked to its own parent
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${PARENTS_TABLE} AS
    SELECT n.* FROM ${nodes} n
    SEMI JOIN (SELECT DISTINCT trace_id, parent_span_id AS span_id FROM ${nodes} WHERE parent_span_id IS NOT NULL) USING (trace_id, span_id)`);
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${ANCESTORS_TABLE} AS
    SELECT a.node, p.node AS parent_node, ${OWN_TAG_COLUMNS.map((c) => `a.${c}`).join(', ')}
    FROM ${PARENTS_TABLE} a LEFT JOIN ${PARENTS_TABLE} p ON p.trace_id = a.trace_id AND p.span_id = a.parent_span_id`);
  // the walkers at depth 0, each pointing at its parent's node (NULL: the parent is not among the nodes)
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${WALK_TABLE} AS
    SELECT w.node, p.node AS next, ${TAG_FIELDS.map((f) => `w.tag_${f} AS ${quoteIdent(f)}`).join(', ')}
    FROM (${walkers}) w LEFT JOIN ${PARENTS_TABLE} p ON p.trace_id = w.trace_id AND p.span_id = w.parent_span_id`);
  await db.exec(`DROP TABLE ${PARENTS_TABLE}`);
  const step = TAG_FIELDS.map((f) => `coalesce(w.${quoteIdent(f)}, a.tag_${f}) AS ${quoteIdent(f)}`).join(', ');
  for (let depth = 0; ; depth++) {
    const walking = `w.next IS NOT NULL AND (${MISSING('w', TAG_FIELDS)})`;
    const last = depth === MAX_TAG_DEPTH;
    await db.exec(`INSERT INTO ${RESOLVED_TABLE} SELECT node, ${WALK_TAGS} FROM ${WALK_TABLE} w${last ? '' : ` WHERE NOT (${walking})`}`);
    if (last) break;
    await db.exec(`
      CREATE OR REPLACE TEMP TABLE ${NEXT_TABLE} AS
      SELECT w.node, a.parent_node AS next, ${step} FROM ${WALK_TABLE} w JOIN ${ANCESTORS_TABLE} a ON a.node = w.next WHERE ${walking}`);
    await db.exec(`DROP TABLE ${WALK_TABLE}`);
    await db.exec(`ALTER TABLE ${NEXT_TABLE} RENAME TO ${WALK_TABLE}`);
    const left = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${WALK_TABLE} LIMIT 1)`);
    if (Number(left?.n ?? 0) === 0) break;
  }
  for (const t of [ANCESTORS_TABLE, WALK_TABLE]) await db.exec(`DROP TABLE ${t}`);
}

/** Stored spans whose resolved tags differ from the walk's take its result. */
export async function updateStoredTags(db: Database): Promise<void> {
  const changed = TAG_FIELDS.map((f) => `spans.${quoteIdent(f)} IS DISTINCT FROM r.${quoteIdent(f)}`).join(' OR ');
  await db.exec(`
    UPDATE spans SET ${TAG_FIELDS.map((f) => `${quoteIdent(f)} = r.${quoteIdent(f)}`).join(', ')}
    FROM (SELECT s.trace_id, s.span_id, ${TAG_FIELDS.map((f) => `${resolvedTag(f, 's', 'w')} AS ${quoteIdent(f)}`).join(', ')}
          FROM ${STORED_NODES_TABLE} s LEFT JOIN ${RESOLVED_TABLE} w ON w.node = s.node) r
    WHERE spans.trace_id = r.trace_id AND spans.span_id = r.span_id AND (${changed})`);
}
