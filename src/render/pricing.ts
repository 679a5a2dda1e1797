/**
 * Table models for `pricing list` (the book, per-MTok rates exactly as written) and `pricing check`
 * (unpriced models with span and token counts), plus the check's notes.
 */
import type { PricingCheckResult } from '../analysis/pricing-check.js';
import type { PriceList } from '../pricebook/index.js';
import type { Column, TableModel } from './model.js';

const RATE_COLUMNS: Column[] = [
  { key: 'input', header: 'input $/MTok', kind: 'text' },
  { key: 'cache_read', header: 'cache read', kind: 'text' },
  { key: 'cache_write_5m', header: 'cache write 5m', kind: 'text' },
  { key: 'cache_write_1h', header: 'cache write 1h', kind: 'text' },
  { key: 'output', header: 'output', kind: 'text' },
];

export function priceListTable(list: PriceList): TableModel {
  return {
    title: list.as_of === null ? 'Price book (USD per million tokens)' : `Price book in effect on ${list.as_of} (USD per million tokens)`,
    columns: [
      { key: 'provider', header: 'provider', kind: 'text', dropRank: 4 },
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'tier', header: 'tier', kind: 'text' },
      { key: 'min_input_tokens', header: 'input ≥', kind: 'int' },
      { key: 'effective_from', header: 'from', kind: 'text' },
      { key: 'effective_to', header: 'until', kind: 'text' },
      ...RATE_COLUMNS,
    ],
    rows: list.models.flatMap((m) =>
      m.prices.map((p) => ({
        provider: m.provider,
        model: m.model,
        tier: p.tier,
        min_input_tokens: p.min_input_tokens,
        effective_from: p.effective_from,
        effective_to: p.effective_to,
        ...p.per_mtok,
      }))),
    notes: [],
  };
}

export function pricingCheckTable(result: PricingCheckResult): TableModel {
  return {
    title: 'Models the price book cannot price',
    columns: [
      { key: 'model', header: 'model', kind: 'text' },
      { key: 'provider', header: 'provider', kind: 'text', dropRank: 4 },
      { key: 'reason', header: 'reason', kind: 'text' },
      { key: 'spans', header: 'spans', kind: 'int' },
      { key: 'input_tokens', header: 'input', kind: 'int', dropRank: 5 },
      { key: 'cache_read_tokens', header: 'cache read', kind: 'int', dropRank: 3 },
      { key: 'cache_write_5m_tokens', header: 'cache write 5m', kind: 'int', dropRank: 2 },
      { key: 'cache_write_1h_tokens', header: 'cache write 1h', kind: 'int', dropRank: 1 },
      { key: 'output_tokens', header: 'output', kind: 'int', dropRank: 6 },
      { key: 'token_share', header: 'share of tokens', kind: 'rate' },
    ],
    rows: result.unpriced.map((u) => ({ ...u })),
    notes: pricingCheckNotes(result),
  };
}

export function pricingCheckNotes(result: PricingCheckResult): string[] {
  if (result.unpriced_spans === 0) return [`All ${result.spans} inference spans are priced.`];
  const unpricedShare = ((1 - result.priced_share) * 100).toFixed(1);
  return [
    `${result.unpriced_spans} of ${result.spans} inference spans (${unpricedShare}% of tokens) cannot be priced: cost totals are a lower bound.`,
    'Add the missing prices with --pricing FILE (see "Price book" in the README).',
  ];
}
