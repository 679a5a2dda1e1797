/**
 * Multi-source merge: one model call reported by two sources (a gateway log and an SDK span, a
 * Claude Code log and an Anthropic SDK span) carries the same provider response id. Such a call
 * counts once. Among the inference spans sharing a `response_id` across at least two sources, the
 * winner is the record that prices best and attributes best:
 *   1. it has cache counts (`has_cache_counts`: without them cached input is priced as uncached),
 *   2. it has more resolved attribution tags (tenant, user, task, route),
 *   3. it was stored first (lowest ingest id), then (trace id, span id) for a stable order.
 * The others stay in `spans` with their counters (an audit trail) but `is_inference = false`, so
 * they are never priced; an inference operation on a non-inference span marks such a merged copy.
 * The winner inherits, field by field, any resolved tag it lacks from the best-ranked copy that
 * has it, so a gateway record with cache detail keeps the tenant the SDK span's trace carried.
 * Runs inside the ingest transaction, over the response ids of every trace the ingest touched (tag
 * resolution has just recomputed those traces' tags, so their fills are applied again).
 */
import type { Database } from '../../db/database.js';
import { quoteIdent, quoteLiteral } from '../../db/quote.js';
import { TAG_FIELDS } from '../../db/schema.js';
import { INFERENCE_OPERATIONS } from './normalise.js';

const GROUPS_TABLE = 'costattr_response_groups';
/** Operations a span can only have when it was an inference span, as a SQL list. */
export const INFERENCE_OPERATION_SQL = `(${INFERENCE_OPERATIONS.map(quoteLiteral).join(', ')})`;
const RANKED_TAGS = ['tenant', 'user_id', 'task', 'route'] as const;

export async function mergeByResponseId(db: Database, ingestIds: readonly number[]): Promise<void> {
  if (ingestIds.length === 0) return;
  // copies come from at least two sources: with one source in `spans` (one log tree read for a
  // report, say) there is nothing to merge, and the grouping of every response id is skipped
  const sources = await db.one<{ n: number }>(`SELECT count(DISTINCT source)::INTEGER AS n FROM spans`);
  if (Number(sources?.n ?? 0) < 2) return;
  const tagCount = RANKED_TAGS.map((f) => `(${quoteIdent(f)} IS NOT NULL)::INTEGER`).join(' + ');
  const fills = TAG_FIELDS.map((f) => `min_by(${quoteIdent(f)}, merge_rank) FILTER (WHERE ${quoteIdent(f)} IS NOT NULL) OVER (PARTITION BY response_id) AS ${quoteIdent(`fill_${f}`)}`);
  await db.exec(
    `
    CREATE OR REPLACE TEMP TABLE ${GROUPS_TABLE} AS
    WITH touched AS (
      SELECT DISTINCT response_id FROM spans
      WHERE coalesce(response_id, '') <> ''
        AND trace_id IN (SELECT trace_id FROM spans WHERE list_contains($ids::INTEGER[], ingest_id))
    ),
    copies AS (
      SELECT trace_id, span_id, response_id, source, has_cache_counts, ingest_id, ${TAG_FIELDS.map(quoteIdent).join(', ')} FROM spans
      WHERE response_id IN (SELECT response_id FROM touched) AND (is_inference OR operation IN ${INFERENCE_OPERATION_SQL})
    ),
    shared AS (SELECT response_id FROM copies GROUP BY response_id HAVING count(DISTINCT source) > 1),
    ranked AS (
      SELECT c.*, row_number() OVER (
        PARTITION BY response_id ORDER BY has_cache_counts DESC, ${tagCount} DESC, ingest_id, trace_id, span_id
      ) AS merge_rank
      FROM copies c WHERE response_id IN (SELECT response_id FROM shared)
    )
    SELECT trace_id, span_id, merge_rank, ${TAG_FIELDS.map(quoteIdent).join(', ')}, ${fills.join(', ')} FROM ranked`,
    { ids: JSON.stringify(ingestIds) },
  );
  const fillTags = TAG_FIELDS.map(
    (f) => `${quoteIdent(f)} = CASE WHEN g.merge_rank = 1 THEN coalesce(g.${quoteIdent(f)}, g.${quoteIdent(`fill_${f}`)}) ELSE g.${quoteIdent(f)} END`,
  ).join(', ');
  await db.exec(`
    UPDATE spans SET is_inference = (g.merge_rank = 1), ${fillTags}
    FROM ${GROUPS_TABLE} g
    WHERE spans.trace_id = g.trace_id AND spans.span_id = g.span_id`);
  await db.exec(`DROP TABLE ${GROUPS_TABLE}`);
}
