/**
 * Anthropic exports (reference/invoice-formats.md §1): the Console cost CSV (dollars per
 * display-name model and `token_type`), the Console usage CSV (token counts per class), and the
 * Admin API `cost_report` (amount in cents, a decimal string) and `usage_report/messages` pages.
 * Model names stay as billed; they are resolved to canonical ids at query time (model_aliases).
 */
import { jsonField, mapValues, perClass, PIECE_QUANTITY, tierOf, type Fields, type InvoiceAdapter } from './adapter.js';

const PROVIDER = `'anthropic'`;

/** `≤ 200k` / `0-200k` → standard context; `> 200k` / `200k-1M` → long context. */
const longContextOf = (expr: string) => `(${expr} IS NOT NULL AND (${expr} LIKE '>%' OR lower(${expr}) LIKE '200k-%'))`;

const CONSOLE_TOKEN_TYPES: Record<string, string> = {
  input_no_cache: 'input',
  input_cache_read: 'cache_read',
  input_cache_write_5m: 'cache_write_5m',
  input_cache_write_1h: 'cache_write_1h',
  input_cache_write: 'cache_write_5m', // before the 5m/1h split the only TTL was 5 minutes
  output: 'output',
};

export const anthropicCostCsv: InvoiceAdapter = {
  format: 'anthropic-cost-csv',
  kind: 'cost',
  reader: 'csv',
  provider: 'anthropic',
  detect: (f: Fields) => f.has('usage_date_utc', 'token_type', 'cost_usd'),
  lines: (f: Fields) => {
    const costType = f.col('cost_type');
    return {
      provider: PROVIDER,
      day: { sql: f.col('usage_date_utc'), field: 'usage_date_utc' },
      model: f.col('model'),
      tokenClass: `CASE WHEN coalesce(lower(${costType}), 'token') NOT IN ('token', 'tokens') THEN 'other'
                        ELSE ${mapValues(f.col('token_type'), CONSOLE_TOKEN_TYPES, `'other'`)} END`,
      amount: { sql: f.col('cost_usd'), field: 'cost_usd' },
      listAmount: { sql: f.col('list_price_usd'), field: 'list_price_usd' },
      tier: tierOf(f.col('usage_type')),
      longContext: longContextOf(f.col('context_window')),
      workspace: f.col('workspace'),
      apiKey: f.col('api_key'),
      description: `CASE WHEN coalesce(lower(${costType}), 'token') NOT IN ('token', 'tokens') OR ${mapValues(f.col('token_type'), CONSOLE_TOKEN_TYPES, 'NULL')} IS NULL
                         THEN concat_ws(' ', ${costType}, ${f.col('token_type')}) END`,
    };
  },
};

export const anthropicUsageCsv: InvoiceAdapter = {
  format: 'anthropic-usage-csv',
  kind: 'usage',
  reader: 'csv',
  provider: 'anthropic',
  detect: (f: Fields) => f.has('usage_date_utc', 'model_version'),
  required: ['usage_input_tokens_no_cache', 'usage_output_tokens'],
  lines: (f: Fields) => {
    const write5m = f.find('usage_input_tokens_cache_write_5m', 'usage_input_tokens_cache_write') ?? 'usage_input_tokens_cache_write_5m';
    return {
      from: perClass([
        { tokenClass: 'input', sql: f.col('usage_input_tokens_no_cache'), field: 'usage_input_tokens_no_cache' },
        { tokenClass: 'cache_read', sql: f.col('usage_input_tokens_cache_read'), field: 'usage_input_tokens_cache_read' },
        { tokenClass: 'cache_write_5m', sql: f.col(write5m), field: write5m },
        { tokenClass: 'cache_write_1h', sql: f.col('usage_input_tokens_cache_write_1h'), field: 'usage_input_tokens_cache_write_1h' },
        { tokenClass: 'output', sql: f.col('usage_output_tokens'), field: 'usage_output_tokens' },
      ]),
      provider: PROVIDER,
      day: { sql: f.col('usage_date_utc'), field: 'usage_date_utc' },
      model: f.col('model_version'),
      tokenClass: 'piece.token_class',
      quantity: PIECE_QUANTITY,
      tier: tierOf(f.col('usage_type')),
      longContext: longContextOf(f.col('context_window')),
      workspace: f.col('workspace'),
      apiKey: f.col('api_key'),
    };
  },
};

const API_TOKEN_TYPES: Record<string, string> = {
  uncached_input_tokens: 'input',
  cache_read_input_tokens: 'cache_read',
  'cache_creation.ephemeral_5m_input_tokens': 'cache_write_5m',
  'cache_creation.ephemeral_1h_input_tokens': 'cache_write_1h',
  output_tokens: 'output',
};

export const anthropicCostJson: InvoiceAdapter = {
  format: 'anthropic-cost-json',
  kind: 'cost',
  reader: 'json',
  provider: 'anthropic',
  detect: (f: Fields) => f.has('amount', 'currency') && !f.has('object'),
  lines: () => ({
    provider: PROVIDER,
    day: { sql: 'bucket_start', field: 'starting_at' },
    model: jsonField('model'),
    tokenClass: `CASE WHEN coalesce(${jsonField('cost_type')}, 'tokens') <> 'tokens' THEN 'other'
                      ELSE ${mapValues(jsonField('token_type'), API_TOKEN_TYPES, `'other'`)} END`,
    amount: { sql: jsonField('amount'), field: 'amount', cents: true },
    tier: tierOf(jsonField('service_tier')),
    longContext: longContextOf(jsonField('context_window')),
    workspace: jsonField('workspace_id'),
    description: jsonField('description'),
    currency: { sql: jsonField('currency'), field: 'currency' },
  }),
};

export const anthropicUsageJson: InvoiceAdapter = {
  format: 'anthropic-usage-json',
  kind: 'usage',
  reader: 'json',
  provider: 'anthropic',
  detect: (f: Fields) => f.has('uncached_input_tokens', 'cache_read_input_tokens'),
  lines: () => ({
    from: perClass([
      { tokenClass: 'input', sql: jsonField('uncached_input_tokens'), field: 'uncached_input_tokens' },
      { tokenClass: 'cache_read', sql: jsonField('cache_read_input_tokens'), field: 'cache_read_input_tokens' },
      { tokenClass: 'cache_write_5m', sql: jsonField('cache_creation.ephemeral_5m_input_tokens'), field: 'cache_creation.ephemeral_5m_input_tokens' },
      { tokenClass: 'cache_write_1h', sql: jsonField('cache_creation.ephemeral_1h_input_tokens'), field: 'cache_creation.ephemeral_1h_input_tokens' },
      { tokenClass: 'output', sql: jsonField('output_tokens'), field: 'output_tokens' },
    ]),
    provider: PROVIDER,
    day: { sql: 'bucket_start', field: 'starting_at' },
    model: jsonField('model'),
    tokenClass: 'piece.token_class',
    quantity: PIECE_QUANTITY,
    tier: tierOf(jsonField('service_tier')),
    longContext: longContextOf(jsonField('context_window')),
    workspace: jsonField('workspace_id'),
    apiKey: jsonField('api_key_id'),
  }),
};
