/**
 * The stored cost roll-up: priced spans summed per run (trace) and attribution key and quarter
 * hour, so that attribution reads a few rows per run instead of re-pricing and re-grouping every
 * span. `cost_rollup` is derived: ingest maintains it in the same transaction as the spans, priced
 * with the book whose hash `pricing_state` keeps (docs/data-model.md). A read uses it only when it
 * is current — same price book, the same spans — and otherwise rolls the priced spans up inline,
 * so every answer is the one the raw spans give (test/properties/cost-rollup.test.ts).
 *
 * Quarter hours: every real time zone's offset is a multiple of 15 minutes, so a UTC quarter hour
 * falls within one local day, week and month, and a period that starts and ends on quarter hours
 * (every date, every --month) holds whole slots.
 */
import type { Database } from '../db/database.js';
import { EXACT_USD } from '../db/money.js';
import { TOKEN_CLASSES } from '../db/schema.js';
import { LAYER_MEASURES, LAYERS, withLayerColumnsSql } from './layers.js';
import { baseRelation, type BaseRelation, type SpanFilter } from './span-filter.js';

/** What a roll-up row is keyed by: the run, every attribution dimension, how it was priced, and its quarter hour. */
const KEY_COLUMNS = [
  'trace_id', 'tenant', 'user_id', 'task', 'route', 'tier', 'effort', 'model', 'provider', 'service_tier',
  'priced', 'unpriced_reason', 'long_context',
] as const;

const SLOT = `time_bucket(INTERVAL 15 MINUTE, start_time)`;

/** The roll-up's columns and rules, as a number: a roll-up stored by another layout is rebuilt, never read. */
const LAYOUT = 2;

/** A layer measure's sum as stored: money exact, counts as BIGINT. */
const layerSum = (column: string, measure: string): string =>
  measure === 'cost' ? `CAST(sum(${column}) AS ${EXACT_USD}) AS ${column}` : `sum(${column})::BIGINT AS ${column}`;

/**
 * The roll-up's columns over `source` (priced spans, or any relation with their columns): spans,
 * tokens and cost per class, and each layer's split (src/analysis/layers.ts) summed.
 */
export function rollupSelect(source: string): string {
  const layerColumns = LAYERS.flatMap((layer) => LAYER_MEASURES.map((m) => layerSum(`${layer}_${m}`, m)));
  return `SELECT ${KEY_COLUMNS.join(', ')}, ${SLOT} AS slot, count(*) AS spans,
    ${TOKEN_CLASSES.map((cls) => `sum(${cls}_tokens)::BIGINT AS ${cls}_tokens`).join(', ')},
    sum(reasoning_tokens)::BIGINT AS reasoning_tokens,
    ${TOKEN_CLASSES.map((cls) => `CAST(sum(cost_${cls}) AS ${EXACT_USD}) AS cost_${cls}`).join(', ')},
    CAST(sum(cost_usd) AS ${EXACT_USD}) AS cost_usd,
    ${layerColumns.join(', ')}
  FROM (${withLayerColumnsSql(source)})
  GROUP BY ${[...KEY_COLUMNS, 'slot'].join(', ')}`;
}

async function tableNames(db: Database, temporary: boolean): Promise<Set<string>> {
  const rows = await db.all<{ name: string }>(`SELECT table_name AS name FROM duckdb_tables() WHERE temporary = $temporary`, { temporary });
  return new Set(rows.map((r) => r.name));
}

/**
 * Bring the stored roll-up up to date after an ingest wrote spans, inside its transaction, with
 * the installed price book (`installPriceBook` ran): the runs that gained spans are rolled up
 * again, or everything when the book changed or there is no roll-up yet.
 */
export async function refreshCostRollup(db: Database, bookHash: string): Promise<void> {
  const stored = await tableNames(db, false);
  const state = stored.has('pricing_state') ? await db.one<{ book_hash: string; ingest_id: number; layout: number }>('SELECT * FROM pricing_state') : undefined;
  if (!stored.has('cost_rollup') || state === undefined || state.book_hash !== bookHash || Number(state.layout) !== LAYOUT) {
    await db.exec(`CREATE OR REPLACE TABLE cost_rollup AS ${rollupSelect('priced_spans')}`);
  } else {
    const fresh = { last: Number(state.ingest_id) };
    await db.exec(`CREATE OR REPLACE TEMP TABLE costattr_rollup_runs AS SELECT DISTINCT trace_id FROM spans WHERE ingest_id > $last`, fresh);
    await db.exec(`DELETE FROM cost_rollup WHERE trace_id IN (SELECT trace_id FROM costattr_rollup_runs)`);
    await db.exec(`INSERT INTO cost_rollup ${rollupSelect('(SELECT * FROM priced_spans WHERE trace_id IN (SELECT trace_id FROM costattr_rollup_runs))')}`);
    await db.exec('DROP TABLE costattr_rollup_runs');
  }
  await db.exec(
    `CREATE OR REPLACE TABLE pricing_state AS
     SELECT $hash::VARCHAR AS book_hash, (SELECT coalesce(max(ingest_id), 0) FROM spans)::INTEGER AS ingest_id,
            (SELECT count(*) FROM spans)::BIGINT AS span_rows, $layout::INTEGER AS layout`,
    { hash: bookHash, layout: LAYOUT },
  );
}

/** Forget that the stored roll-up is current (its spans changed outside an ingest: a recovery); the next ingest rebuilds it. */
export async function invalidateCostRollup(db: Database): Promise<void> {
  if ((await tableNames(db, false)).has('pricing_state')) await db.exec('DELETE FROM pricing_state');
}

/**
 * Whether the stored roll-up answers for the spans and price book this read sees: stored in this
 * layout, priced with the installed book, covering every stored span, and no temporary spans shadowing the stored
 * ones (inputs loaded beside --db, an unfinished ingest hidden).
 */
export async function storedRollupIsCurrent(db: Database): Promise<boolean> {
  const stored = await tableNames(db, false);
  const temporary = await tableNames(db, true);
  if (!stored.has('cost_rollup') || !stored.has('pricing_state') || temporary.has('spans') || !temporary.has('price_book_state')) return false;
  const columns = await db.all<{ name: string }>(`SELECT column_name AS name FROM duckdb_columns() WHERE table_name = 'pricing_state' AND database_name <> 'temp'`);
  if (!columns.some((c) => c.name === 'layout')) return false;
  const row = await db.one<{ current: boolean }>(
    `SELECT coalesce((SELECT book_hash FROM pricing_state) = (SELECT book_hash FROM price_book_state)
              AND (SELECT layout FROM pricing_state) = $layout
              AND (SELECT span_rows FROM pricing_state) = (SELECT count(*) FROM spans), false) AS current`,
    { layout: LAYOUT },
  );
  return row?.current === true;
}

/** Whether the period's bounds fall on quarter hours in UTC, so that roll-up slots are wholly in or out. */
async function onQuarterHours(db: Database, base: BaseRelation, bounds: readonly string[]): Promise<boolean> {
  if (bounds.length === 0) return true;
  const row = await db.one<{ aligned: boolean }>(
    `SELECT ${bounds.map((b) => `epoch_ms(${b}) % 900000 = 0`).join(' AND ')} AS aligned`,
    base.params,
  );
  return row?.aligned === true;
}

/**
 * Roll-up rows of the filter's spans, with `local_time` (the slot's start in the period's time
 * zone): from the stored roll-up when it is current and the period holds whole slots, otherwise
 * rolled up from the priced spans of the period. Either way the same columns and the same sums.
 */
export async function rollupRelation(db: Database, filter: SpanFilter): Promise<BaseRelation> {
  const stored = baseRelation(filter, { relation: 'cost_rollup', time: 'slot' });
  if ((await storedRollupIsCurrent(db)) && (await onQuarterHours(db, stored, stored.bounds))) return stored;
  const spans = baseRelation(filter);
  const everything: SpanFilter = { period: { since: undefined, until: undefined, timezone: filter.period.timezone } };
  const rolled = baseRelation(everything, { relation: `(${rollupSelect(`(${spans.sql})`)})`, time: 'slot' });
  return { sql: rolled.sql, params: { ...spans.params, ...rolled.params }, bounds: spans.bounds };
}
