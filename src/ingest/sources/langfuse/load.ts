/**
 * Langfuse observation exports: the UI batch export (CSV / JSON / JSON Lines, camelCase), the
 * public API v1/v2 shapes, trace documents and list pages (shapes.ts), and the blob-storage export
 * (snake_case). One span per observation.
 *
 * Tokens: every `usageDetails` key is classed by its name: cache read (`…cache_read…`, `…cached…`),
 * cache write (`…cache_creation…`, `…cache_write…`; 1-hour when the key says `1h`), reasoning
 * (`output…reasoning…`, `completion…reasoning…`), output (other `output…`, `completion…`), input
 * (`input…`, `prompt…`); `total` is read as the record's own check, other keys are ignored.
 * Langfuse's buckets are meant to be disjoint, but not every integration keeps them so: whether
 * `output` already includes the reasoning, and `input` the cache tokens, is decided per record from
 * its `total` (input + output = total → the breakdown is inside; without a total, disjoint), and the
 * rule applied is kept in `tags_json.usage_rules` (`reasoning`: `in_output` | `added`, `cache`:
 * `in_input` | `separate`). Input is then uncached input (source convention `exclusive`).
 * Langfuse's own cost (`totalCost`, `calculatedTotalCost`, `costDetails.total`) is kept in
 * `tags_json.source_cost_usd`, never used as a cost. The provider is inferred from the model
 * (provider.ts). Observation `type` gives the operation: GENERATION → chat, EMBEDDING → embeddings,
 * AGENT → invoke_agent, TOOL → execute_tool, CHAIN → invoke_workflow, RETRIEVER → retrieval.
 *
 * Attribution (defaults; `--map` replaces one, see field-spec.ts):
 *   tenant ← `metadata.tenant_id` · `metadata.tenant` · tag `tenant:`;  user_id ← `userId` · `user_id` · `metadata.user_id`
 *   task   ← `sessionId` · `session_id` · `metadata.task_id`;           route ← `metadata.route` · `traceName` · `trace_name`
 *   tier   ← `metadata.tier` · tag `tier:`
 */
import { quoteIdent } from '../../../db/quote.js';
import { insertRaw } from '../../spans/raw-insert.js';
import { FieldSpecs, tagSpecs, type MappedTag } from '../field-spec.js';
import { jsonField, textField } from '../records.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';
import { bookJoins, createModelProviders, inferredProvider, MODEL_PROVIDERS_TABLE } from './provider.js';
import { expandObservations, OBSERVATIONS_TABLE } from './shapes.js';

const DEFAULT_TAGS: Readonly<Record<MappedTag, readonly string[]>> = {
  tenant: ['metadata.tenant_id', 'metadata.tenant', 'tag:tenant:'],
  user_id: ['userId', 'user_id', 'metadata.user_id'],
  task: ['sessionId', 'session_id', 'metadata.task_id'],
  route: ['metadata.route', 'traceName', 'trace_name'],
  tier: ['metadata.tier', 'tag:tier:'],
};

/** Sum of the usage buckets whose key matches `pattern` (a regular expression, lowercase), NULL when none does. */
function bucket(pattern: string, exclude?: string): string {
  const skip = exclude === undefined ? '' : ` AND NOT regexp_matches(lower(e.key), '${exclude}')`;
  return `list_sum(list_transform(list_filter(map_entries(usage), e -> regexp_matches(lower(e.key), '${pattern}')${skip}), e -> TRY_CAST(e.value AS BIGINT)))`;
}

const CACHE_READ = 'cache_read|cached';
const CACHE_WRITE = 'cache_creation|cache_write';
const OUTPUT = '^(output|completion)';
const REASONING = `${OUTPUT}.*reasoning`;
const INPUT = '^(input|prompt)';
const TOTAL = '^total(_tokens)?$';

/** Per record: the buckets as numbers and the two inclusion rules, decided from its own total. */
function usageRelation(records: string): string {
  return `(
    SELECT *,
      n_rz > 0 AND n_total IN (n_sum - n_rz, n_sum - n_rz - n_cr - n_cw) AS reasoning_in_output,
      n_cr + n_cw > 0 AND n_total IN (n_sum - n_cr - n_cw, n_sum - n_cr - n_cw - n_rz) AS cache_in_input
    FROM (
      SELECT *, n_in + n_cr + n_cw + n_out + n_rz AS n_sum FROM (
        SELECT *,
          coalesce(${bucket(INPUT, `${CACHE_READ}|${CACHE_WRITE}`)}, 0) AS n_in,
          coalesce(${bucket(CACHE_READ)}, 0) AS n_cr,
          coalesce(${bucket(CACHE_WRITE)}, 0) AS n_cw,
          coalesce(${bucket(OUTPUT, 'reasoning')}, 0) AS n_out,
          coalesce(${bucket(REASONING)}, 0) AS n_rz,
          ${bucket(TOTAL)} AS n_total
        FROM ${records})))`;
}

/** The file's records are in RECORDS_TABLE (see withRecords); observations are counted as its records. */
export async function loadLangfuse(ctx: SourceLoadContext, path: string): Promise<SourceLoadResult> {
  const records = await expandObservations(ctx.db, path);
  await createModelProviders(ctx.db);
  try {
    const rows = await insertObservations(ctx);
    return { records, rows, dropped: {} };
  } finally {
    await ctx.db.exec(`DROP TABLE IF EXISTS ${quoteIdent(OBSERVATIONS_TABLE)}; DROP TABLE IF EXISTS ${quoteIdent(MODEL_PROVIDERS_TABLE)}`);
  }
}

async function insertObservations(ctx: SourceLoadContext): Promise<number> {
  const specs = new FieldSpecs('tags');
  const tags = tagSpecs(DEFAULT_TAGS, ctx.options.mapping ?? {});
  const model = textField('model', 'provided_model_name', 'providedModelName');
  const records = `(
    SELECT o.*, ${inferredProvider('o.model_lc')} AS inferred FROM (
      SELECT ord, sub, rec, lower(trim(${model})) AS model_lc,
        TRY_CAST(coalesce(${jsonField('usageDetails')}, ${jsonField('usage_details')}) AS MAP(VARCHAR, VARCHAR)) AS usage,
        coalesce(TRY_CAST(json_extract_string(coalesce(${jsonField('traceTags')}, ${jsonField('tags')}), '$[*]') AS VARCHAR[]), []) AS tags,
        upper(${textField('type')}) AS kind
      FROM ${quoteIdent(OBSERVATIONS_TABLE)}) o
    ${bookJoins()})`;
  const hasUsage = `cardinality(coalesce(usage, MAP {})) > 0`;
  const sourceCost = `TRY_CAST(coalesce(${textField('totalCost', 'total_cost', 'calculatedTotalCost')},
        json_extract_string(coalesce(${jsonField('costDetails')}, ${jsonField('cost_details')}), '$.total')) AS DOUBLE)`;
  const usageRules = `CASE WHEN n_rz > 0 OR n_cr + n_cw > 0 THEN json_object(
        'reasoning', CASE WHEN n_rz = 0 THEN NULL WHEN reasoning_in_output THEN 'in_output' ELSE 'added' END,
        'cache', CASE WHEN n_cr + n_cw = 0 THEN NULL WHEN cache_in_input THEN 'in_input' ELSE 'separate' END) END`;
  return insertRaw(ctx, {
    from: usageRelation(records),
    order: 'ord, sub',
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
      provider: 'inferred.provider',
      request_model: model,
      input_tokens: `CASE WHEN ${hasUsage} THEN n_in - CASE WHEN cache_in_input THEN n_cr + n_cw ELSE 0 END END`,
      output_tokens: `CASE WHEN ${hasUsage} THEN n_out + CASE WHEN reasoning_in_output THEN 0 ELSE n_rz END END`,
      cache_read_tokens: bucket(CACHE_READ),
      cache_write_tokens: bucket(CACHE_WRITE),
      cache_write_1h_tokens: bucket(`(${CACHE_WRITE}).*1h`),
      reasoning_tokens: bucket(REASONING),
      tag_tenant: specs.firstOf(tags.tenant),
      tag_user_id: specs.firstOf(tags.user_id),
      tag_task: specs.firstOf(tags.task),
      tag_route: specs.firstOf(tags.route),
      tag_tier: specs.firstOf(tags.tier),
      // a merge patch onto {} drops the keys whose value is null
      tags_json: `json_merge_patch('{}', json_object('source_cost_usd', ${sourceCost}, 'provider_inferred', inferred.how, 'usage_rules', ${usageRules}))::VARCHAR`,
    },
    params: specs.params,
  });
}
