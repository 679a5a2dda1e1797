/**
 * Successful outcomes per route: a run (trace) is a success when any of its spans carries the tag
 * `<namespace>.outcome` (kept in `spans.tags_json` as `outcome`) with a success value
 * (`SUCCESS_VALUES`, case-insensitive). A route whose runs carry no outcome tag at all has no
 * outcome count (null), and its cost per outcome is its cost per run. Only routes with tagged runs
 * are returned: a route missing from the map has none.
 */
import type { Database } from '../../db/database.js';
import { quoteLiteral } from '../../db/quote.js';
import { UNATTRIBUTED } from '../../db/schema.js';
import { num } from '../../db/values.js';
import { INFERENCE_SPANS } from '../../pricebook/install.js';
import { baseRelation } from '../span-filter.js';
import { periodOfWindow, type DayWindow } from './series.js';

export const SUCCESS_VALUES = ['success', 'succeeded', 'successful', 'ok', 'true', 'pass', 'passed', 'resolved', 'completed', 'done'] as const;

export interface RouteOutcomes {
  /** Runs with an outcome tag (any value). */
  tagged: number;
  successes: number;
}

const OUTCOME = `lower(trim(json_extract_string(tags_json, '$.outcome')))`;

/**
 * The outcome attribute as the data names it (`acme.outcome`): from the namespace each ingest
 * resolved; several namespaces are listed; null when no ingest recorded one.
 */
export async function outcomeAttribute(db: Database): Promise<string | null> {
  const rows = await db.all<{ namespace: string }>(`SELECT DISTINCT namespace FROM ingests WHERE namespace IS NOT NULL ORDER BY namespace`);
  return rows.length === 0 ? null : rows.map((r) => `${r.namespace}.outcome`).join(' or ');
}

export async function outcomesByRoute(db: Database, window: DayWindow): Promise<Map<string, RouteOutcomes>> {
  // the window's calls (the priced spans' rows, not priced: route and trace only) joined to the tagged traces alone
  const base = baseRelation({ period: periodOfWindow(window) }, { relation: INFERENCE_SPANS, time: 'start_time' });
  const rows = await db.all<{ route: string; tagged: string; successes: string }>(
    `WITH base AS (${base.sql}),
     outcomes AS (
       SELECT trace_id, bool_or(${OUTCOME} IN (${SUCCESS_VALUES.map(quoteLiteral).join(', ')})) AS success
       FROM spans
       WHERE tags_json IS NOT NULL AND json_valid(tags_json) AND ${OUTCOME} IS NOT NULL
       GROUP BY trace_id
     )
     SELECT coalesce(b.route, $unattributed) AS route,
            count(DISTINCT b.trace_id)::VARCHAR AS tagged,
            count(DISTINCT b.trace_id) FILTER (WHERE o.success)::VARCHAR AS successes
     FROM base b JOIN outcomes o ON o.trace_id = b.trace_id
     GROUP BY 1`,
    { ...base.params, unattributed: UNATTRIBUTED },
  );
  return new Map(rows.map((r) => [r.route, { tagged: num(r.tagged), successes: num(r.successes) }]));
}
