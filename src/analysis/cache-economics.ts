/**
 * Cache economics of the reconciled spans: the cache hit rate (cache-read share of all input
 * tokens), what a naive dashboard would compute (every input token at the list input price, plus
 * output), what the spans really cost, and the difference saved by caching. Priced spans only:
 * an unpriced span has no rates to compare. Scope `reconciled` (reconcile) counts the providers the
 * invoices cover; `all` (report monthly) every span of the period. Summed from cost roll-up rows
 * summed per day (reconcile-lines.ts `withReconcileRelations`), whose `naive_usd` and `cost_usd` are 0
 * for unpriced spans.
 */
import type { SqlEngine } from '../db/engine.js';
import { usdTextSql } from '../db/money.js';
import { num } from '../db/values.js';
import type { ReconcileRelations } from './reconcile-lines.js';

export interface CacheEconomics {
  /** cache_read / (input + cache_read + cache writes); null without input tokens. */
  hit_rate: number | null;
  naive_usd: number;
  actual_usd: number;
  savings_usd: number;
}

export async function cacheEconomics(db: SqlEngine, { ctes, params, allSpans }: ReconcileRelations, scope: 'reconciled' | 'all' = 'reconciled'): Promise<CacheEconomics> {
  const d = db.dialect;
  const row = await db.one<{ hit_rate: number | null; naive: string; actual: string; savings: string }>(
    `WITH ${ctes},
     sums AS (
       SELECT sum(cache_read_tokens) AS cache_read, sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens) AS total_input,
              coalesce(sum(naive_usd), 0) AS naive, coalesce(sum(cost_usd), 0) AS actual
       FROM ${scope === 'all' ? `(${allSpans})` : 'scoped_spans'}
     )
     SELECT CASE WHEN total_input > 0 THEN CAST(cache_read AS DOUBLE) / CAST(total_input AS DOUBLE) END AS hit_rate,
            ${usdTextSql('naive', d)} AS naive, ${usdTextSql('actual', d)} AS actual, ${usdTextSql('naive - actual', d)} AS savings
     FROM sums`,
    params,
  );
  return {
    hit_rate: row?.hit_rate ?? null,
    naive_usd: num(row?.naive),
    actual_usd: num(row?.actual),
    savings_usd: num(row?.savings),
  };
}
