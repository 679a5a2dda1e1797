/**
 * Installing the price book into a database for one run: TEMP tables `prices`, `model_aliases` and
 * `price_book_state` (the book's hash) and the TEMP view `priced_spans` (docs/data-model.md). All pricing is set-based SQL: model
 * resolution, effective dating, service tier and long-context band are joins, not per-span JS.
 */
import { listValue } from '../db/duckdb.js';
import type { Database } from '../db/database.js';
import { EXACT_USD, FEMTO_USD } from '../db/money.js';
import { TOKEN_CLASSES } from '../db/schema.js';
import { priceBookHash, type PriceBook } from './book.js';
import { perMtokToPerToken } from './decimal.js';

const MAX_BIGINT = '9223372036854775807';

export async function installPriceBook(db: Database, book: PriceBook): Promise<void> {
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE prices (
      provider         VARCHAR NOT NULL,
      model            VARCHAR NOT NULL,
      tier             VARCHAR NOT NULL,
      min_input_tokens BIGINT NOT NULL,
      effective_from   DATE NOT NULL,
      effective_to     DATE,
      ${TOKEN_CLASSES.map((cls) => `${cls} ${EXACT_USD} NOT NULL`).join(',\n      ')}
    );
    CREATE OR REPLACE TEMP TABLE model_aliases (
      alias VARCHAR PRIMARY KEY,
      model VARCHAR NOT NULL
    );
  `);
  await insertPrices(db, book);
  await insertAliases(db, book);
  await db.exec(PRICED_SPANS_VIEW);
  // which book priced this run's figures: a stored cost roll-up is used only when it was priced by the same one
  await db.exec('CREATE OR REPLACE TEMP TABLE price_book_state AS SELECT $hash::VARCHAR AS book_hash', { hash: priceBookHash(book) });
}

/** One INSERT … SELECT unnest(list, …) per table: the lists are bound parameters, zipped by unnest. */
async function insertPrices(db: Database, book: PriceBook): Promise<void> {
  if (book.rows.length === 0) return;
  const column = (pick: (row: PriceBook['rows'][number]) => string) => listValue(book.rows.map(pick));
  const rates = Object.fromEntries(TOKEN_CLASSES.map((cls) => [cls, column((row) => perMtokToPerToken(row.perMtok[cls]))]));
  await db.exec(
    `INSERT INTO prices
     SELECT unnest($provider), unnest($model), unnest($tier), CAST(unnest($min_input_tokens) AS BIGINT),
            CAST(unnest($effective_from) AS DATE), CAST(NULLIF(unnest($effective_to), '') AS DATE),
            ${TOKEN_CLASSES.map((cls) => `CAST(unnest($${cls}) AS ${EXACT_USD})`).join(', ')}`,
    {
      provider: column((row) => row.provider),
      model: column((row) => row.model),
      tier: column((row) => row.tier),
      min_input_tokens: column((row) => String(row.minInputTokens)),
      effective_from: column((row) => row.effectiveFrom),
      effective_to: column((row) => row.effectiveTo ?? ''),
      ...rates,
    },
  );
}

async function insertAliases(db: Database, book: PriceBook): Promise<void> {
  const pairs = book.models.flatMap((m) => [m.model, ...m.aliases].map((alias) => [alias, m.model] as const));
  const unique = [...new Map(pairs).entries()];
  if (unique.length === 0) return;
  await db.exec(`INSERT INTO model_aliases SELECT unnest($alias), unnest($model)`, {
    alias: listValue(unique.map(([alias]) => alias)),
    model: listValue(unique.map(([, model]) => model)),
  });
}

/**
 * The served model's lookup name with provider prefixes (`anthropic/`, `models/`, Bedrock's
 * `us.anthropic.`), a Bedrock version (`-v1:0`) and a trailing date (`-20250929`, `@20250929`,
 * `-2025-04-14`) removed; used when the exact lowercase name is not an alias.
 */
const STRIPPED_MODEL = `regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      lower(k.served_key), '^.*/', ''), '^([a-z]+\\.)+', ''), '-v\\d+(:\\d+)?$', ''), '([-@]\\d{8}|-\\d{4}-\\d{2}-\\d{2})$', '')`;

/** Join keys that are never NULL: a span without a model or a start time still gets its row. */
const MODEL_KEY = `coalesce(s.response_model, s.request_model, '')`;
const DATE_KEY = `coalesce(CAST(s.start_time AS DATE), DATE '0001-01-01')`;
/** A span's input tokens of every class, as `priced_spans.total_input_tokens` (`prefix`: the spans' alias and a dot). */
export function totalInputSql(prefix = ''): string {
  return `(${prefix}input_tokens + ${prefix}cache_read_tokens + ${prefix}cache_write_5m_tokens + ${prefix}cache_write_1h_tokens)`;
}

const TOTAL_INPUT = totalInputSql('s.');

/** The spans `priced_spans` prices (its rows, without the prices): for reads that need no money. */
export const INFERENCE_SPANS = '(SELECT * FROM spans WHERE is_inference)';

/** A rate as an exact integer count of 10⁻¹⁵ USD (the scale of DECIMAL(38,15)); NULL when it would not fit a BIGINT. */
const femto = (rate: string): string => `CASE WHEN ${rate} < 9000 THEN CAST(${rate} * 1000000000000000 AS BIGINT) END`;
const ALL_TOKENS = `(${TOKEN_CLASSES.map((cls) => `s.${cls}_tokens`).join(' + ')})`;

/**
 * Money per span, exact either way. DECIMAL(38,15) products are 128-bit and cost ~10× a BIGINT
 * product, so while the tokens are at most the band's `femto_limit` (then no BIGINT product or sum
 * can overflow) the cost is summed in whole 10⁻¹⁵ USD as BIGINT and scaled once; beyond it, and
 * for rates too large for a BIGINT (limit −1), the DECIMAL products are used. 0 when unpriced.
 */
function costSql(classes: readonly string[], tokens: string): string {
  const fast = classes.map((cls) => `s.${cls}_tokens * b.femto_${cls}`).join(' + ');
  const exact = classes.map((cls) => `s.${cls}_tokens * b.${cls}`).join(' + ');
  return `CASE WHEN b.input IS NULL THEN CAST(0 AS ${EXACT_USD})
            WHEN ${tokens} <= b.femto_limit THEN CAST(CAST(${fast} AS DECIMAL(18,0)) * ${FEMTO_USD} AS ${EXACT_USD})
            ELSE CAST(${exact} AS ${EXACT_USD}) END`;
}

/**
 * Pricing is decided once per (served model, day, service tier) present in the data (a small set),
 * as input-size bands [band_from, band_to) that cover every total input from 0: the rows in effect
 * that day, plus a rate-less band below the lowest threshold (or for the whole range when nothing
 * prices the key), with each rate also as a BIGINT of 10⁻¹⁵ USD (see `costSql`). The keys are
 * gathered into one list and unnested again so that the planner sees a tiny relation and builds
 * the span join's hash table on the bands, never on the spans.
 */
export const priceBandsSelect = (source: string): string => `
WITH price_keys AS (
  SELECT k.served_key, k.price_date, k.service_tier, coalesce(exact.model, stripped.model) AS canonical_model
  FROM (SELECT unnest(list(d), recursive := true) FROM (SELECT DISTINCT ${MODEL_KEY} AS served_key, ${DATE_KEY} AS price_date, s.service_tier FROM ${source} s WHERE s.is_inference) d) k
  LEFT JOIN model_aliases exact ON exact.alias = lower(k.served_key)
  LEFT JOIN model_aliases stripped ON stripped.alias = ${STRIPPED_MODEL}
),
in_effect AS (
  SELECT k.served_key, k.price_date, k.service_tier, p.tier, p.min_input_tokens,
         ${TOKEN_CLASSES.map((cls) => `p.${cls}`).join(', ')}
  FROM price_keys k
  JOIN prices p ON p.model = k.canonical_model AND k.price_date >= p.effective_from
               AND (p.effective_to IS NULL OR k.price_date < p.effective_to)
),
key_facts AS (
  SELECT k.*,
         (SELECT count(*) FROM in_effect e WHERE e.served_key = k.served_key AND e.price_date = k.price_date) > 0 AS has_prices,
         (SELECT min(e.min_input_tokens) FROM in_effect e WHERE e.served_key = k.served_key AND e.price_date = k.price_date
            AND e.tier = k.service_tier) AS lowest_threshold
  FROM price_keys k
),
bands AS (
  SELECT f.served_key, f.price_date, f.service_tier, f.canonical_model, f.has_prices,
         e.min_input_tokens AS band_from,
         coalesce(lead(e.min_input_tokens) OVER (PARTITION BY f.served_key, f.price_date, f.service_tier ORDER BY e.min_input_tokens),
                  ${MAX_BIGINT}) AS band_to,
         ${TOKEN_CLASSES.map((cls) => `e.${cls}`).join(', ')}
  FROM key_facts f
  JOIN in_effect e ON e.served_key = f.served_key AND e.price_date = f.price_date AND e.tier = f.service_tier
  UNION ALL
  SELECT served_key, price_date, service_tier, canonical_model, has_prices,
         0, coalesce(lowest_threshold, ${MAX_BIGINT}),
         ${TOKEN_CLASSES.map((cls) => `CAST(NULL AS ${EXACT_USD}) AS ${cls}`).join(', ')}
  FROM key_facts
  WHERE coalesce(lowest_threshold, 1) > 0
),
femto_rates AS (
  SELECT *, ${TOKEN_CLASSES.map((cls) => `${femto(cls)} AS femto_${cls}`).join(', ')}
  FROM bands
)
SELECT *,
       CASE WHEN ${TOKEN_CLASSES.map((cls) => `femto_${cls} IS NULL`).join(' OR ')} THEN -1
            WHEN greatest(${TOKEN_CLASSES.map((cls) => `femto_${cls}`).join(', ')}) = 0 THEN ${MAX_BIGINT}
            ELSE ${MAX_BIGINT} // greatest(${TOKEN_CLASSES.map((cls) => `femto_${cls}`).join(', ')}) END AS femto_limit
FROM femto_rates`;

/**
 * The priced rows of `source`: `spans` or any relation with its columns (what-if repricing passes
 * spans with a swapped model, another price date or tier; extra columns pass through). Rates come
 * as DECIMAL (`rate_<class>`) and as BIGINT 10⁻¹⁵ USD (`femto_rate_<class>`, with the span's
 * `femto_limit`, see `costSql`) for analyses that price parts of a span (the layer split). Each span
 * matches exactly one band in a single equality + range hash join. `bands` is the band relation
 * (by default derived from `source` on every query); it is a subquery rather than a CTE of this
 * SELECT so that DuckDB still prunes the span columns a query does not read.
 */
export const pricedSpansSelect = (source: string, bands = `(${priceBandsSelect(source)})`): string => `
SELECT s.*,
       ${TOTAL_INPUT} AS total_input_tokens,
       CASE WHEN b.input IS NOT NULL THEN b.canonical_model ELSE coalesce(s.response_model, s.request_model) END AS model,
       coalesce(b.input IS NOT NULL AND b.band_from > 0, false) AS long_context,
       coalesce(b.input IS NOT NULL, false) AS priced,
       CASE WHEN b.input IS NOT NULL THEN NULL
            WHEN b.canonical_model IS NULL THEN 'unknown_model'
            WHEN NOT b.has_prices THEN 'no_price_on_date'
            ELSE 'no_' || s.service_tier || '_rate' END AS unpriced_reason,
       ${TOKEN_CLASSES.map((cls) => `b.${cls} AS rate_${cls}`).join(', ')},
       ${TOKEN_CLASSES.map((cls) => `b.femto_${cls} AS femto_rate_${cls}`).join(', ')}, coalesce(b.femto_limit, -1) AS femto_limit,
       ${TOKEN_CLASSES.map((cls) => `${costSql([cls], `s.${cls}_tokens`)} AS cost_${cls}`).join(',\n       ')},
       ${costSql(TOKEN_CLASSES, ALL_TOKENS)} AS cost_usd
FROM ${source} s
LEFT JOIN ${bands} b
  ON b.served_key = ${MODEL_KEY} AND b.price_date = ${DATE_KEY} AND b.service_tier = s.service_tier
                 AND ${TOTAL_INPUT} >= b.band_from AND ${TOTAL_INPUT} < b.band_to
WHERE s.is_inference
`;

const PRICED_SPANS_VIEW = `CREATE OR REPLACE TEMP VIEW priced_spans AS ${pricedSpansSelect('spans')}`;

/**
 * Freeze the pricing decisions for the spans stored now into the TEMP table `price_bands` and point
 * `priced_spans` at it, so later queries skip the pass that finds the (model, day, tier) keys.
 * Call after the last write to `spans`; spans written later would be priced as unknown models.
 * `stored`: a stored table of the same bands for every stored span, priced with the installed book
 * (ingest keeps one beside the cost roll-ups), used instead of deriving them again.
 */
export async function materialisePricedSpans(db: Database, stored?: string): Promise<void> {
  if (stored === undefined) await db.exec(`CREATE OR REPLACE TEMP TABLE price_bands AS ${priceBandsSelect('spans')}`);
  await db.exec(`CREATE OR REPLACE TEMP VIEW priced_spans AS ${pricedSpansSelect('spans', stored ?? 'price_bands')}`);
}
