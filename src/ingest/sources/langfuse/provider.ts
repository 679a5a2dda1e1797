/**
 * The provider of an observation, which Langfuse does not record: inferred from the model name,
 * first from what the name itself says — a Vertex resource path (`…/publishers/google/models/…`),
 * a Bedrock id or ARN (`us.anthropic.claude-…`), a `vendor/` prefix (`openai/gpt-4o`) — else from
 * the built-in price book, which knows the provider serving each model and its aliases (a dated
 * snapshot matches with its date removed, as pricing does). How it was inferred is recorded in
 * `tags_json.provider_inferred` (`resource_path`, `bedrock_id`, `model_prefix`, `price_book`).
 */
import { listValue } from '../../../db/duckdb.js';
import type { Database } from '../../../db/database.js';
import { quoteIdent } from '../../../db/quote.js';
import { loadPriceBook } from '../../../pricebook/index.js';

export const MODEL_PROVIDERS_TABLE = 'costattr_model_providers';

/** `vendor/` prefixes naming a provider under another name than the price book's. */
const PREFIX_PROVIDERS: Readonly<Record<string, string>> = { gemini: 'google', vertex_ai: 'google', 'vertex-ai': 'google', azure: 'azure' };

/** Every model name and alias of the built-in book, lowercase, with its provider. */
export async function createModelProviders(db: Database): Promise<void> {
  const book = await loadPriceBook([]);
  const pairs = new Map<string, string>();
  for (const m of book.models) for (const name of [m.model, ...m.aliases]) pairs.set(name.toLowerCase(), m.provider);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(MODEL_PROVIDERS_TABLE)} (name VARCHAR PRIMARY KEY, provider VARCHAR NOT NULL)`);
  if (pairs.size === 0) return;
  await db.exec(`INSERT INTO ${quoteIdent(MODEL_PROVIDERS_TABLE)} SELECT unnest($names), unnest($providers)`, {
    names: listValue([...pairs.keys()]),
    providers: listValue([...pairs.values()]),
  });
}

const prefixProvider = (vendor: string) =>
  `CASE ${Object.entries(PREFIX_PROVIDERS).map(([from, to]) => `WHEN ${vendor} = '${from}' THEN '${to}'`).join(' ')} ELSE ${vendor} END`;

/**
 * SQL over a relation with a lowercase `model_lc` column, LEFT JOINed to the book as `book_exact`
 * and `book_stripped` (see `bookJoins`): a struct {provider, how}, both NULL when nothing says.
 */
export function inferredProvider(model: string): string {
  const path = `regexp_extract(${model}, 'publishers/([a-z0-9_-]+)/models/', 1)`;
  const bedrock = `regexp_extract(regexp_replace(${model}, '^.*/', ''), '^(?:[a-z]{2,6}\\.)?(anthropic|amazon|meta|mistral|cohere|ai21|deepseek|openai|qwen|writer)\\.', 1)`;
  const vendor = `regexp_extract(${model}, '^([a-z0-9_.-]+)/', 1)`;
  return `CASE
    WHEN ${path} <> '' THEN {'provider': ${path}, 'how': 'resource_path'}
    WHEN ${bedrock} <> '' THEN {'provider': ${bedrock}, 'how': 'bedrock_id'}
    WHEN ${vendor} <> '' AND ${vendor} NOT IN ('models', 'projects') THEN {'provider': ${prefixProvider(vendor)}, 'how': 'model_prefix'}
    WHEN coalesce(book_exact.provider, book_stripped.provider) IS NOT NULL THEN {'provider': coalesce(book_exact.provider, book_stripped.provider), 'how': 'price_book'}
  END`;
}

/** The served name with a path, a dotted region/vendor prefix, a Bedrock version and a trailing date removed (as pricing strips it). */
const stripped = (model: string) => `regexp_replace(regexp_replace(regexp_replace(regexp_replace(
  ${model}, '^.*/', ''), '^([a-z]+\\.)+', ''), '-v\\d+(:\\d+)?$', ''), '([-@]\\d{8}|-\\d{4}-\\d{2}-\\d{2})$', '')`;

/** The joins `inferredProvider` reads, for a relation aliased `o` with `model_lc`. */
export function bookJoins(): string {
  return `LEFT JOIN ${quoteIdent(MODEL_PROVIDERS_TABLE)} book_exact ON book_exact.name = o.model_lc
    LEFT JOIN ${quoteIdent(MODEL_PROVIDERS_TABLE)} book_stripped ON book_stripped.name = ${stripped('o.model_lc')}`;
}
