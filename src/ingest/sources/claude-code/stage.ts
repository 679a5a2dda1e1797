/**
 * The Claude Code fast path: calls (calls.ts) straight into a staging table, already normalised as
 * the generic normaliser would leave them (src/ingest/spans/normalise.ts; test/sources/
 * claude-code-stage.test.ts holds both paths to the same rows). What that normaliser decides per
 * span is fixed for this source: every call is inference (`chat`), from Anthropic, exclusive of
 * cache when it counts cache at all, no parent, no custom attributes; only the checks remain
 * (ids present, timestamps parse, counts not negative), each naming its field as the normaliser does.
 */
import { quoteIdent } from '../../../db/quote.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';
import { readClaudeCalls } from './calls.js';

/** The span's token counters as the log names them, in the order the normaliser checks them. */
const COUNTS: ReadonlyArray<readonly [string, string]> = [
  ['input_tokens', 'u.input_tokens'],
  ['output_tokens', 'u.output_tokens'],
  ['cache_read_tokens', 'u.cache_read_input_tokens'],
  ['cache_write_tokens', 'u.cache_creation_input_tokens'],
  ['cache_write_5m_tokens', 'u.cache_creation.ephemeral_5m_input_tokens'],
  ['cache_write_1h_tokens', 'u.cache_creation.ephemeral_1h_input_tokens'],
];

/** The first problem of a call, as `field|message`, or NULL. */
const PROBLEM = `CASE
  WHEN session IS NULL OR trim(session) = '' THEN 'trace_id|missing trace id'
  WHEN key IS NULL OR trim(key) = '' THEN 'span_id|missing span id'
  WHEN first_at IS NULL AND NOT (timestamp IS NULL OR trim(timestamp) IN ('', '0')) THEN 'start_time|bad timestamp: ' || timestamp
  ${COUNTS.map(([field, value]) => `WHEN ${value} < 0 THEN '${field}|negative token count: ' || ${value}`).join('\n  ')}
END`;

/** The columns of staging (`spans` plus rid, line, problem) over the calls; `write_n` is both cache-write classes. */
const STAGED = `
  lower(trim(session)) AS trace_id,
  lower(trim(key)) AS span_id,
  NULL::VARCHAR AS parent_span_id,
  $file_idx::INTEGER AS ingest_id,
  'claude-code' AS source,
  'claude-code' AS scope_name,
  'claude-code' AS service_name,
  'claude-code assistant message' AS name,
  'chat' AS operation,
  make_timestamp(epoch_us(first_at)) AS start_time,
  make_timestamp(epoch_us(last_at)) AS end_time,
  true AS is_inference,
  'anthropic' AS provider,
  nullif(trim(model), '') AS request_model,
  nullif(trim(model), '') AS response_model,
  CASE WHEN nullif(lower(trim(u.service_tier)), '') IS NULL OR lower(trim(u.service_tier)) IN ('default', 'auto') THEN 'standard'
       ELSE lower(trim(u.service_tier)) END AS service_tier,
  u.input_tokens AS input_tokens,
  coalesce(u.cache_read_input_tokens, 0) AS cache_read_tokens,
  write_n - least(coalesce(u.cache_creation.ephemeral_1h_input_tokens, 0), write_n) AS cache_write_5m_tokens,
  least(coalesce(u.cache_creation.ephemeral_1h_input_tokens, 0), write_n) AS cache_write_1h_tokens,
  u.output_tokens AS output_tokens,
  0 AS reasoning_tokens,
  u.input_tokens AS reported_input_tokens,
  CASE WHEN has_cache THEN 'exclusive' ELSE 'no_cache_counts' END AS input_convention,
  has_cache AS has_cache_counts,
  nullif(trim(project), '') AS tag_tenant,
  NULL::VARCHAR AS tag_user_id,
  nullif(trim(session), '') AS tag_task,
  NULL::VARCHAR AS tag_route, NULL::VARCHAR AS tag_tier, NULL::VARCHAR AS tag_effort,
  NULL::VARCHAR AS tenant, NULL::VARCHAR AS user_id, NULL::VARCHAR AS task, NULL::VARCHAR AS route, NULL::VARCHAR AS tier, NULL::VARCHAR AS effort,
  NULL::BIGINT AS prompt_tokens, NULL::BIGINT AS tool_tokens, NULL::BIGINT AS memory_tokens,
  NULL::VARCHAR AS tool_name, NULL::VARCHAR AS tool_arguments,
  session AS conversation_id,
  msg_id AS response_id,
  json_object('claude_code.sidechain', sidechain)::VARCHAR AS tags_json,
  (ord - 1 + $rid_base)::INTEGER AS rid,
  ord::INTEGER AS line,
  ${PROBLEM} AS problem`;

export async function stageClaudeCode(ctx: SourceLoadContext, root: string, files: readonly string[], table: string): Promise<SourceLoadResult> {
  const calls = await readClaudeCalls(ctx, root, files);
  try {
    await ctx.db.exec(
      `INSERT INTO ${quoteIdent(table)} BY NAME
       SELECT ${STAGED} FROM (
         SELECT *,
           u.cache_read_input_tokens IS NOT NULL OR u.cache_creation_input_tokens IS NOT NULL
             OR u.cache_creation.ephemeral_5m_input_tokens IS NOT NULL OR u.cache_creation.ephemeral_1h_input_tokens IS NOT NULL AS has_cache,
           coalesce(u.cache_creation_input_tokens,
             coalesce(u.cache_creation.ephemeral_5m_input_tokens, 0) + coalesce(u.cache_creation.ephemeral_1h_input_tokens, 0)) AS write_n
         FROM ${calls.from})`,
      { file_idx: ctx.fileIdx, rid_base: ctx.ridBase },
    );
    const rows = await ctx.db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${quoteIdent(table)} WHERE ingest_id = $file_idx`, { file_idx: ctx.fileIdx });
    return calls.result(Number(rows?.n ?? 0));
  } finally {
    await calls.close();
  }
}
