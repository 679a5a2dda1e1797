/**
 * The document shapes Langfuse serves, turned into one observation record each:
 *   - an observation per line / array element (UI batch export, blob export, v2 observations);
 *   - a trace document with its observations: `{"trace": {…}, "observations": [...]}` (UI trace
 *     export) or `{"id", …, "observations": [{…}]}` (GET /api/public/traces/{id});
 *   - a list page `{"data": [...], "meta": {...}}` of observations (GET /api/public/observations)
 *     or of such trace documents.
 * An observation of a trace document inherits the trace's id, user, session, name, tags and
 * metadata (its own values win). A shape that carries no usage — a trace list page, whose
 * `observations` are ids only — is refused, saying which shape it is and what to export instead.
 */
import { quoteIdent } from '../../../db/quote.js';
import type { Database } from '../../../db/database.js';
import { badInput } from '../../../errors.js';
import { RECORDS_TABLE } from '../records.js';

/** The file's observations: `ord` its record's line (documents: the document's), `sub` its place in it. */
export const OBSERVATIONS_TABLE = 'costattr_langfuse_observations';

const get = (json: string, key: string) => `json_extract(${json}, '$."${key}"')`;

/** An observation with the trace's fields it lacks filled in (the observation's own values win). */
function inheriting(obs: string, trace: string): string {
  const from = (key: string, traceKey: string) => `'${key}', coalesce(${get(obs, key)}, ${get(trace, traceKey)})`;
  return `json_merge_patch(${obs}, json_object(
    ${from('traceId', 'id')}, ${from('userId', 'userId')}, ${from('sessionId', 'sessionId')},
    ${from('traceName', 'name')}, ${from('traceTags', 'tags')},
    'metadata', CASE WHEN json_type(${get(trace, 'metadata')}) = 'OBJECT' AND json_type(${get(obs, 'metadata')}) = 'OBJECT'
                     THEN json_merge_patch(${get(trace, 'metadata')}, ${get(obs, 'metadata')})
                     ELSE coalesce(${get(obs, 'metadata')}, ${get(trace, 'metadata')}) END))`;
}

/** Expand the file's records (RECORDS_TABLE) into OBSERVATIONS_TABLE; returns how many. */
export async function expandObservations(db: Database, path: string): Promise<number> {
  await refuseTraceLists(db, path);
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${quoteIdent(OBSERVATIONS_TABLE)} AS
    WITH items AS (
      SELECT ord, 0 AS page_no, rec AS item FROM ${quoteIdent(RECORDS_TABLE)} WHERE json_type(rec, '$.data') IS DISTINCT FROM 'ARRAY'
      UNION ALL
      SELECT ord, generate_subscripts(json_extract(rec, '$.data[*]'), 1) AS page_no, unnest(json_extract(rec, '$.data[*]')) AS item
      FROM ${quoteIdent(RECORDS_TABLE)} WHERE json_type(rec, '$.data') = 'ARRAY'
    ),
    traces AS (
      SELECT ord, page_no, item, coalesce(${get('item', 'trace')}, item) AS trace FROM items WHERE json_type(item, '$.observations') = 'ARRAY'
    )
    SELECT ord, page_no * 1000000 AS sub, item AS rec FROM items WHERE json_type(item, '$.observations') IS DISTINCT FROM 'ARRAY'
    UNION ALL
    SELECT ord, page_no * 1000000 + obs_no AS sub, ${inheriting('obs', 'trace')} AS rec FROM (
      SELECT ord, page_no, trace, generate_subscripts(json_extract(item, '$.observations[*]'), 1) AS obs_no,
             unnest(json_extract(item, '$.observations[*]')) AS obs
      FROM traces)`);
  const n = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(OBSERVATIONS_TABLE)}`);
  return Number(n?.n ?? 0);
}

/** A trace list page (GET /api/public/traces) names its observations by id only: nothing to price. */
async function refuseTraceLists(db: Database, path: string): Promise<void> {
  const list = await db.one<{ ord: number }>(
    `SELECT ord::INTEGER AS ord FROM ${quoteIdent(RECORDS_TABLE)}
     WHERE json_type(rec, '$.data[0].observations[0]') = 'VARCHAR' OR json_type(rec, '$.observations[0]') = 'VARCHAR'
     ORDER BY ord LIMIT 1`,
  );
  if (list === undefined) return;
  throw Object.assign(
    badInput(path, { line: list.ord }, 'observations', 'a Langfuse trace list (GET /api/public/traces): its observations are ids, without usage'),
    { hint: 'export the observations instead (GET /api/public/observations, or each trace with GET /api/public/traces/{id}, or the UI export)' },
  );
}
