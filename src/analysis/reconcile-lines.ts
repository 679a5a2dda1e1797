/**
 * The reconcile line table: per provider × model × day × token class, what the invoices billed
 * (tokens and USD) against what the spans price to, the variance, and its cause.
 *
 * Invoice side: invoice models resolve to canonical ids at query time through `model_aliases`
 * (display names, dated snapshots). Tokens come from usage exports when a provider has any, else
 * from the cost lines' own quantities (NULL when the invoice carries no counts). Dollars come from
 * cost exports; a provider with usage exports only is priced at book rates.
 * Span side: the priced spans in the period (their cost roll-up rows summed per provider, model and
 * UTC day once per close: invoices are UTC), only the providers the invoices cover.
 *
 * Cause, first rule that holds (README "reconcile"):
 *   0. credit           a credit or adjustment line (negative dollars): its own line, never matched to spans;
 *   1. match            variance 0 and token counts agree (or the invoice has none);
 *   2. unpriced         the line's spans (or usage-only invoice tokens) have no price in the book;
 *   3. cache_convention input or cache_read of a model-day whose spans report no cache counts
 *                       while the invoice bills cache reads (cached tokens priced at full input);
 *   4. day_boundary     an adjacent day of the same model and class has exactly the opposite variance;
 *   5. untraced         billed, with no span tokens behind the line;
 *   6. rate             same tokens, different dollars (a discount, a stale price), or an invoice
 *                       without counts whose billed amount differs from its own list amount;
 *   7. untraced         the invoice bills more (more tokens, or more dollars when it has no
 *                       counts) than the spans carry: the excess is traffic with no spans behind it;
 *   8. quantity         anything else: the spans carry more tokens than were billed.
 * (`untraced` appears twice: a line with no spans at all goes before the rate test.)
 * `quantity` and `unpriced` are unexplained variance; the others are explained.
 */
import type { Dialect } from '../db/dialect.js';
import type { EngineParams, SqlEngine } from '../db/engine.js';
import { EXACT_USD, usdTextSql } from '../db/money.js';
import { TOKEN_CLASSES } from '../db/schema.js';
import { num } from '../db/values.js';
import { rollupRelation } from './cost-rollup.js';
import { invoiceDaysIn, type Period } from './period.js';

export const CAUSES = ['match', 'credit', 'unpriced', 'cache_convention', 'day_boundary', 'untraced', 'rate', 'quantity'] as const;
export type Cause = (typeof CAUSES)[number];
export const UNEXPLAINED_CAUSES: readonly Cause[] = ['quantity', 'unpriced'];

export interface ReconcileLine {
  provider: string;
  model: string | null;
  day: string;
  token_class: string;
  /** null when the invoice carries no token counts for the line (e.g. a Console cost CSV). */
  invoice_tokens: number | null;
  span_tokens: number;
  invoice_usd: number;
  span_usd: number;
  variance_usd: number;
  cause: Cause;
}

/** Invoice model names without a trailing date (`-2025-04-14`, `-20250929`, ` 2024-10-22`). */
const STRIPPED_INVOICE_MODEL = `regexp_replace(regexp_replace(lower(l.model), '^.*/', ''), '[ -](\\d{8}|\\d{4}-\\d{2}-\\d{2})$', '')`;

/** bool_or, in the form both engines read (ClickHouse has no bool_or); NULLs count as false. */
export const anyOf = (condition: string, over = ''): string => `(max(CASE WHEN ${condition} THEN 1 ELSE 0 END)${over && ` OVER ${over}`} = 1)`;

const rateOf = (table: string, cls: string) =>
  `CASE ${cls} ${TOKEN_CLASSES.map((c) => `WHEN '${c}' THEN ${table}.${c}`).join(' ')} END`;

/**
 * What reconcile reads, as SQL: `ctes` (invoice lines in the period, `inv_raw`, `inv_providers`, and
 * `scoped_spans`: the span days of the providers the invoices cover), `allSpans` (the span days of
 * every provider), and their parameters. Made by `withReconcileRelations`, valid while its work runs.
 */
export interface ReconcileRelations {
  ctes: string;
  params: EngineParams;
  allSpans: string;
}

/** The name the span days of one close are kept under while it runs. */
const SPAN_DAYS = 'costattr_reconcile_span_days';

/** Sums of `source`'s cost roll-up rows that reconcile reads, per token class and in all. */
const SPAN_DAY_SUMS = [
  ...TOKEN_CLASSES.flatMap((c) => [`${c}_tokens`, `cost_${c}`, `unpriced_${c}_spans`]),
  'no_cache_count_spans', 'cost_usd', 'naive_usd',
].map((column) => `sum(${column}) AS ${column}`);

/**
 * The span days: the period's cost roll-up rows (`rollup`: per run, model, provider and quarter hour,
 * whose UTC day is the spans' day) summed per provider, model and UTC day, with the tenant-less cost
 * apart (`unattributed_usd`, NULL when there is none). A month of 4M roll-up rows is a few hundred.
 */
const spanDaysSql = (rollup: string): string => `
  SELECT provider, model, CAST(slot AS DATE) AS day, ${SPAN_DAY_SUMS.join(', ')},
         sum(cost_usd) FILTER (WHERE tenant IS NULL) AS unattributed_usd
  FROM (${rollup}) GROUP BY provider, model, CAST(slot AS DATE)`;

/**
 * `work` given the relations reconcile reads over the period (invoices are UTC, so the period is cut
 * in UTC): the spans are summed into span days once (stored roll-ups when current, else rolled up
 * from the period's spans, src/analysis/cost-rollup.ts) and kept for every query `work` makes.
 */
export async function withReconcileRelations<T>(db: SqlEngine, period: Period, work: (relations: ReconcileRelations) => Promise<T>): Promise<T> {
  const base = await rollupRelation(db, { period: { ...period, timezone: 'UTC' } }, { pricing: true });
  const { where: dayFilter, params } = invoiceDaysIn(period, 'l.day');
  const ctes = `
  inv_raw AS (
    SELECT l.provider, l.kind, l.day, l.token_class, l.tier, l.long_context, l.quantity, l.amount_usd, l.list_amount_usd,
           coalesce(l.amount_usd < 0, false) AS credit,
           coalesce(exact.model, stripped.model, lower(l.model)) AS model
    FROM invoice_lines l
    LEFT JOIN model_aliases exact ON exact.alias = lower(l.model)
    LEFT JOIN model_aliases stripped ON stripped.alias = ${STRIPPED_INVOICE_MODEL}
    ${dayFilter.length > 0 ? `WHERE ${dayFilter.join(' AND ')}` : ''}
  ),
  inv_providers AS (
    SELECT provider, ${anyOf("kind = 'cost'")} AS has_cost, ${anyOf("kind = 'usage'")} AS has_usage FROM inv_raw GROUP BY provider
  ),
  scoped_spans AS (
    SELECT * FROM ${SPAN_DAYS} WHERE provider IN (SELECT provider FROM inv_providers)
  )`;
  return db.withRelation(SPAN_DAYS, spanDaysSql(base.sql), base.params, () => work({ ctes, params, allSpans: `SELECT * FROM ${SPAN_DAYS}` }));
}

/** The line CTE chain up to `classified` (exact decimals, with `cause`), for lines and totals. */
export const CLASSIFIED = (ctes: string) => `
WITH ${ctes},
long_bands AS (
  SELECT model, tier, max(min_input_tokens) AS band_from FROM prices GROUP BY model, tier
),
inv_rated AS (
  SELECT ${['provider', 'kind', 'day', 'token_class', 'tier', 'long_context', 'quantity', 'amount_usd', 'list_amount_usd', 'credit', 'model'].map((c) => `ir.${c} AS ${c}`).join(', ')},
         p.has_cost, p.has_usage, ${rateOf('r', 'ir.token_class')} AS book_rate
  FROM inv_raw ir JOIN inv_providers p ON p.provider = ir.provider
  LEFT JOIN long_bands lb ON lb.model = ir.model AND lb.tier = ir.tier
  LEFT JOIN prices r ON r.model = ir.model AND r.tier = ir.tier AND ir.day >= r.effective_from
                    AND (r.effective_to IS NULL OR ir.day < r.effective_to)
                    AND r.min_input_tokens = CASE WHEN ir.long_context THEN coalesce(lb.band_from, 0) ELSE 0 END
),
inv_lines AS (
  SELECT provider, model, day, token_class, credit,
         sum(CASE WHEN has_usage THEN (CASE WHEN kind = 'usage' THEN quantity END) ELSE quantity END) AS invoice_tokens,
         CAST(CASE WHEN any_value(has_cost) THEN coalesce(sum(amount_usd) FILTER (WHERE kind = 'cost'), 0)
                   ELSE coalesce(sum(quantity * book_rate) FILTER (WHERE kind = 'usage'), 0) END AS ${EXACT_USD}) AS invoice_usd,
         sum(amount_usd) FILTER (WHERE kind = 'cost') AS billed_usd,
         sum(list_amount_usd) FILTER (WHERE kind = 'cost') AS list_usd,
         -- billed tokens with no money behind them: no cost line for them and no rate in the book
         ${anyOf("quantity > 0 AND book_rate IS NULL AND (NOT has_cost OR kind = 'usage')")}
           AND coalesce(sum(amount_usd) FILTER (WHERE kind = 'cost'), 0) = 0 AS invoice_unpriced
  FROM inv_rated GROUP BY provider, model, day, token_class, credit
),
span_days AS (
  SELECT provider, model, day, no_cache_count_spans > 0 AS no_cache_counts,
         ${TOKEN_CLASSES.map((c) => `${c}_tokens, cost_${c}, unpriced_${c}_spans`).join(',\n         ')}
  FROM scoped_spans
),
span_lines AS (
  SELECT * FROM (
    SELECT sd.provider, sd.model, sd.day, k.token_class, sd.no_cache_counts,
           CASE k.token_class ${TOKEN_CLASSES.map((c) => `WHEN '${c}' THEN sd.${c}_tokens`).join(' ')} END AS span_tokens,
           CAST(CASE k.token_class ${TOKEN_CLASSES.map((c) => `WHEN '${c}' THEN sd.cost_${c}`).join(' ')} END AS ${EXACT_USD}) AS span_usd,
           CASE k.token_class ${TOKEN_CLASSES.map((c) => `WHEN '${c}' THEN sd.unpriced_${c}_spans`).join(' ')} END AS unpriced_spans
    FROM span_days sd CROSS JOIN (${TOKEN_CLASSES.map((c) => `SELECT '${c}' AS token_class`).join(' UNION ALL ')}) k
  ) WHERE span_tokens <> 0
),
joined AS (
  SELECT coalesce(i.provider, s.provider) AS provider, coalesce(i.model, s.model) AS model,
         coalesce(i.day, s.day) AS day, coalesce(i.token_class, s.token_class) AS token_class,
         i.invoice_tokens, coalesce(s.span_tokens, 0) AS span_tokens,
         coalesce(i.invoice_usd, 0) AS invoice_usd, coalesce(s.span_usd, 0) AS span_usd,
         CAST(coalesce(i.invoice_usd, 0) - coalesce(s.span_usd, 0) AS ${EXACT_USD}) AS variance,
         i.billed_usd, i.list_usd, coalesce(i.invoice_unpriced, false) AS invoice_unpriced,
         coalesce(s.unpriced_spans, 0) AS unpriced_spans, coalesce(s.no_cache_counts, false) AS no_cache_counts,
         coalesce(i.credit, false) AS credit
  FROM inv_lines i FULL JOIN span_lines s
    ON i.provider = s.provider AND i.model IS NOT DISTINCT FROM s.model AND i.day = s.day AND i.token_class = s.token_class AND NOT i.credit
),
flagged AS (
  SELECT *,
    ${anyOf('no_cache_counts', 'model_day')} AS model_day_no_cache,
    ${anyOf("token_class = 'cache_read' AND (invoice_usd > 0 OR invoice_tokens > 0)", 'model_day')} AS model_day_billed_cache,
    lag(day) OVER series AS prev_day, lag(variance) OVER series AS prev_variance,
    lead(day) OVER series AS next_day, lead(variance) OVER series AS next_variance
  FROM joined
  WINDOW model_day AS (PARTITION BY provider, model, day),
         series AS (PARTITION BY provider, model, token_class, credit ORDER BY day)
),
classified AS (
  SELECT *,
    CASE
         WHEN credit THEN 'credit'
         WHEN variance = 0 AND (invoice_tokens IS NULL OR invoice_tokens = span_tokens) THEN 'match'
         WHEN unpriced_spans > 0 OR invoice_unpriced THEN 'unpriced'
         WHEN token_class IN ('input', 'cache_read') AND model_day_no_cache AND model_day_billed_cache THEN 'cache_convention'
         WHEN variance <> 0 AND ((prev_day = day - 1 AND prev_variance = -variance) OR (next_day = day + 1 AND next_variance = -variance)) THEN 'day_boundary'
         WHEN span_tokens = 0 AND span_usd = 0 THEN 'untraced'
         WHEN (invoice_tokens IS NOT NULL AND invoice_tokens = span_tokens)
           OR (invoice_tokens IS NULL AND list_usd IS NOT NULL AND list_usd <> billed_usd) THEN 'rate'
         WHEN variance > 0 AND (invoice_tokens IS NULL OR invoice_tokens > span_tokens) THEN 'untraced'
         ELSE 'quantity'
    END AS cause
  FROM flagged
)`;

const LINES_SQL = (ctes: string, d: Dialect) => `${CLASSIFIED(ctes)}
SELECT provider, model, ${d.strftime('day', '%Y-%m-%d')} AS day, token_class,
       invoice_tokens::VARCHAR AS invoice_tokens, span_tokens::VARCHAR AS span_tokens,
       ${usdTextSql('invoice_usd', d)} AS invoice_usd, ${usdTextSql('span_usd', d)} AS span_usd, ${usdTextSql('variance', d)} AS variance_usd, cause
FROM classified
ORDER BY provider, model NULLS LAST, day, token_class, credit`;

interface LineRow extends Record<string, unknown> {
  provider: string;
  model: string | null;
  day: string;
  token_class: string;
  invoice_tokens: string | null;
  span_tokens: string;
  invoice_usd: string;
  span_usd: string;
  variance_usd: string;
  cause: Cause;
}

/** The period's reconcile lines. */
export function reconcileLines(db: SqlEngine, period: Period): Promise<ReconcileLine[]> {
  return withReconcileRelations(db, period, (relations) => linesOver(db, relations));
}

/** The reconcile lines over `relations` (withReconcileRelations). */
export async function linesOver(db: SqlEngine, { ctes, params }: ReconcileRelations): Promise<ReconcileLine[]> {
  const rows = await db.all<LineRow>(LINES_SQL(ctes, db.dialect), params);
  return rows.map((r) => ({
    provider: r.provider,
    model: r.model,
    day: r.day,
    token_class: r.token_class,
    invoice_tokens: r.invoice_tokens === null ? null : num(r.invoice_tokens),
    span_tokens: num(r.span_tokens),
    invoice_usd: num(r.invoice_usd),
    span_usd: num(r.span_usd),
    variance_usd: num(r.variance_usd),
    cause: r.cause,
  }));
}
