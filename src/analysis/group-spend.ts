/**
 * Spend per group of a cut, for the reports that need only each group's spend, spans and share (the
 * model mix, spend per day, the top cost drivers): the figures and the order of `costs` rows
 * (costs.ts: cost desc, then the dimension values), summed straight from the cost roll-up rows
 * without costs' per-run step, which is what a cut of millions of runs spends its time on. Runs are
 * counted (distinct runs, as `costs` does) only for the first `runsOf` groups.
 */
import type { SqlEngine } from '../db/engine.js';
import { usdNumberSql } from '../db/money.js';
import { quoteIdent } from '../db/quote.js';
import { num } from '../db/values.js';
import { rollupRelation } from './cost-rollup.js';
import { dimensionSql, UNKNOWN, type Dimension } from './dimensions.js';
import type { SpanFilter } from './span-filter.js';

/** The dimensions a roll-up row has one value of (the layer split is costs' own). */
export type RowDimension = Exclude<Dimension, 'layer'>;

export interface GroupSpend {
  /** Dimension values, aligned with the cut. */
  values: string[];
  cost_usd: number;
  spans: number;
  share: number;
  /** Distinct runs of the group; null beyond the first `runsOf` groups. */
  runs: number | null;
}

export async function spendByGroup(db: SqlEngine, filter: SpanFilter, by: readonly RowDimension[], runsOf = 0): Promise<GroupSpend[]> {
  const base = await rollupRelation(db, filter, { pricing: by.some((d) => d === 'model' || d === 'provider') });
  const dims = by.map((d) => quoteIdent(d));
  const dimList = dims.join(', ');
  const rows = await db.all(
    `WITH base AS (${base.sql}),
     facts AS (SELECT ${by.map((d) => `${dimensionSql(d, db.dialect)} AS ${quoteIdent(d)}`).join(', ')}, run, spans, cost_usd FROM base),
     grouped AS (SELECT ${dimList}, sum(cost_usd) AS cost, sum(spans) AS spans FROM facts GROUP BY ${dimList}),
     ranked AS (SELECT *, row_number() OVER (ORDER BY cost DESC, ${dims.map((d) => `${d} ASC`).join(', ')}) AS rank FROM grouped),
     counted AS (
       SELECT ${dims.map((d) => `f.${d} AS ${d}`).join(', ')}, count(DISTINCT f.run) AS runs
       FROM facts f JOIN (SELECT ${dimList} FROM ranked WHERE rank <= $runsOf) t ON ${dims.map((d) => `t.${d} = f.${d}`).join(' AND ')}
       GROUP BY ${dims.map((d) => `f.${d}`).join(', ')}
     )
     SELECT ${dims.map((d, i) => `r.${d} AS d${i}`).join(', ')}, ${usdNumberSql('r.cost')} AS cost_usd, r.spans::BIGINT AS spans,
       CASE WHEN (SELECT sum(cost) FROM grouped) > 0 THEN round(r.cost / (SELECT sum(cost) FROM grouped), 6)::DOUBLE ELSE 0 END AS share, c.runs
     FROM ranked r LEFT JOIN counted c ON ${dims.map((d) => `c.${d} = r.${d}`).join(' AND ')}
     ORDER BY r.rank`,
    { ...base.params, runsOf },
  );
  return rows.map((row) => ({
    values: by.map((_d, i) => String(row[`d${i}`] ?? UNKNOWN)),
    cost_usd: num(row.cost_usd),
    spans: num(row.spans),
    share: num(row.share),
    runs: row.runs === null || row.runs === undefined ? null : num(row.runs),
  }));
}
