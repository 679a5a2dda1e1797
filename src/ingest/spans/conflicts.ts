/**
 * Conflicting copies: the same (trace id, span id) twice with different token counts is not a plain
 * duplicate but two exports disagreeing about one call. The copy kept is the one that would be kept
 * anyway (the stored span; within one ingest the first file given, then the first line); the others
 * are counted (the `span_id_conflict` rule in `ingest_drops`, which `quality` shows) and the first
 * ones listed on stderr and in the ingest report. Runs on the staging table, before the dedupe.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { STAGE_TABLE } from './normalise.js';
import { findRepeatedIds, REPEATS_TABLE } from './repeats.js';
import { anySpanStored } from './stored.js';

export const SPAN_CONFLICT_RULE = 'span_id_conflict';

/** The counters a conflict compares (what pricing reads). */
const COUNTERS = ['input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens'];
const LISTED = 10;

export interface SpanConflicts {
  /** Conflicting copies dropped, by file index. */
  byFile: Map<number, number>;
  /** The first of them, in file order. */
  first: Array<{ fileIdx: number; traceId: string; spanId: string }>;
}

const differs = (a: string, b: string): string => COUNTERS.map((c) => `${a}.${quoteIdent(c)} IS DISTINCT FROM ${b}.${quoteIdent(c)}`).join(' OR ');

export async function findConflicts(db: Database): Promise<SpanConflicts> {
  const stage = quoteIdent(STAGE_TABLE);
  await findRepeatedIds(db);
  const stored = await anySpanStored(db);
  const rows = await db.all<{ f: number; rid: number; trace_id: string; span_id: string }>(`
    WITH against_stored AS (
      SELECT s.ingest_id AS f, s.rid, s.trace_id, s.span_id FROM ${stage} s
      WHERE ${stored ? '' : 'false AND '}EXISTS (SELECT 1 FROM spans x WHERE x.trace_id = s.trace_id AND x.span_id = s.span_id AND (${differs('x', 's')}))
    ),
    ranked AS (
      SELECT s.*, first_value(rid) OVER w AS first_rid, row_number() OVER w AS n FROM ${stage} s SEMI JOIN ${REPEATS_TABLE} USING (trace_id, span_id)
      WINDOW w AS (PARTITION BY trace_id, span_id ORDER BY ingest_id, rid)
    ),
    within_ingest AS (
      SELECT r.ingest_id AS f, r.rid, r.trace_id, r.span_id FROM ranked r JOIN ranked k ON k.rid = r.first_rid
      WHERE r.n > 1 AND (${differs('r', 'k')})
    )
    SELECT f, rid, trace_id, span_id FROM against_stored UNION ALL SELECT f, rid, trace_id, span_id FROM within_ingest
    ORDER BY f, rid`);
  const byFile = new Map<number, number>();
  for (const r of rows) byFile.set(Number(r.f), (byFile.get(Number(r.f)) ?? 0) + 1);
  return { byFile, first: rows.slice(0, LISTED).map((r) => ({ fileIdx: Number(r.f), traceId: r.trace_id, spanId: r.span_id })) };
}
