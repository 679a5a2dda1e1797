// Which litellm model_prices entries describe a price-book model, and which litellm field holds
// the rate of a given (token class, tier, long-context threshold) — for the cross-check test.
import type { ModelEntry, PriceRow } from '../../src/pricebook/index.js';
import type { TokenClass } from '../../src/db/schema.js';

export type LitellmEntry = Record<string, unknown>;

/** Candidate litellm keys for a book model: its id and aliases, with litellm's provider prefixes. */
export function litellmKeys(model: ModelEntry): string[] {
  const names = [model.model, ...model.aliases].filter((name) => !name.includes(' '));
  if (model.provider === 'google') return names.map((name) => `gemini/${name}`);
  if (model.provider === 'anthropic') return [...names, ...names.map((name) => `anthropic.${name}-v1:0`)];
  return names;
}

const BASE_FIELD: Record<TokenClass, string> = {
  input: 'input_cost_per_token',
  cache_read: 'cache_read_input_token_cost',
  cache_write_5m: 'cache_creation_input_token_cost',
  cache_write_1h: 'cache_creation_input_token_cost_above_1hr',
  output: 'output_cost_per_token',
};

/** The litellm field for a class of a row, or undefined when litellm has no such field name. */
export function litellmField(row: Pick<PriceRow, 'tier' | 'minInputTokens'>, cls: TokenClass): string | undefined {
  let field = BASE_FIELD[cls];
  if (row.minInputTokens > 0) field += `_above_${row.minInputTokens / 1000}k_tokens`;
  if (row.tier === 'batch') {
    // litellm only has batch fields for uncached input and output
    return (cls === 'input' || cls === 'output') && row.minInputTokens === 0 ? `${field}_batches` : undefined;
  }
  if (row.tier === 'flex' || row.tier === 'priority') field += `_${row.tier}`;
  return field;
}
