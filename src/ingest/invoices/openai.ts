/**
 * OpenAI exports (reference/invoice-formats.md §2): the dashboard cost CSV and Costs API pages,
 * whose model, token piece and tier live in the free-text `line_item`
 * (`flex | gpt-5-mini-2025-08-07, cached input, long context`), and the dashboard activity CSV and
 * Usage API pages of every endpoint (completions, whose `input_tokens` include cached and
 * cache-write tokens; embeddings, moderations, images, audio, vector stores, code interpreter).
 */
import { jsonField, perClass, PIECE_QUANTITY, RAW_TABLE, tierOf, unixOrIsoDay, type Fields, type InvoiceAdapter, type LineExpressions } from './adapter.js';

const PROVIDER = `'openai'`;
const DEC = 'DECIMAL(38,6)';

/**
 * A relation over the raw rows adding the parsed `line_item`: `li_tier`, `li_model` (NULL for
 * charges that are not a model, e.g. `web search tool calls`), `li_class` and `li_long_context`.
 * A modality (`gpt-audio-mini audio, input`) is billed at other than text rates: class `other`.
 */
function lineItemRelation(lineItem: string): string {
  return `(SELECT *,
      CASE WHEN li_prefix IS NOT NULL THEN ${tierOf('li_prefix')} ELSE 'standard' END AS li_tier,
      CASE WHEN li_head NOT LIKE '% %' AND li_head <> '' THEN li_head
           WHEN regexp_matches(li_head, '^\\S+ (audio|image|text|realtime)$') THEN split_part(li_head, ' ', 1) END AS li_model,
      CASE WHEN li_head LIKE '% %' OR li_head = '' THEN 'other'
           WHEN li_piece = 'input' THEN 'input'
           WHEN li_piece IN ('cached input', 'cache read', 'cached read') THEN 'cache_read'
           WHEN li_piece IN ('cache write', 'cached write', 'cache write input', 'input cache write', 'cache creation') THEN 'cache_write_5m'
           WHEN li_piece = 'output' THEN 'output'
           ELSE 'other' END AS li_class
    FROM (SELECT *,
        CASE WHEN contains(li_text, '|') THEN trim(split_part(li_text, '|', 1)) END AS li_prefix,
        trim(list_element(string_split(li_body, ','), 1)) AS li_head,
        lower(trim(list_element(string_split(li_body, ','), 2))) AS li_piece,
        list_contains(list_transform(string_split(li_body, ','), x -> lower(trim(x))), 'long context') AS li_long_context
      FROM (SELECT *, ${lineItem} AS li_text,
          trim(CASE WHEN contains(${lineItem}, '|') THEN substr(${lineItem}, strpos(${lineItem}, '|') + 1) ELSE coalesce(${lineItem}, '') END) AS li_body
        FROM ${RAW_TABLE})))`;
}

/** Token quantities only for token pieces in a token unit; `1000_tokens` scaled up. */
function tokenQuantity(quantity: string, unit: string, field: string): NonNullable<LineExpressions['quantity']> {
  return {
    sql: `CASE WHEN li_class <> 'other' AND (${unit} IS NULL OR lower(${unit}) IN ('tokens', '1000_tokens')) THEN ${quantity} END`,
    field,
    scale: `CASE WHEN lower(${unit}) = '1000_tokens' THEN 1000 ELSE 1 END`,
  };
}

export const openaiCostCsv: InvoiceAdapter = {
  format: 'openai-cost-csv',
  kind: 'cost',
  reader: 'csv',
  provider: 'openai',
  detect: (f: Fields) => f.has('amount_value') && (f.has('start_time') || f.has('start_time_iso')),
  lines: (f: Fields) => ({
    from: lineItemRelation(f.col('line_item')),
    provider: PROVIDER,
    day: { sql: unixOrIsoDay(f.col('start_time'), f.col('start_time_iso')), field: f.find('start_time_iso', 'start_time') ?? 'start_time' },
    model: 'li_model',
    tokenClass: 'li_class',
    quantity: tokenQuantity(f.col('quantity'), f.col('quantity_unit'), 'quantity'),
    amount: { sql: f.col('amount_value'), field: 'amount_value' },
    tier: 'li_tier',
    longContext: 'li_long_context',
    project: `coalesce(${f.col('project_id')}, ${f.col('project_name')})`,
    apiKey: f.col('api_key_id'),
    description: `CASE WHEN li_class = 'other' THEN li_text END`,
    skip: `${f.col('amount_value')} IS NULL AND ${f.col('line_item')} IS NULL`,
    currency: { sql: f.col('amount_currency'), field: 'amount_currency' },
  }),
};

export const openaiCostJson: InvoiceAdapter = {
  format: 'openai-cost-json',
  kind: 'cost',
  reader: 'json',
  provider: 'openai',
  detect: (f: Fields) => f.has('amount', 'object'),
  lines: () => ({
    from: lineItemRelation(jsonField('line_item')),
    provider: PROVIDER,
    day: { sql: unixOrIsoDay('bucket_start', 'CAST(NULL AS VARCHAR)'), field: 'start_time' },
    model: 'li_model',
    tokenClass: 'li_class',
    quantity: tokenQuantity(jsonField('quantity'), jsonField('quantity_unit'), 'quantity'),
    amount: { sql: jsonField('amount.value'), field: 'amount.value' },
    tier: 'li_tier',
    longContext: 'li_long_context',
    project: `coalesce(${jsonField('project_id')}, ${jsonField('project_name')})`,
    apiKey: jsonField('api_key_id'),
    description: `CASE WHEN li_class = 'other' THEN li_text END`,
    currency: { sql: jsonField('amount.currency'), field: 'amount.currency' },
  }),
};

/**
 * The Usage API's endpoint of a result, from its `object` (`organization.usage.embeddings.result`
 * → `embeddings`); a result without one (older pages, the activity CSV) is a completions result.
 */
const usageEndpoint = (object: string) => `coalesce(regexp_extract(${object}, '^organization\\.usage\\.([a-z_]+)\\.result$', 1), 'completions')`;

/** What the endpoints that do not count tokens count, first present wins: stored as class `other` in that unit. */
const OTHER_UNITS = ['images', 'characters', 'seconds', 'usage_bytes', 'num_sessions', 'sessions', 'num_requests'];

/**
 * OpenAI usage rows → lines. Completions split into disjoint classes: `input_tokens` includes
 * cached and cache-write tokens, so uncached input is `input_uncached_tokens` when the row has it,
 * else the difference. Embeddings and moderations are input tokens. Images, audio speech
 * (characters), transcriptions (seconds), vector stores (bytes), code interpreter (sessions) and
 * tool calls are class `other` with their count, the unit named in the description (a book of
 * token prices cannot value them).
 */
function usagePieces(get: (name: string) => string, has: (name: string) => boolean, endpoint: string) {
  const completions = `(${endpoint} = 'completions')`;
  const tokenInput = `(${endpoint} IN ('embeddings', 'moderations'))`;
  const dec = (name: string) => `coalesce(TRY_CAST(${get(name)} AS ${DEC}), 0)`;
  const uncached = `CASE WHEN ${tokenInput} THEN ${get('input_tokens')}
    WHEN NOT ${completions} THEN NULL
    ${has('input_uncached_tokens') ? `WHEN ${get('input_uncached_tokens')} IS NOT NULL THEN ${get('input_uncached_tokens')}` : ''}
    WHEN TRY_CAST(${get('input_tokens')} AS ${DEC}) IS NULL THEN ${get('input_tokens')}
    ELSE CAST(${dec('input_tokens')} - ${dec('input_cached_tokens')} - ${dec('input_cache_write_tokens')} AS VARCHAR) END`;
  const only = (sql: string) => `CASE WHEN ${completions} THEN ${sql} END`;
  const units = OTHER_UNITS.filter(has);
  return perClass([
    { tokenClass: 'input', sql: uncached, field: has('input_uncached_tokens') ? 'input_uncached_tokens' : 'input_tokens' },
    { tokenClass: 'cache_read', sql: only(get('input_cached_tokens')), field: 'input_cached_tokens' },
    { tokenClass: 'cache_write_5m', sql: only(get('input_cache_write_tokens')), field: 'input_cache_write_tokens' },
    { tokenClass: 'output', sql: only(get('output_tokens')), field: 'output_tokens' },
    { tokenClass: 'other', sql: units.length === 0 ? 'CAST(NULL AS VARCHAR)' : `CASE WHEN NOT ${completions} AND NOT ${tokenInput} THEN coalesce(${units.map(get).join(', ')}) END`, field: units.join(' | ') || 'usage count' },
  ]);
}

/** `images: images, 1024x1024, image.generation`, `audio_speeches: characters`, … for the `other` lines. */
function otherDescription(get: (name: string) => string, endpoint: string): string {
  const unit = `coalesce(${OTHER_UNITS.map((u) => `CASE WHEN ${get(u)} IS NOT NULL THEN '${u}' END`).join(', ')})`;
  return `CASE WHEN piece.token_class = 'other' THEN ${endpoint} || ': ' || concat_ws(', ', ${unit}, ${get('size')}, ${get('source')}) END`;
}

const usageTier = (batch: string, serviceTier: string) =>
  `CASE WHEN lower(${batch}) IN ('true', '1') THEN 'batch' ELSE ${tierOf(`coalesce(${serviceTier}, '')`)} END`;

export const openaiUsageCsv: InvoiceAdapter = {
  format: 'openai-usage-csv',
  kind: 'usage',
  reader: 'csv',
  provider: 'openai',
  // an empty activity export has only the four time columns
  detect: (f: Fields) => (f.has('start_time', 'input_tokens', 'output_tokens') || f.has('start_time', 'end_time', 'start_time_iso', 'end_time_iso')) && !f.has('amount_value'),
  lines: (f: Fields) => ({
    from: usagePieces((name) => f.col(name), (name) => f.has(name), `'completions'`),
    provider: PROVIDER,
    day: { sql: unixOrIsoDay(f.col('start_time'), f.col('start_time_iso')), field: f.find('start_time_iso', 'start_time') ?? 'start_time' },
    model: f.col('model'),
    tokenClass: 'piece.token_class',
    quantity: PIECE_QUANTITY,
    tier: usageTier(f.col('batch'), f.col('service_tier')),
    project: f.col('project_id'),
    apiKey: f.col('api_key_id'),
  }),
};

export const openaiUsageJson: InvoiceAdapter = {
  format: 'openai-usage-json',
  kind: 'usage',
  reader: 'json',
  provider: 'openai',
  // the first result's keys: a completions result (with or without `object`), or any other endpoint's
  detect: (f: Fields) => f.has('input_tokens', 'output_tokens') || (f.has('object') && ['num_model_requests', ...OTHER_UNITS].some((k) => f.has(k))),
  lines: (f: Fields) => ({
    // later pages may be other endpoints than the first result's: every unit is looked for
    from: usagePieces(jsonField, (name) => f.has(name) || OTHER_UNITS.includes(name), usageEndpoint(jsonField('object'))),
    provider: PROVIDER,
    day: { sql: unixOrIsoDay('bucket_start', 'CAST(NULL AS VARCHAR)'), field: 'start_time' },
    model: jsonField('model'),
    tokenClass: 'piece.token_class',
    quantity: PIECE_QUANTITY,
    tier: usageTier(jsonField('batch'), jsonField('service_tier')),
    project: jsonField('project_id'),
    apiKey: jsonField('api_key_id'),
    description: otherDescription(jsonField, usageEndpoint(jsonField('object'))),
  }),
};
