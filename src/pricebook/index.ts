/** The price book: load (built-in + overrides), install into a database for pricing spans. */
export { loadPriceBook, mergePriceBook, BUILT_IN_PRICING_DIR } from './load.js';
export { installPriceBook, materialisePricedSpans, priceBandsSelect, pricedSpansSelect } from './install.js';
export { parsePriceBookFile, priceBookHash, SERVICE_TIERS } from './book.js';
export type { PriceBook, PriceRow, ModelEntry, RatesPerMtok, ServiceTier } from './book.js';
export { perMtokToPerToken } from './decimal.js';
export { listPrices } from './list.js';
export type { PriceList, PriceListSpec, ListedModel, ListedPrice } from './list.js';
