/**
 * `pricing check`: which models in the data the price book cannot price, and why (unknown model,
 * no price on the span's date, no rate for its service tier), with span and token counts per
 * class and their share of all tokens in the period.
 */
import type { Database } from '../db/database.js';
import { num } from '../db/values.js';
import { baseRelation, type SpanFilter } from './span-filter.js';

export interface PricingCheckSpec {
  filter: SpanFilter;
}

export interface UnpricedModelUsage {
  /** The served model as the spans name it. */
  model: string;
  provider: string | null;
  /** `unknown_model`, `no_price_on_date` or `no_<tier>_rate`. */
  reason: string;
  spans: number;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  tokens: number;
  /** Share of all inference tokens in the period. */
  token_share: number;
}

export interface PricingCheckResult {
  spans: number;
  unpriced_spans: number;
  tokens: number;
  unpriced_tokens: number;
  /** Priced tokens / all tokens (1 when there are none). */
  priced_share: number;
  unpriced: UnpricedModelUsage[];
}

const ALL_TOKENS = '(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens)';
const CLASS_SUMS = ['input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens', 'cache_write_1h_tokens', 'output_tokens']
  .map((col) => `sum(${col})::BIGINT AS ${col}`).join(', ');

export async function checkPricing(db: Database, spec: PricingCheckSpec): Promise<PricingCheckResult> {
  const base = baseRelation(spec.filter);
  const totals = await db.one(
    `WITH base AS (${base.sql})
     SELECT count(*) AS spans, count(*) FILTER (WHERE NOT priced) AS unpriced_spans,
            coalesce(sum(${ALL_TOKENS}), 0)::BIGINT AS tokens,
            coalesce(sum(${ALL_TOKENS}) FILTER (WHERE NOT priced), 0)::BIGINT AS unpriced_tokens
     FROM base`,
    base.params,
  );
  const rows = await db.all(
    `WITH base AS (${base.sql})
     SELECT coalesce(model, '(none)') AS model, provider, unpriced_reason AS reason, count(*) AS spans,
            ${CLASS_SUMS}, sum(${ALL_TOKENS})::BIGINT AS tokens
     FROM base WHERE NOT priced
     GROUP BY ALL
     ORDER BY tokens DESC, spans DESC, model, provider NULLS LAST, reason`,
    base.params,
  );
  const tokens = num(totals?.tokens);
  const unpricedTokens = num(totals?.unpriced_tokens);
  return {
    spans: num(totals?.spans),
    unpriced_spans: num(totals?.unpriced_spans),
    tokens,
    unpriced_tokens: unpricedTokens,
    priced_share: tokens > 0 ? round6((tokens - unpricedTokens) / tokens) : 1,
    unpriced: rows.map((row) => ({
      model: String(row.model),
      provider: row.provider === null ? null : String(row.provider),
      reason: String(row.reason),
      spans: num(row.spans),
      input_tokens: num(row.input_tokens),
      cache_read_tokens: num(row.cache_read_tokens),
      cache_write_5m_tokens: num(row.cache_write_5m_tokens),
      cache_write_1h_tokens: num(row.cache_write_1h_tokens),
      output_tokens: num(row.output_tokens),
      tokens: num(row.tokens),
      token_share: tokens > 0 ? round6(num(row.tokens) / tokens) : 0,
    })),
  };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
