/**
 * LiteLLM proxy spend logs (`LiteLLM_SpendLogs` exported as CSV, JSON or JSON Lines): one row per
 * proxied request, one inference span per row, its own trace unless a `session_id` groups requests.
 *
 * Tokens: `prompt_tokens` follows OpenAI and includes cached input (source convention `inclusive`);
 * cache counts come from `metadata` where the LiteLLM version put them
 * (`additional_usage_values`, else `usage_object` with Anthropic or OpenAI spellings); without them
 * the row is `no_cache_counts`. A row answered from LiteLLM's own response cache (`cache_hit` true)
 * never reached a provider: it is kept as a non-inference span with no tokens.
 * LiteLLM's `spend` is kept in `tags_json.source_cost_usd` for comparison, never used as a cost.
 *
 * Attribution (defaults; `--map tenant=…,user_id=…,task=…,route=…,tier=…` replaces one, see field-spec.ts):
 *   tenant  ← tag `tenant:` · `metadata.spend_logs_metadata.tenant_id` · `team_id` · `metadata.user_api_key_team_id`
 *   user_id ← tag `user:` · `end_user` · `user` · `metadata.user_api_key_user_id`
 *   task    ← `session_id`
 *   route   ← tag `route:` · `metadata.spend_logs_metadata.route`
 *   tier    ← tag `tier:` · `metadata.spend_logs_metadata.tier`
 */
import { insertRaw } from '../../spans/raw-insert.js';
import { FieldSpecs, tagSpecs, type MappedTag } from '../field-spec.js';
import { jsonField, RECORDS_TABLE, textField } from '../records.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';

const DEFAULT_TAGS: Readonly<Record<MappedTag, readonly string[]>> = {
  tenant: ['tag:tenant:', 'metadata.spend_logs_metadata.tenant_id', 'team_id', 'metadata.user_api_key_team_id'],
  user_id: ['tag:user:', 'end_user', 'user', 'metadata.user_api_key_user_id'],
  task: ['session_id'],
  route: ['tag:route:', 'metadata.spend_logs_metadata.route'],
  tier: ['tag:tier:', 'metadata.spend_logs_metadata.tier'],
};

/** The first of several paths inside the metadata JSON that holds a value. */
function metadata(...paths: string[]): string {
  const parts = paths.map((p) => `json_extract_string(meta, '$.${p}')`);
  return parts.length === 1 ? (parts[0] ?? 'NULL') : `coalesce(${parts.join(', ')})`;
}

/** The file's records are in RECORDS_TABLE (see withRecords). */
export async function loadLiteLlm(ctx: SourceLoadContext, records: number): Promise<SourceLoadResult> {
  const specs = new FieldSpecs('tags');
  const tags = tagSpecs(DEFAULT_TAGS, ctx.options.mapping ?? {});
  const cacheHit = `lower(coalesce(${textField('cache_hit')}, '')) IN ('true', '1')`;
  const token = (expr: string): string => `CASE WHEN ${cacheHit} THEN NULL ELSE ${expr} END`;
  const from = `(
    SELECT ord, rec, ${jsonField('metadata')} AS meta,
      coalesce(TRY_CAST(json_extract_string(${jsonField('request_tags')}, '$[*]') AS VARCHAR[]), []) AS tags
    FROM ${RECORDS_TABLE})`;
  const rows = await insertRaw(ctx, {
    from,
    columns: {
      source: `'litellm'`,
      trace_id: textField('session_id', 'request_id'),
      span_id: textField('request_id'),
      name: `'litellm ' || coalesce(${textField('call_type')}, 'request')`,
      operation: `CASE WHEN ${cacheHit} THEN NULL
        WHEN ${textField('call_type')} ILIKE '%embedding%' THEN 'embeddings'
        WHEN ${textField('call_type')} ILIKE '%text_completion%' THEN 'text_completion'
        ELSE 'chat' END`,
      scope_name: `'litellm'`,
      start_time: textField('startTime', 'start_time'),
      end_time: textField('endTime', 'end_time'),
      provider: textField('custom_llm_provider'),
      request_model: textField('model_group', 'model'),
      response_model: textField('model'),
      input_tokens: token(textField('prompt_tokens')),
      output_tokens: token(textField('completion_tokens')),
      cache_read_tokens: token(
        metadata(
          'additional_usage_values.cache_read_input_tokens',
          'usage_object.cache_read_input_tokens',
          'usage_object.prompt_tokens_details.cached_tokens',
        ),
      ),
      cache_write_tokens: token(
        metadata(
          'additional_usage_values.cache_creation_input_tokens',
          'usage_object.cache_creation_input_tokens',
          'usage_object.prompt_tokens_details.cache_creation_tokens',
        ),
      ),
      cache_write_1h_tokens: token(
        metadata(
          'additional_usage_values.cache_creation.ephemeral_1h_input_tokens',
          'usage_object.cache_creation.ephemeral_1h_input_tokens',
        ),
      ),
      reasoning_tokens: token(metadata('usage_object.completion_tokens_details.reasoning_tokens')),
      conversation_id: textField('session_id'),
      response_id: textField('request_id'),
      tag_tenant: specs.firstOf(tags.tenant),
      tag_user_id: specs.firstOf(tags.user_id),
      tag_task: specs.firstOf(tags.task),
      tag_route: specs.firstOf(tags.route),
      tag_tier: specs.firstOf(tags.tier),
      tags_json: `json_object(
        'source_cost_usd', TRY_CAST(${textField('spend')} AS DOUBLE),
        'request_tags', tags,
        'litellm_cache_hit', ${cacheHit},
        'status', ${textField('status')})::VARCHAR`,
    },
    params: specs.params,
  });
  return { records, rows, dropped: {} };
}
