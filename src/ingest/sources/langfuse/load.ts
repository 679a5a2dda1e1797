/**
 * Langfuse observation exports: the UI batch export (CSV / JSON / JSON Lines, camelCase), the
 * public API v1/v2 shapes, and the blob-storage export (snake_case). One span per observation.
 *
 * Tokens: `usageDetails` buckets are disjoint, so `input` is uncached input (source convention
 * `exclusive`). Every key is classed by its name: cache read (`…cache_read…`, `…cached…`), cache
 * write (`…cache_creation…`, `…cache_write…`; 1-hour when the key says `1h`), output (`output…`,
 * `completion…`; reasoning keys are also the reasoning sub-count), input (`input…`, `prompt…`);
 * `total` and other keys are ignored. Langfuse's own cost (`totalCost`, `calculatedTotalCost`,
 * `costDetails.total`) is kept in `tags_json.source_cost_usd`, never used as a cost.
 * Observation `type` gives the operation: GENERATION → chat, EMBEDDING → embeddings, AGENT →
 * invoke_agent, TOOL → execute_tool, CHAIN → invoke_workflow, RETRIEVER → retrieval.
 *
 * Attribution (defaults; `--map` replaces one, see field-spec.ts):
 *   tenant ← `metadata.tenant_id` · `metadata.tenant` · tag `tenant:`;  user_id ← `userId` · `user_id` · `metadata.user_id`
 *   task   ← `sessionId` · `session_id` · `metadata.task_id`;           route ← `metadata.route` · `traceName` · `trace_name`
 *   tier   ← `metadata.tier` · tag `tier:`
 */
import { insertRaw } from '../../spans/raw-insert.js';
import { FieldSpecs, tagSpecs, type MappedTag } from '../field-spec.js';
import { jsonField, RECORDS_TABLE, textField } from '../records.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';

const DEFAULT_TAGS: Readonly<Record<MappedTag, readonly string[]>> = {
  tenant: ['metadata.tenant_id', 'metadata.tenant', 'tag:tenant:'],
  user_id: ['userId', 'user_id', 'metadata.user_id'],
  task: ['sessionId', 'session_id', 'metadata.task_id'],
  route: ['metadata.route', 'traceName', 'trace_name'],
  tier: ['metadata.tier', 'tag:tier:'],
};

/** Sum of the usage buckets whose key matches `pattern` (a regular expression, lowercase). */
function bucket(pattern: string, exclude?: string): string {
  const skip = exclude === undefined ? '' : ` AND NOT regexp_matches(lower(e.key), '${exclude}')`;
  return `list_sum(list_transform(list_filter(map_entries(usage), e -> regexp_matches(lower(e.key), '${pattern}')${skip}), e -> TRY_CAST(e.value AS BIGINT)))`;
}

const CACHE_READ = 'cache_read|cached';
const CACHE_WRITE = 'cache_creation|cache_write';
const OUTPUT = '^(output|completion)';
const INPUT = '^(input|prompt)';

/** The file's records are in RECORDS_TABLE (see withRecords). */
export async function loadLangfuse(ctx: SourceLoadContext, records: number): Promise<SourceLoadResult> {
  const specs = new FieldSpecs('tags');
  const tags = tagSpecs(DEFAULT_TAGS, ctx.options.mapping ?? {});
  const from = `(
    SELECT ord, rec,
      TRY_CAST(coalesce(${jsonField('usageDetails')}, ${jsonField('usage_details')}) AS MAP(VARCHAR, VARCHAR)) AS usage,
      coalesce(TRY_CAST(json_extract_string(coalesce(${jsonField('traceTags')}, ${jsonField('tags')}), '$[*]') AS VARCHAR[]), []) AS tags,
      upper(${textField('type')}) AS kind
    FROM ${RECORDS_TABLE})`;
  const hasUsage = `cardinality(coalesce(usage, MAP {})) > 0`;
  const rows = await insertRaw(ctx, {
    from,
    columns: {
      source: `'langfuse'`,
      trace_id: textField('traceId', 'trace_id'),
      span_id: textField('id'),
      parent_span_id: textField('parentObservationId', 'parent_observation_id'),
      scope_name: `'langfuse'`,
      name: textField('name'),
      operation: `CASE kind WHEN 'GENERATION' THEN 'chat' WHEN 'EMBEDDING' THEN 'embeddings' WHEN 'AGENT' THEN 'invoke_agent'
        WHEN 'TOOL' THEN 'execute_tool' WHEN 'CHAIN' THEN 'invoke_workflow' WHEN 'RETRIEVER' THEN 'retrieval' ELSE lower(kind) END`,
      start_time: textField('startTime', 'start_time'),
      end_time: textField('endTime', 'end_time'),
      request_model: textField('model', 'provided_model_name', 'providedModelName'),
      input_tokens: `CASE WHEN ${hasUsage} THEN coalesce(${bucket(INPUT, CACHE_READ + '|' + CACHE_WRITE)}, 0) END`,
      output_tokens: `CASE WHEN ${hasUsage} THEN coalesce(${bucket(OUTPUT)}, 0) END`,
      cache_read_tokens: bucket(CACHE_READ),
      cache_write_tokens: bucket(CACHE_WRITE),
      cache_write_1h_tokens: bucket(`(${CACHE_WRITE}).*1h`),
      reasoning_tokens: bucket(`${OUTPUT}.*reasoning`),
      tag_tenant: specs.firstOf(tags.tenant),
      tag_user_id: specs.firstOf(tags.user_id),
      tag_task: specs.firstOf(tags.task),
      tag_route: specs.firstOf(tags.route),
      tag_tier: specs.firstOf(tags.tier),
      tags_json: `json_object('source_cost_usd', TRY_CAST(coalesce(${textField('totalCost', 'total_cost', 'calculatedTotalCost')},
        json_extract_string(coalesce(${jsonField('costDetails')}, ${jsonField('cost_details')}), '$.total')) AS DOUBLE))::VARCHAR`,
    },
    params: specs.params,
  });
  return { records, rows, dropped: {} };
}
