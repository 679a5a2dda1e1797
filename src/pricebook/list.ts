/**
 * The book as `pricing list` shows it: rows filtered by provider and by the date they apply on,
 * grouped per model with its aliases. Rates stay the exact per-MTok strings of the files.
 */
import { CostattrError } from '../errors.js';
import type { PriceBook, PriceRow, ServiceTier, RatesPerMtok } from './book.js';

export interface PriceListSpec {
  provider?: string | undefined;
  /** ISO date: only rows in effect on it. */
  asOf?: string | undefined;
}

export interface ListedPrice {
  tier: ServiceTier;
  min_input_tokens: number;
  effective_from: string;
  effective_to: string | null;
  per_mtok: RatesPerMtok;
}

export interface ListedModel {
  provider: string;
  model: string;
  aliases: string[];
  prices: ListedPrice[];
}

export interface PriceList {
  as_of: string | null;
  models: ListedModel[];
}

const TIER_ORDER: Record<ServiceTier, number> = { standard: 0, batch: 1, flex: 2, priority: 3 };

export function listPrices(book: PriceBook, spec: PriceListSpec): PriceList {
  const asOf = spec.asOf;
  if (asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf)))) {
    throw new CostattrError('BAD_USAGE', `--as-of ${asOf}: expected a date YYYY-MM-DD`);
  }
  const providers = [...new Set(book.models.map((m) => m.provider))].sort();
  if (spec.provider !== undefined && !providers.includes(spec.provider)) {
    throw new CostattrError('BAD_USAGE', `--provider ${spec.provider}: the price book has ${providers.join(', ')}`);
  }
  const inEffect = (row: PriceRow) =>
    asOf === undefined || (row.effectiveFrom <= asOf && (row.effectiveTo === null || asOf < row.effectiveTo));
  const models = book.models
    .filter((m) => spec.provider === undefined || m.provider === spec.provider)
    .map((m) => ({
      provider: m.provider,
      model: m.model,
      aliases: m.aliases,
      prices: book.rows
        .filter((row) => row.model === m.model && inEffect(row))
        .sort((a, b) => TIER_ORDER[a.tier] - TIER_ORDER[b.tier] || a.minInputTokens - b.minInputTokens || a.effectiveFrom.localeCompare(b.effectiveFrom))
        .map((row) => ({ tier: row.tier, min_input_tokens: row.minInputTokens, effective_from: row.effectiveFrom, effective_to: row.effectiveTo, per_mtok: row.perMtok })),
    }))
    .filter((m) => m.prices.length > 0)
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  return { as_of: asOf ?? null, models };
}
