/**
 * `whatif`: the period's spend repriced under a change (model swap, price book as of a date, batch
 * share, cache-hit target), with the delta by tenant and route, per tenant, in total, and for each
 * model swap the per-request cost ratio the price book gives (the "Opus → Sonnet cuts 4–5×" rule
 * of thumb, read from the book's rates). A span the change leaves unpriceable (e.g. no batch rate)
 * keeps its base cost and is counted in `not_repriced_spans`. Money stays DECIMAL in SQL.
 */
import type { Database } from '../db/database.js';
import { USD, usdTextSql } from '../db/money.js';
import { UNATTRIBUTED } from '../db/schema.js';
import { num } from '../db/values.js';
import { CostattrError } from '../errors.js';
import { roundUsd } from '../render/money.js';
import { baseRelation, type SpanFilter } from './span-filter.js';
import { repricedSpans, type RepriceChanges } from './whatif-reprice.js';

export interface WhatifSpec {
  filter: SpanFilter;
  changes: RepriceChanges;
}

export interface WhatifLine {
  base_usd: number;
  whatif_usd: number;
  delta_usd: number;
  /** delta / base; null when the base is zero. */
  delta_pct: number | null;
}

export interface WhatifRow extends WhatifLine {
  tenant: string;
  route: string;
  spans: number;
}

export interface WhatifTenant extends WhatifLine {
  tenant: string;
  spans: number;
}

export interface WhatifSwap {
  from: string;
  to: string;
  spans: number;
  base_usd: number;
  whatif_usd: number;
  /** base ÷ what-if cost of the swapped calls: how many times cheaper; null when the what-if is zero. */
  cost_ratio: number | null;
}

export interface WhatifResult {
  changes: {
    swap_model: Record<string, string>;
    as_of: string | null;
    batch_share: Record<string, number>;
    cache_hit: Record<string, number>;
  };
  rows: WhatifRow[];
  tenants: WhatifTenant[];
  swaps: WhatifSwap[];
  totals: WhatifLine & { spans: number; unpriced_spans: number; not_repriced_spans: number };
}

const REPRICED = 'costattr_whatif_repriced';
const WHATIF_COST = 'CASE WHEN priced OR NOT base_priced THEN cost_usd ELSE base_cost_usd END * weight';

interface LineRow extends Record<string, unknown> {
  tenant: string;
  route: string;
  spans: string;
  base_usd: string;
  whatif_usd: string;
}

function line(row: { base_usd: unknown; whatif_usd: unknown }): WhatifLine {
  const base = num(row.base_usd);
  const whatif = num(row.whatif_usd);
  const delta = roundUsd(whatif - base);
  return { base_usd: base, whatif_usd: whatif, delta_usd: delta, delta_pct: base === 0 ? null : Math.round((delta / base) * 1e6) / 1e6 };
}

/** Every model a swap names must be one the price book knows, or the what-if is meaningless. */
async function checkSwapModels(db: Database, changes: RepriceChanges): Promise<void> {
  for (const swap of changes.swaps) {
    for (const name of [swap.from, swap.to]) {
      const hit = await db.one(`SELECT model FROM model_aliases WHERE alias = lower($name)`, { name });
      if (!hit) throw new CostattrError('BAD_USAGE', `--swap-model ${swap.from}=${swap.to}: ${name} is not in the price book`, { hint: 'see `costattr pricing list`' });
    }
  }
}

export async function whatif(db: Database, spec: WhatifSpec): Promise<WhatifResult> {
  await checkSwapModels(db, spec.changes);
  const repriced = repricedSpans(baseRelation(spec.filter), spec.changes);
  // materialised once: four summaries read it
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${REPRICED} AS ${repriced.sql}`, repriced.params);
  try {
    if (spec.changes.asOf !== undefined) await requirePricesAsOf(db, spec.changes.asOf);
    return await summarise(db, spec.changes);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${REPRICED}`);
  }
}

/** A date the book has no prices on for some of the data's models would value them at $0: refuse it, naming them. */
async function requirePricesAsOf(db: Database, asOf: string): Promise<void> {
  const missing = await db.all<{ model: string; spans: string }>(
    `SELECT base_model AS model, count(*)::VARCHAR AS spans FROM ${REPRICED} WHERE base_priced AND NOT priced GROUP BY ALL ORDER BY model`,
  );
  if (missing.length === 0) return;
  const first = await db.one<{ day: string | null }>(`SELECT strftime(min(effective_from), '%Y-%m-%d') AS day FROM prices WHERE model IN (SELECT base_model FROM ${REPRICED} WHERE base_priced AND NOT priced)`);
  throw new CostattrError('BAD_USAGE', `--as-of ${asOf}: the price book has no prices on that date for ${missing.map((m) => `${m.model} (${m.spans} spans)`).join(', ')}`, {
    hint: first?.day ? `the earliest of their prices takes effect on ${first.day}` : 'see `costattr pricing list`',
  });
}

async function summarise(db: Database, c: RepriceChanges): Promise<WhatifResult> {
  const params = { unattributed: UNATTRIBUTED };
  const grouped = `
    SELECT coalesce(tenant, $unattributed) AS tenant, coalesce(route, $unattributed) AS route,
           CAST(sum(weight) AS BIGINT)::VARCHAR AS spans,
           ${usdTextSql('sum(base_cost_usd * weight)')} AS base_usd, ${usdTextSql(`sum(${WHATIF_COST})`)} AS whatif_usd
    FROM ${REPRICED} GROUP BY ALL`;
  const rowsRaw = await db.all<LineRow>(grouped, params);
  const rows = rowsRaw.map((r): WhatifRow => ({ tenant: r.tenant, route: r.route, spans: num(r.spans), ...line(r) }))
    .sort((a, b) => Math.abs(b.delta_usd) - Math.abs(a.delta_usd) || a.tenant.localeCompare(b.tenant) || a.route.localeCompare(b.route));
  const tenantsRaw = await db.all<LineRow>(
    `WITH g AS (${grouped}) SELECT tenant, sum(CAST(spans AS BIGINT))::VARCHAR AS spans,
       ${usdTextSql(`sum(CAST(base_usd AS ${USD}))`)} AS base_usd, ${usdTextSql(`sum(CAST(whatif_usd AS ${USD}))`)} AS whatif_usd
     FROM g GROUP BY tenant`,
    params,
  );
  const tenants = tenantsRaw.map((r): WhatifTenant => ({ tenant: r.tenant, spans: num(r.spans), ...line(r) }))
    .sort((a, b) => Math.abs(b.delta_usd) - Math.abs(a.delta_usd) || a.tenant.localeCompare(b.tenant));
  const swapsRaw = await db.all(
    `SELECT base_model, to_model, CAST(sum(weight) AS BIGINT)::VARCHAR AS spans,
            ${usdTextSql('sum(base_cost_usd * weight)')} AS base_usd, ${usdTextSql(`sum(${WHATIF_COST})`)} AS whatif_usd,
            CASE WHEN sum(${WHATIF_COST}) > 0 THEN CAST(sum(base_cost_usd * weight) AS DOUBLE) / CAST(sum(${WHATIF_COST}) AS DOUBLE) END AS ratio
     FROM ${REPRICED} WHERE to_model IS NOT NULL GROUP BY ALL ORDER BY base_model, to_model`,
  );
  const swaps = swapsRaw.map((r): WhatifSwap => ({
    from: String(r.base_model),
    to: String(r.to_model),
    spans: num(r.spans),
    base_usd: num(r.base_usd),
    whatif_usd: num(r.whatif_usd),
    cost_ratio: r.ratio === null ? null : Math.round(num(r.ratio) * 1e6) / 1e6,
  }));
  const totalsRaw = await db.one(
    `SELECT CAST(coalesce(sum(weight), 0) AS BIGINT)::VARCHAR AS spans,
            ${usdTextSql('coalesce(sum(base_cost_usd * weight), 0)')} AS base_usd, ${usdTextSql(`coalesce(sum(${WHATIF_COST}), 0)`)} AS whatif_usd,
            count(DISTINCT (trace_id, span_id)) FILTER (WHERE NOT base_priced)::VARCHAR AS unpriced,
            count(DISTINCT (trace_id, span_id)) FILTER (WHERE base_priced AND NOT priced)::VARCHAR AS not_repriced
     FROM ${REPRICED}`,
  );
  return {
    changes: {
      swap_model: Object.fromEntries(c.swaps.map((s) => [s.from, s.to])),
      as_of: c.asOf ?? null,
      batch_share: Object.fromEntries(c.batchShare.map((b) => [b.route, b.share])),
      cache_hit: Object.fromEntries(c.cacheHit.map((h) => [h.route, h.share])),
    },
    rows,
    tenants,
    swaps,
    totals: {
      spans: num(totalsRaw?.spans),
      ...line({ base_usd: totalsRaw?.base_usd, whatif_usd: totalsRaw?.whatif_usd }),
      unpriced_spans: num(totalsRaw?.unpriced),
      not_repriced_spans: num(totalsRaw?.not_repriced),
    },
  };
}
