/**
 * FinOps FOCUS 1.x cost-and-usage CSV (reference/invoice-formats.md §4). FOCUS has no token
 * columns: tokens are `ConsumedQuantity` in a token `ConsumedUnit` (`Tokens`, `1000 Tokens`,
 * `1M Tokens`), the model and the token type live in `x_` custom columns or the SKU/charge text.
 * The AI properties of FOCUS live in the JSON column `SkuPriceDetails` (FOCUS_Spec PR #2442:
 * `ModelId`, `ModelDeveloper`, …; PR #2682: `TokenDirection` Input|Output, `CacheAction`
 * Uncached|Read|Write); one model is billed as 2–4 SKUs (one per direction and cache action), so
 * `SkuId` names a model only when nothing better exists.
 * Rule (documented in docs/data-model.md): amount = BilledCost (invoice basis), list = ListCost;
 * model = SkuPriceDetails.ModelId | x_Model | x_ModelId | x_ModelName | SkuId; token class from
 * SkuPriceDetails (CacheAction, TokenDirection, TokenType), else x_TokenType | SkuMeter |
 * ChargeDescription text; only `Usage` charges are token lines, others are class `other`.
 */
import { quoteLiteral } from '../../db/quote.js';
import type { Fields, InvoiceAdapter } from './adapter.js';

/** Token class from free text such as `Cached Input Tokens`, `cache-write-1h`, `Output`. */
export function tokenClassFromText(text: string): string {
  const t = `lower(coalesce(${text}, ''))`;
  return `CASE
    WHEN regexp_matches(${t}, 'cache[ _.-]?(read|hit)|cached') THEN 'cache_read'
    WHEN regexp_matches(${t}, 'cache[ _.-]?(write|creation)') AND regexp_matches(${t}, '1 ?h') THEN 'cache_write_1h'
    WHEN regexp_matches(${t}, 'cache[ _.-]?(write|creation)') THEN 'cache_write_5m'
    WHEN regexp_matches(${t}, 'output|completion|generated') THEN 'output'
    WHEN regexp_matches(${t}, 'input|prompt') THEN 'input'
    ELSE 'other' END`;
}

/** Known publishers → the provider names spans and the price book use. */
export function providerFromName(name: string): string {
  const n = `lower(${name})`;
  return `CASE WHEN ${n} LIKE '%anthropic%' THEN 'anthropic' WHEN ${n} LIKE '%openai%' THEN 'openai'
               WHEN ${n} LIKE '%google%' OR ${n} LIKE '%gemini%' THEN 'google' ELSE ${n} END`;
}

/** A property of the row's `SkuPriceDetails` (JSON text; NULL when absent or not JSON). */
function priceDetail(f: Fields, ...keys: string[]): string {
  const details = `TRY_CAST(${f.col('SkuPriceDetails')} AS JSON)`;
  return `coalesce(${keys.map((k) => `NULLIF(trim(json_extract_string(${details}, ${quoteLiteral(`$."${k}"`)})), '')`).join(', ')})`;
}

/** The token class the SKU price details state, NULL when they state none. */
function detailsTokenClass(f: Fields): string {
  const cache = `lower(${priceDetail(f, 'CacheAction', 'TokenCacheAction')})`;
  const direction = `lower(${priceDetail(f, 'TokenDirection')})`;
  const ttl = `lower(concat_ws(' ', ${priceDetail(f, 'CacheDuration', 'CacheTtl', 'x_CacheTtl')}, ${f.col('SkuMeter')}))`;
  const typed = priceDetail(f, 'TokenType', 'x_TokenType');
  return `CASE
    WHEN ${cache} = 'read' THEN 'cache_read'
    WHEN ${cache} = 'write' AND regexp_matches(${ttl}, '1 ?h|60 ?m') THEN 'cache_write_1h'
    WHEN ${cache} = 'write' THEN 'cache_write_5m'
    WHEN ${direction} = 'output' THEN 'output'
    WHEN ${direction} = 'input' THEN 'input'
    WHEN ${typed} IS NOT NULL THEN nullif(${tokenClassFromText(typed)}, 'other')
  END`;
}

export const focusCsv: InvoiceAdapter = {
  format: 'focus-csv',
  kind: 'cost',
  reader: 'csv',
  provider: undefined,
  detect: (f: Fields) => f.has('BilledCost', 'ChargePeriodStart'),
  lines: (f: Fields, ctx) => {
    const unit = `lower(${f.col('ConsumedUnit')})`;
    const isTokens = `(${unit} LIKE '%token%')`;
    const usage = `coalesce(lower(${f.col('ChargeCategory')}), 'usage') = 'usage'`;
    const publisher = f.col('ServiceProviderName', 'ProviderName', 'PublisherName', 'InvoiceIssuerName');
    return {
      provider: ctx.provider !== undefined ? quoteLiteral(ctx.provider) : providerFromName(publisher),
      day: { sql: f.col('ChargePeriodStart'), field: f.find('ChargePeriodStart') ?? 'ChargePeriodStart' },
      model: `coalesce(${priceDetail(f, 'ModelId')}, ${f.col('x_Model', 'x_ModelId', 'x_ModelName', 'SkuId')})`,
      tokenClass: `CASE WHEN ${usage} AND ${isTokens} THEN coalesce(${detailsTokenClass(f)},
        ${tokenClassFromText(`concat_ws(' ', ${f.col('x_TokenType')}, ${f.col('SkuMeter')}, ${f.col('ChargeDescription')})`)}) ELSE 'other' END`,
      quantity: {
        sql: `CASE WHEN ${isTokens} THEN ${f.col('ConsumedQuantity')} END`,
        field: f.find('ConsumedQuantity') ?? 'ConsumedQuantity',
        scale: `CASE WHEN regexp_matches(${unit}, '^(1,?000,?000|1m|million)') THEN 1000000 WHEN regexp_matches(${unit}, '^(1,?000|1k|thousand)') THEN 1000 ELSE 1 END`,
      },
      amount: { sql: f.col('BilledCost'), field: f.find('BilledCost') ?? 'BilledCost' },
      listAmount: { sql: f.col('ListCost'), field: f.find('ListCost') ?? 'ListCost' },
      tier: `CASE WHEN regexp_matches(lower(concat_ws(' ', ${f.col('SkuMeter')}, ${f.col('ChargeDescription')}, ${f.col('PricingCategory')})), 'batch') THEN 'batch' ELSE 'standard' END`,
      longContext: `regexp_matches(lower(concat_ws(' ', ${f.col('SkuMeter')}, ${f.col('ChargeDescription')})), 'long')`,
      workspace: f.col('SubAccountName', 'SubAccountId'),
      project: f.col('ResourceName', 'ResourceId'),
      description: `CASE WHEN NOT (${usage} AND ${isTokens}) THEN ${f.col('ChargeDescription', 'SkuMeter')} END`,
      currency: { sql: f.col('BillingCurrency'), field: f.find('BillingCurrency') ?? 'BillingCurrency' },
      problem: {
        sql: `CASE WHEN ${publisher} IS NULL AND ${ctx.provider === undefined} THEN 'no provider: give --provider' END`,
        field: f.find('ProviderName') ?? 'ProviderName',
      },
    };
  },
};
