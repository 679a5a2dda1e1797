/**
 * `costs --by <dims>`: attribution of priced spend to any combination of dimensions, with runs
 * (traces), spans, tokens per class, share, per-run cost percentiles and cache hit rate per group,
 * plus totals that say how much is unattributed and how much could not be priced.
 *
 * Definitions (README "costs"):
 *   - a run is a trace; p50/p95/p99 are over the per-trace cost within the group (linear
 *     interpolation between the closest ranks, as DuckDB's `quantile_cont`, in exact decimals: Dialect.quantileOf);
 *   - cache_hit_rate = cache_read / (input + cache_read + cache_write), null when a group has no input;
 *   - rows are ordered by cost desc, then dimension values asc; `top` keeps the first N rows and
 *     folds the rest into `rest` (totals and shares always cover everything);
 *   - concentration: the share of all spend made by the top 10% of groups (at least one), not
 *     counting the `__unattributed__`/`__unknown__` buckets as groups;
 * Money stays DECIMAL in SQL and is rounded to 6 decimals in the final projection only.
 */
import type { JsonRow } from '../db/database.js';
import type { Dialect } from '../db/dialect.js';
import type { SqlEngine } from '../db/engine.js';
import { usdNumberSql } from '../db/money.js';
import { quoteIdent } from '../db/quote.js';
import { UNATTRIBUTED } from '../db/schema.js';
import { num } from '../db/values.js';
import { CostattrError } from '../errors.js';
import { dimensionSql, UNKNOWN, type Dimension } from './dimensions.js';
import { LAYER_COLUMNS, sumLayerColumnsSql, unpivotLayersSql } from './layers.js';
import { rollupRelation } from './cost-rollup.js';
import { onceInRead } from './read-memo.js';
import type { BaseRelation, SpanFilter } from './span-filter.js';

export interface CostsSpec {
  by: Dimension[];
  filter: SpanFilter;
  /** Keep only the N most expensive groups in `rows`. */
  top?: number | undefined;
}

export interface TokenCounts {
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
}

export interface CostsRow extends TokenCounts {
  /** Dimension values, aligned with `by`. */
  values: string[];
  cost_usd: number;
  runs: number;
  spans: number;
  share: number;
  p50_run_usd: number;
  p95_run_usd: number;
  p99_run_usd: number;
  cache_hit_rate: number | null;
}

/** The groups beyond `top`, folded together (runs are not additive across groups, so none). */
export interface CostsRest extends TokenCounts {
  groups: number;
  cost_usd: number;
  spans: number;
  share: number;
}

export interface UnpricedModel {
  model: string;
  reason: string;
  spans: number;
  tokens: number;
  /** Share of all tokens in the period. */
  token_share: number;
}

export interface CostsTotals {
  cost_usd: number;
  unattributed_usd: number;
  unpriced_spans: number;
  /** Priced tokens / all tokens (1 when there are no tokens). */
  priced_share: number;
}

export interface Concentration {
  groups: number;
  top_groups: number;
  share: number;
}

export interface CostsResult {
  by: Dimension[];
  rows: CostsRow[];
  rest: CostsRest | null;
  totals: CostsTotals;
  unpriced: UnpricedModel[];
  concentration: Concentration | null;
}

// The groups are built once from per-run sums of the cost roll-up (src/analysis/cost-rollup.ts),
// materialised (SqlEngine.withRelation), then read three ways (rows, rest, concentration); the totals
// and what could not be priced are read from the same roll-up rows. One attribution runs at a time
// on a connection.
const GROUPS = 'costattr_cost_groups';
const GROUPS_TABLE = quoteIdent(GROUPS);
const ALL_TOKENS = '(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens)';
/** Fractions (shares, hit rates) are output rounded to 6 decimals, as JSON numbers; money through `usdNumberSql`. */
const fraction6 = (expr: string): string => `round(${expr}, 6)::DOUBLE`;

/**
 * Per group and run (over the roll-up rows, `base`): the dimensions, the run, spans, tokens per
 * reported class and cost. A layer split sums each run's layer columns first and then splits the
 * sums per layer: one row per (group, run, layer) without grouping five times the rows.
 */
function runsSql(by: readonly Dimension[], dialect: Dialect): string {
  const dims = by.filter((d): d is Exclude<Dimension, 'layer'> => d !== 'layer');
  const keys = ['run', ...dims.map((d) => quoteIdent(d))].join(', ');
  const keyed = (measures: string): string =>
    `(SELECT ${['run', ...dims.map((d) => `${dimensionSql(d, dialect)} AS ${quoteIdent(d)}`)].join(', ')}, ${measures} FROM base) k`;
  if (by.includes('layer')) {
    const perRun = `(SELECT ${keys}, ${sumLayerColumnsSql()} FROM ${keyed(LAYER_COLUMNS.join(', '))} GROUP BY ${keys}) r`;
    return unpivotLayersSql(keys, perRun);
  }
  return `
    SELECT ${keys}, sum(spans) AS spans, sum(input_tokens) AS in_t, sum(cache_read_tokens) AS cr_t,
      sum(cache_write_5m_tokens + cache_write_1h_tokens) AS cw_t, sum(output_tokens) AS out_t, sum(cost_usd) AS cost
    FROM ${keyed('spans, input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, cost_usd')}
    GROUP BY ${keys}`;
}

export async function attributeCosts(db: SqlEngine, spec: CostsSpec): Promise<CostsResult> {
  if (spec.by.length === 0) throw new CostattrError('BAD_USAGE', 'costs needs at least one --by dimension');
  if (spec.top !== undefined && (!Number.isInteger(spec.top) || spec.top < 1)) {
    throw new CostattrError('BAD_USAGE', `--top ${spec.top}: expected a whole number ≥ 1`);
  }
  const pricing = spec.by.some((d) => d === 'model' || d === 'provider');
  const base = await rollupRelation(db, spec.filter, { pricing });
  const dims = spec.by.map((d) => quoteIdent(d));
  const dimList = dims.join(', ');
  const q = (p: number): string => db.dialect.quantileOf('run_costs', p);
  const groups = `WITH base AS (${base.sql}),
     runs AS (${runsSql(spec.by, db.dialect)}),
     grouped AS (
       SELECT ${dimList}, sum(cost) AS cost, count(*) AS runs, sum(spans) AS spans,
         sum(in_t) AS in_t, sum(cr_t) AS cr_t, sum(cw_t) AS cw_t, sum(out_t) AS out_t,
         ${db.dialect.sortedValues('cost')} AS run_costs
       FROM runs GROUP BY ALL
     )
     SELECT ${dimList}, cost, runs, spans, in_t, cr_t, cw_t, out_t, ${q(0.5)} AS p50, ${q(0.95)} AS p95, ${q(0.99)} AS p99,
       row_number() OVER (ORDER BY cost DESC, ${dims.map((d) => `${d} ASC`).join(', ')}) AS rank
     FROM grouped`;
  return db.withRelation(GROUPS, groups, base.params, async () => {
    const rows = await readRows(db, dims, spec.top);
    const rest = spec.top === undefined ? null : await readRest(db, spec.top);
    const concentration = await readConcentration(db, dims);
    const { totals, unpriced } = await periodTotals(db, spec.filter, async () => readTotals(db, base, pricing ? base : await rollupRelation(db, spec.filter, { pricing: true })));
    return { by: spec.by, rows, rest, totals, unpriced, concentration };
  });
}

const TOTAL_COST = `(SELECT sum(cost) FROM ${GROUPS_TABLE})`;
const SHARE = `CASE WHEN ${TOTAL_COST} > 0 THEN ${fraction6(`cost / ${TOTAL_COST}`)} ELSE 0 END`;

function tokenCounts(row: JsonRow): TokenCounts {
  return {
    input_tokens: num(row.in_t),
    cache_read_tokens: num(row.cr_t),
    cache_write_tokens: num(row.cw_t),
    output_tokens: num(row.out_t),
  };
}

async function readRows(db: SqlEngine, dims: string[], top: number | undefined): Promise<CostsRow[]> {
  const rows = await db.all(
    `SELECT ${dims.map((d, i) => `${d} AS d${i}`).join(', ')},
       ${usdNumberSql('cost')} AS cost_usd, runs, spans::BIGINT AS spans,
       in_t::BIGINT AS in_t, cr_t::BIGINT AS cr_t, cw_t::BIGINT AS cw_t, out_t::BIGINT AS out_t,
       ${SHARE} AS share,
       ${usdNumberSql('p50')} AS p50, ${usdNumberSql('p95')} AS p95, ${usdNumberSql('p99')} AS p99,
       CASE WHEN in_t + cr_t + cw_t > 0 THEN ${fraction6('cr_t / (in_t + cr_t + cw_t)')} END AS cache_hit_rate
     FROM ${GROUPS_TABLE}
     ${top === undefined ? '' : 'WHERE rank <= $top'}
     ORDER BY rank`,
    top === undefined ? undefined : { top },
  );
  return rows.map((row) => ({
    values: dims.map((_d, i) => String(row[`d${i}`] ?? UNKNOWN)),
    cost_usd: num(row.cost_usd),
    runs: num(row.runs),
    spans: num(row.spans),
    ...tokenCounts(row),
    share: num(row.share),
    p50_run_usd: num(row.p50),
    p95_run_usd: num(row.p95),
    p99_run_usd: num(row.p99),
    cache_hit_rate: row.cache_hit_rate === null || row.cache_hit_rate === undefined ? null : num(row.cache_hit_rate),
  }));
}

async function readRest(db: SqlEngine, top: number): Promise<CostsRest | null> {
  const row = await db.one(
    `SELECT count(*) AS groups, ${usdNumberSql('sum(cost)')} AS cost_usd, sum(spans)::BIGINT AS spans,
       sum(in_t)::BIGINT AS in_t, sum(cr_t)::BIGINT AS cr_t, sum(cw_t)::BIGINT AS cw_t, sum(out_t)::BIGINT AS out_t,
       CASE WHEN ${TOTAL_COST} > 0 THEN ${fraction6(`sum(cost) / ${TOTAL_COST}`)} ELSE 0 END AS share
     FROM ${GROUPS_TABLE} WHERE rank > $top`,
    { top },
  );
  if (!row || num(row.groups) === 0) return null;
  return { groups: num(row.groups), cost_usd: num(row.cost_usd), spans: num(row.spans), ...tokenCounts(row), share: num(row.share) };
}

/**
 * Groups holding a tenant-less or unknown value are buckets, not members (the `__unattributed__`
 * row is not a tenant), so they are left out of the ranking; the share is of all spend.
 */
async function readConcentration(db: SqlEngine, dims: readonly string[]): Promise<Concentration | null> {
  const bucket = dims.map((d) => `${d} IN ($unattributed, $unknown)`).join(' OR ');
  const row = await db.one(
    `WITH members AS (
       SELECT cost, row_number() OVER (ORDER BY rank) AS position FROM ${GROUPS_TABLE} WHERE NOT (${bucket})
     ),
     sized AS (SELECT count(*) AS n, ceil(count(*) * 0.1)::BIGINT AS k FROM members)
     SELECT n, k, CASE WHEN ${TOTAL_COST} > 0 THEN ${fraction6(`sum(cost) / ${TOTAL_COST}`)} ELSE 0 END AS share
     FROM members, sized WHERE position <= k GROUP BY n, k`,
    { unattributed: UNATTRIBUTED, unknown: UNKNOWN },
  );
  if (!row || num(row.n) === 0) return null;
  return { groups: num(row.n), top_groups: num(row.k), share: num(row.share) };
}

/** Locale-independent string order, so output is the same on every machine. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The totals and what could not be priced over the filter's spans, without a cut (costs' `totals` and `unpriced`). */
export function costTotals(db: SqlEngine, filter: SpanFilter): Promise<Totals> {
  return periodTotals(db, filter, async () => readTotals(db, await rollupRelation(db, filter, { pricing: false }), await rollupRelation(db, filter, { pricing: true })));
}

type Totals = { totals: CostsTotals; unpriced: UnpricedModel[] };

/** The filter's totals, read once per read (every cut of a report over the same period has the same). */
function periodTotals(db: SqlEngine, filter: SpanFilter, read: () => Promise<Totals>): Promise<Totals> {
  const { since, until, timezone } = filter.period;
  return onceInRead(db, `totals ${JSON.stringify([since, until, timezone, filter.tenant])}`, read);
}

/**
 * Totals over every span of the period (independent of grouping), from roll-up rows of the period
 * (`rollup`), and what could not be priced, per (model, reason), from model-level roll-up rows of
 * the same spans (`byModel`). One row of totals, then one per unpriced (model, reason) (`per_model`).
 */
async function readTotals(db: SqlEngine, rollup: BaseRelation, byModel: BaseRelation): Promise<Totals> {
  const rows = await db.all(
    // the same roll-up twice (a cut by model or provider) is bound once: binding the priced view costs more than running it
    `WITH base AS (${rollup.sql}), by_model AS (${byModel === rollup ? 'SELECT * FROM base' : byModel.sql})
     SELECT false AS per_model, NULL AS model, NULL AS reason,
       ${usdNumberSql('coalesce(sum(cost_usd), 0)')} AS cost_usd,
       ${usdNumberSql('coalesce(sum(cost_usd) FILTER (WHERE tenant IS NULL), 0)')} AS unattributed_usd,
       coalesce(sum(unpriced_spans), 0)::BIGINT AS unpriced_spans,
       coalesce(sum(priced_tokens), 0)::BIGINT AS priced_tokens,
       coalesce(sum(${ALL_TOKENS}), 0)::BIGINT AS tokens
     FROM base
     UNION ALL
     SELECT true, coalesce(model, $unknown), coalesce(unpriced_reason, $unknown), NULL, NULL, sum(spans)::BIGINT, NULL, sum(${ALL_TOKENS})::BIGINT
     FROM by_model WHERE NOT priced GROUP BY ALL`,
    { ...rollup.params, ...byModel.params, unknown: UNKNOWN },
  );
  const total = rows.find((r) => r.per_model === false);
  const allTokens = num(total?.tokens);
  const share = (tokens: number): number => (allTokens > 0 ? Math.round((tokens / allTokens) * 1e6) / 1e6 : 0);
  const unpriced = rows
    .filter((r) => r.per_model === true && r.model !== null)
    .map((r) => ({ model: String(r.model), reason: String(r.reason), spans: num(r.unpriced_spans), tokens: num(r.tokens), token_share: share(num(r.tokens)) }))
    .sort((a, b) => b.tokens - a.tokens || byCodePoint(a.model, b.model) || byCodePoint(a.reason, b.reason));
  return {
    totals: {
      cost_usd: num(total?.cost_usd),
      unattributed_usd: num(total?.unattributed_usd),
      unpriced_spans: num(total?.unpriced_spans),
      priced_share: allTokens > 0 ? share(num(total?.priced_tokens)) : 1,
    },
    unpriced,
  };
}
