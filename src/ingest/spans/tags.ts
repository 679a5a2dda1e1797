/**
 * Tag inheritance, set-based and within the memory budget: a span missing a tag takes it from its
 * nearest ancestor that has it, field by field, at most MAX_TAG_DEPTH steps up (which also stops a
 * parent cycle). Only the spans named as some span's parent walk (a span's walk is its own tags,
 * then its parent's walk one step shorter), as nodes with integer ids (a fresh span's row id,
 * stored spans negative ones) linked to their parents once, one ordinary integer join per depth:
 * every step a plain join DuckDB can spill, over the parents only (1.25M of 10M flat spans), where a
 * recursive CTE over every span held its working set pinned. Every span then takes what its
 * parent's walk found, by one join on (trace id, parent span id). No span with a parent missing a
 * tag: no walk at all.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { TAG_FIELDS } from '../../db/schema.js';

/** What a span naming a parent inherits: that parent's tags after its own walk of MAX_TAG_DEPTH - 1 steps, by (trace_id, span_id). */
const INHERITED_TABLE = 'costattr_tag_inherited';
/** The resolved tags of the fresh spans that inherit any, by the fresh table's rowid (`row`). */
export const FRESH_TAGS_TABLE = 'costattr_tag_fresh';
/** The stored spans the walk reads, with their (negative) node ids. */
const STORED_NODES_TABLE = 'costattr_tag_stored';
const PARENTS_TABLE = 'costattr_tag_parents';
const ANCESTORS_TABLE = 'costattr_tag_ancestors';
const RESOLVED_TABLE = 'costattr_tag_resolved';
const WALK_TABLE = 'costattr_tag_walk';
const NEXT_TABLE = 'costattr_tag_walk_next';
/** Deepest ancestor chain followed when inheriting tags; also what stops a parent cycle. */
const MAX_TAG_DEPTH = 64;

/** The spans' own tag columns. */
const OWN_TAG_COLUMNS = TAG_FIELDS.map((f) => `tag_${f}`);
const OWN_TAGS = OWN_TAG_COLUMNS.join(', ');
const WALK_TAGS = TAG_FIELDS.map((f) => quoteIdent(f)).join(', ');
const MISSING = (alias: string, columns: readonly string[]): string => columns.map((c) => `${alias}.${quoteIdent(c)} IS NULL`).join(' OR ');

/**
 * A span's resolved tag: its own, else what its parent passes down. `own` has the tag_* columns,
 * `inherited` is INHERITED_TABLE joined on (trace_id, span_id) = the span's (trace_id, parent_span_id).
 */
function resolvedTag(field: string, own: string, inherited: string): string {
  return `coalesce(${own}.tag_${field}, ${inherited}.${quoteIdent(field)})`;
}

/** A fresh span's resolved tag, from `own` (a fresh row) and FRESH_TAGS_TABLE `tags` LEFT JOINed on its rowid. */
export function freshTag(field: string, own: string, tags: string): string {
  return `CASE WHEN ${tags}.row IS NULL THEN ${own}.tag_${field} ELSE ${tags}.${quoteIdent(field)} END`;
}

export async function dropTagTables(db: Database): Promise<void> {
  for (const t of [INHERITED_TABLE, FRESH_TAGS_TABLE, STORED_NODES_TABLE, PARENTS_TABLE, ANCESTORS_TABLE, RESOLVED_TABLE, WALK_TABLE, NEXT_TABLE]) await db.exec(`DROP TABLE IF EXISTS ${t}`);
}

/**
 * A span's walk is its own tags, then its parent's walk one step shorter: so only the spans some
 * span names as its parent walk (capped at MAX_TAG_DEPTH - 1 steps), and every span then takes its
 * missing tags from its parent's result (resolvedTag), by one join. Walks the fresh spans of
 * `freshTable` (if any; node id `rid`) together with the stored spans `storedSql` selects
 * (trace_id, span_id, parent_span_id, the tag_* columns). Leaves INHERITED_TABLE and
 * STORED_NODES_TABLE; returns whether any stored span is among the nodes (only then can a stored
 * span's tags change).
 */
export async function resolveTags(db: Database, storedSql: string, freshTable?: string): Promise<boolean> {
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${STORED_NODES_TABLE} AS
    SELECT -row_number() OVER () AS node, trace_id, span_id, parent_span_id, ${OWN_TAGS} FROM (${storedSql})`);
  const nodes = `(${freshTable === undefined ? '' : `SELECT rid::BIGINT AS node, trace_id, span_id, parent_span_id, ${OWN_TAGS} FROM ${freshTable} UNION ALL `}
    SELECT node, trace_id, span_id, parent_span_id, ${OWN_TAGS} FROM ${STORED_NODES_TABLE})`;
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${INHERITED_TABLE} (trace_id VARCHAR, span_id VARCHAR, ${TAG_FIELDS.map((f) => `${quoteIdent(f)} VARCHAR`).join(', ')})`);
  const inheriting = await db.one<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${nodes} w WHERE w.parent_span_id IS NOT NULL AND (${MISSING('w', OWN_TAG_COLUMNS)}) LIMIT 1)`,
  );
  if (Number(inheriting?.n ?? 0) > 0) await walkParents(db, nodes);
  // narrow rows (the ids and tags only) through the join: the wide fresh rows then join these by rowid, a batch at a time
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${FRESH_TAGS_TABLE} AS
    ${freshTable === undefined ? `SELECT NULL::BIGINT AS row, ${TAG_FIELDS.map((f) => `NULL::VARCHAR AS ${quoteIdent(f)}`).join(', ')} LIMIT 0` : `
    SELECT f.rowid AS row, ${TAG_FIELDS.map((f) => `${resolvedTag(f, 'f', 'i')} AS ${quoteIdent(f)}`).join(', ')}
    FROM ${freshTable} f JOIN ${INHERITED_TABLE} i ON i.trace_id = f.trace_id AND i.span_id = f.parent_span_id`}`);
  const stored = await db.one<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (SELECT 1 FROM ${STORED_NODES_TABLE} LIMIT 1)`);
  return Number(stored?.n ?? 0) > 0;
}

/** Fill INHERITED_TABLE: the spans named as a parent among `nodes`, each with its tags after its walk. */
async function walkParents(db: Database, nodes: string): Promise<void> {
  // by hash, not by id strings (far less to group); a hash collision only lets a span that no span names walk needlessly
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${PARENTS_TABLE} AS
    SELECT * FROM ${nodes} n
    WHERE hash(trace_id, span_id) IN (SELECT hash(trace_id, parent_span_id) FROM ${nodes} WHERE parent_span_id IS NOT NULL)`);
  // each parent linked to its own parent (a parent's parent is a parent too); those missing a tag walk
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${ANCESTORS_TABLE} AS
    SELECT a.node, p.node AS parent_node, ${OWN_TAG_COLUMNS.map((c) => `a.${c}`).join(', ')}
    FROM ${PARENTS_TABLE} a LEFT JOIN ${PARENTS_TABLE} p ON p.trace_id = a.trace_id AND p.span_id = a.parent_span_id`);
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${WALK_TABLE} AS
    SELECT node, parent_node AS next, ${TAG_FIELDS.map((f) => `tag_${f} AS ${quoteIdent(f)}`).join(', ')} FROM ${ANCESTORS_TABLE} w
    WHERE parent_node IS NOT NULL AND (${MISSING('w', OWN_TAG_COLUMNS)})`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${RESOLVED_TABLE} AS SELECT node, ${WALK_TAGS} FROM ${WALK_TABLE} LIMIT 0`);
  const step = TAG_FIELDS.map((f) => `coalesce(w.${quoteIdent(f)}, a.tag_${f}) AS ${quoteIdent(f)}`).join(', ');
  const walking = `w.next IS NOT NULL AND (${MISSING('w', TAG_FIELDS)})`;
  for (let depth = 0; ; depth++) {
    const last = depth === MAX_TAG_DEPTH - 1;
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
  await db.exec(`
    INSERT INTO ${INHERITED_TABLE}
    SELECT p.trace_id, p.span_id, ${TAG_FIELDS.map((f) => `CASE WHEN r.node IS NULL THEN p.tag_${f} ELSE r.${quoteIdent(f)} END`).join(', ')}
    FROM ${PARENTS_TABLE} p LEFT JOIN ${RESOLVED_TABLE} r ON r.node = p.node`);
  for (const t of [PARENTS_TABLE, ANCESTORS_TABLE, RESOLVED_TABLE, WALK_TABLE]) await db.exec(`DROP TABLE ${t}`);
}

/** Stored spans whose resolved tags differ from the walk's take its result. */
export async function updateStoredTags(db: Database): Promise<void> {
  const changed = TAG_FIELDS.map((f) => `spans.${quoteIdent(f)} IS DISTINCT FROM r.${quoteIdent(f)}`).join(' OR ');
  await db.exec(`
    UPDATE spans SET ${TAG_FIELDS.map((f) => `${quoteIdent(f)} = r.${quoteIdent(f)}`).join(', ')}
    FROM (SELECT s.trace_id, s.span_id, ${TAG_FIELDS.map((f) => `${resolvedTag(f, 's', 'i')} AS ${quoteIdent(f)}`).join(', ')}
          FROM ${STORED_NODES_TABLE} s LEFT JOIN ${INHERITED_TABLE} i ON i.trace_id = s.trace_id AND i.span_id = s.parent_span_id) r
    WHERE spans.trace_id = r.trace_id AND spans.span_id = r.span_id AND (${changed})`);
}
