/**
 * FinOps FOCUS 1.x cost-and-usage CSV (reference/invoice-formats.md §4). FOCUS has no token
 * columns: tokens are `ConsumedQuantity` in a token `ConsumedUnit` (`Tokens`, `1000 Tokens`,
 * `1M Tokens`), the model and the token type live in `x_` custom columns or the SKU/charge text.
 * Rule (documented in docs/data-model.md): amount = BilledCost (invoice basis), list = ListCost;
 * model = x_Model | x_ModelId | x_ModelName | SkuId; token class from x_TokenType | SkuMeter |
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
      model: f.col('x_Model', 'x_ModelId', 'x_ModelName', 'SkuId'),
      tokenClass: `CASE WHEN ${usage} AND ${isTokens} THEN ${tokenClassFromText(`concat_ws(' ', ${f.col('x_TokenType')}, ${f.col('SkuMeter')}, ${f.col('ChargeDescription')})`)} ELSE 'other' END`,
      quantity: {
        sql: `CASE WHEN ${isTokens} THEN ${f.col('ConsumedQuantity')} END`,
        field: f.find('ConsumedQuantity') ?? 'ConsumedQuantity',
        scale: `CASE WHEN regexp_matches(${unit}, '^(1,?000|1k|thousand)') THEN 1000 WHEN regexp_matches(${unit}, '^(1,?000,?000|1m|million)') THEN 1000000 ELSE 1 END`,
      },
      amount: { sql: f.col('BilledCost'), field: f.find('BilledCost') ?? 'BilledCost' },
      listAmount: { sql: f.col('ListCost'), field: f.find('ListCost') ?? 'ListCost' },
      tier: `CASE WHEN regexp_matches(lower(concat_ws(' ', ${f.col('SkuMeter')}, ${f.col('ChargeDescription')}, ${f.col('PricingCategory')})), 'batch') THEN 'batch' ELSE 'standard' END`,
      longContext: `regexp_matches(lower(concat_ws(' ', ${f.col('SkuMeter')}, ${f.col('ChargeDescription')})), 'long')`,
      workspace: f.col('SubAccountName', 'SubAccountId'),
      project: f.col('ResourceName', 'ResourceId'),
      description: `CASE WHEN NOT (${usage} AND ${isTokens}) THEN ${f.col('ChargeDescription', 'SkuMeter')} END`,
      problem: {
        sql: `CASE WHEN upper(coalesce(${f.col('BillingCurrency')}, 'USD')) <> 'USD' THEN 'currency ' || ${f.col('BillingCurrency')} || ' is not USD'
                   WHEN ${publisher} IS NULL AND ${ctx.provider === undefined} THEN 'no provider: give --provider' END`,
        field: f.find('BillingCurrency') ?? 'ProviderName',
      },
    };
  },
};
