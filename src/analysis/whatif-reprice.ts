/**
 * Repricing the same tokens under a change, set-based: the priced spans of a base relation are
 * rewritten (served model swapped, price date moved, a share of a route's calls moved to the batch
 * tier, uncached input moved into cache reads) and priced again through the price book's own
 * selection logic (`pricedSpansSelect`), so effective dates, tiers and long-context bands apply
 * exactly as they do to real spans. Used by `whatif` and by `guard` (cheaper-model fallback).
 *
 * A batch share s splits a span into two weighted variants: s of it at the batch tier, 1 − s at its
 * own tier (an expected value, not a sample). A cache-hit target r moves
 * min(input, max(0, ⌊r × total input⌋ − cache_read)) tokens from uncached input to cache reads per
 * span (the cache writes that would have made them are not added: an upper bound on the saving).
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { listValue } from '../db/duckdb.js';
import { SPAN_COLUMN_NAMES } from '../db/schema.js';
import { pricedSpansSelect } from '../pricebook/index.js';

export interface ModelSwap {
  /** Only this tenant's spans; null = every span. */
  tenant: string | null;
  /** Model as the user names it (canonical id or any alias). */
  from: string;
  to: string;
}

export interface RouteShare {
  route: string;
  /** Fraction in [0, 1]. */
  share: number;
}

export interface RepriceChanges {
  swaps: readonly ModelSwap[];
  /** Price every span at the rates effective on this ISO date. */
  asOf?: string | undefined;
  batchShare: readonly RouteShare[];
  cacheHit: readonly RouteShare[];
}

export interface Relation {
  sql: string;
  params: Record<string, DuckDBValue>;
}

/**
 * Columns of the repriced relation: `trace_id, span_id, tenant, route, local_time, base_model,
 * base_cost_usd, base_priced, weight, to_model` (NULL when not swapped), and the repriced `model,
 * priced, unpriced_reason, cost_usd`. `base` must select from `priced_spans` and add `local_time`.
 */
export function repricedSpans(base: Relation, changes: RepriceChanges): Relation {
  const params: Record<string, DuckDBValue> = { ...base.params };
  const swapMap = valuesTable(params, 'swap', { tenant: 'VARCHAR', from_model: 'VARCHAR', to_model: 'VARCHAR' },
    changes.swaps.map((s) => [s.tenant, s.from, s.to]));
  const batch = valuesTable(params, 'batch', { route: 'VARCHAR', share: 'DECIMAL(18,6)' },
    changes.batchShare.map((b) => [b.route, b.share.toFixed(6)]));
  const cache = valuesTable(params, 'cache', { route: 'VARCHAR', rate: 'DECIMAL(18,6)' },
    changes.cacheHit.map((c) => [c.route, c.share.toFixed(6)]));
  if (changes.asOf !== undefined) params.as_of = changes.asOf;
  const replaced: Record<string, string> = {
    response_model: 'CASE WHEN to_model IS NOT NULL THEN to_model ELSE response_model END',
    service_tier: `CASE WHEN as_batch THEN 'batch' ELSE service_tier END`,
    input_tokens: 'input_tokens - moved',
    cache_read_tokens: 'cache_read_tokens + moved',
    ...(changes.asOf !== undefined ? { start_time: 'CAST($as_of AS TIMESTAMP)' } : {}),
  };
  const projection = SPAN_COLUMN_NAMES.map((c) => (replaced[c] ? `${replaced[c]} AS ${c}` : c)).join(', ');
  const sql = `
WITH base AS (${base.sql}),
swap_map AS (${swapMap}),
swaps AS (
  SELECT m.tenant, coalesce(exact.model, m.from_model) AS from_model, m.to_model
  FROM swap_map m LEFT JOIN model_aliases exact ON exact.alias = lower(m.from_model)
),
batch_share AS (${batch}),
cache_hit AS (${cache}),
variants AS (
  SELECT b.*, sw.to_model, v.as_batch,
         CASE WHEN v.as_batch THEN bs.share ELSE 1 - coalesce(bs.share, 0) END AS weight,
         coalesce(least(b.input_tokens, greatest(0, CAST(floor(ch.rate * b.total_input_tokens) AS BIGINT) - b.cache_read_tokens)), 0) AS moved
  FROM base b
  LEFT JOIN swaps sw ON sw.from_model = b.model AND (sw.tenant IS NULL OR sw.tenant = b.tenant)
  LEFT JOIN batch_share bs ON bs.route = b.route
  LEFT JOIN cache_hit ch ON ch.route = b.route
  CROSS JOIN (VALUES (false), (true)) v(as_batch)
  WHERE (v.as_batch AND coalesce(bs.share, 0) > 0) OR (NOT v.as_batch AND coalesce(bs.share, 0) < 1)
),
src AS (
  SELECT ${projection}, local_time, model AS base_model, cost_usd AS base_cost_usd, priced AS base_priced, weight, to_model
  FROM variants
)
SELECT r.trace_id, r.span_id, r.tenant, r.route, r.local_time, r.base_model, r.base_cost_usd, r.base_priced, r.weight, r.to_model,
       r.model, r.priced, r.unpriced_reason, r.cost_usd
FROM (${pricedSpansSelect('src')}) r`;
  return { sql, params };
}

/**
 * A small typed relation from bound list parameters (an empty one when there are no rows). NULL travels
 * as '' because a bound list takes its type from its first item.
 */
function valuesTable(params: Record<string, DuckDBValue>, prefix: string, columns: Record<string, string>, rows: ReadonlyArray<ReadonlyArray<string | null>>): string {
  const names = Object.keys(columns);
  if (rows.length === 0) {
    return `SELECT ${names.map((n) => `CAST(NULL AS ${columns[n]}) AS ${n}`).join(', ')} WHERE false`;
  }
  names.forEach((name, i) => {
    params[`${prefix}_${name}`] = listValue(rows.map((row) => row[i] ?? ''));
  });
  return `SELECT ${names.map((n) => `CAST(NULLIF(unnest($${prefix}_${n}), '') AS ${columns[n]}) AS ${n}`).join(', ')}`;
}
