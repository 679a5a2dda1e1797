/**
 * The stored cost roll-ups: priced spans summed per run (trace), attribution key and quarter hour,
 * so that attribution reads a few rows per run instead of re-pricing and re-grouping every span.
 * `runs`, `cost_rollup` and `run_rollup` are derived: ingest maintains them in the same transaction
 * as the spans, priced with the book whose hash `pricing_state` keeps (docs/data-model.md). A read
 * uses them only when they are current — same price book, same spans, same layout — and otherwise
 * rolls the priced spans up inline, so every answer is the one the raw spans give
 * (test/properties/cost-rollup.test.ts).
 *
 * Quarter hours: every real time zone's offset is a multiple of 15 minutes, so a UTC quarter hour
 * falls within one local day, week and month, and a period that starts and ends on quarter hours
 * (every date, every --month) holds whole slots.
 */
import type { Database } from '../db/database.js';
import { DUCKDB, type Dialect } from '../db/dialect.js';
import type { SqlEngine } from '../db/engine.js';
import { EXACT_USD } from '../db/money.js';
import { TOKEN_CLASSES } from '../db/schema.js';
import { materialisePricedSpans, priceBandsSelect, pricedSpansSelect } from '../pricebook/install.js';
import { LAYER_COLUMNS, withLayerColumnsSql } from './layers.js';
import { baseRelation, type BaseRelation, type SpanFilter } from './span-filter.js';
import { onceInRead } from './read-memo.js';
import { TOOL_CALL_ROLLUP, toolCallRollupSelect, toolCallsSql } from './tool-calls.js';

/** Attribution tags: every roll-up is keyed by them. */
const TAG_KEYS = ['tenant', 'user_id', 'task', 'route', 'tier', 'effort'] as const;
/** How a span was priced: only the model-level roll-up is keyed by them. */
const PRICING_KEYS = ['model', 'provider', 'service_tier', 'priced', 'unpriced_reason', 'long_context'] as const;

/**
 * The two stored roll-ups, finest first: `cost_rollup` per run, tags, pricing and quarter hour;
 * `run_rollup` per run, tags and quarter hour (about one row per run), summed from the first.
 */
const ROLLUPS = {
  cost_rollup: ['run', ...TAG_KEYS, ...PRICING_KEYS, 'slot'],
  run_rollup: ['run', ...TAG_KEYS, 'slot'],
} as const;
export type Rollup = keyof typeof ROLLUPS;

/** The pricing decisions (price bands, src/pricebook/install.ts) for every stored span's model, day and tier. */
export const STORED_BANDS = 'span_price_bands';

/** The roll-ups' columns and rules, as a number: roll-ups stored by another layout are rebuilt, never read. */
const LAYOUT = 7;

/**
 * Summed columns: spans, tokens and cost per class, and each layer's split (src/analysis/layers.ts);
 * for cache economics the naive cost (every input token at the input rate, plus output; priced spans
 * only), and for reconcile the unpriced spans carrying tokens of each class and the spans whose
 * provider reports no cache counts.
 */
const MEASURES: ReadonlyArray<{ column: string; money: boolean }> = [
  { column: 'spans', money: false },
  ...[...TOKEN_CLASSES, 'reasoning'].map((cls) => ({ column: `${cls}_tokens`, money: false })),
  ...TOKEN_CLASSES.map((cls) => ({ column: `cost_${cls}`, money: true })),
  { column: 'cost_usd', money: true },
  { column: 'naive_usd', money: true },
  { column: 'unpriced_spans', money: false },
  ...TOKEN_CLASSES.map((cls) => ({ column: `unpriced_${cls}_spans`, money: false })),
  { column: 'no_cache_count_spans', money: false },
  { column: 'priced_tokens', money: false },
  ...LAYER_COLUMNS.map((column) => ({ column, money: column.endsWith('_cost') })),
];

/** `rollup`'s rows over `source`: rows with its key columns and the measures, per span or already summed. */
export function rollupSelect(source: string, rollup: Rollup): string {
  const sums = MEASURES.map(({ column, money }) => (money ? `CAST(sum(${column}) AS ${EXACT_USD})` : `sum(${column})::BIGINT`) + ` AS ${column}`);
  return `SELECT ${ROLLUPS[rollup].join(', ')}, ${sums.join(', ')} FROM ${source} GROUP BY ${ROLLUPS[rollup].join(', ')}`;
}

const ALL_TOKENS = TOKEN_CLASSES.map((cls) => `${cls}_tokens`).join(' + ');

/** Priced spans (`source`) as roll-up input: one span each, its run (`run`), quarter hour, whether priced and layer split. */
function spanFacts(source: string, run: string, dialect: Dialect): string {
  return `(SELECT *, ${run} AS run, 1 AS spans, ${dialect.timeBucket(15, 'start_time')} AS slot, CASE WHEN priced THEN 0 ELSE 1 END AS unpriced_spans,
     CASE WHEN priced THEN total_input_tokens * rate_input + output_tokens * rate_output ELSE 0 END AS naive_usd,
     ${TOKEN_CLASSES.map((cls) => `CASE WHEN NOT priced AND ${cls}_tokens > 0 THEN 1 ELSE 0 END AS unpriced_${cls}_spans`).join(', ')},
     CASE WHEN input_convention = 'no_cache_counts' THEN 1 ELSE 0 END AS no_cache_count_spans,
     CASE WHEN priced THEN ${ALL_TOKENS} ELSE 0 END AS priced_tokens FROM (${withLayerColumnsSql(source)}))`;
}

/** `cost_rollup` computed from `pricedSpans`, with runs numbered by `runs` (a relation with its columns). */
export function storedRollupSelect(pricedSpans: string, runs = 'runs'): string {
  return rollupSelect(spanFacts(`(SELECT p.*, r.run AS run_no FROM ${pricedSpans} p JOIN ${runs} r USING (trace_id))`, 'run_no', DUCKDB), 'cost_rollup');
}

/** Spans rolled up per statement: an aggregate of about this many fits the ingest's memory budget (src/ingest/spans/memory.ts). */
const SPANS_PER_BATCH = 1_000_000;

/** Which batch a trace falls in: a plain predicate DuckDB evaluates during the scan (no semi-join over every span per batch). */
const IN_BATCH = 'hash(trace_id) % $batches = $batch';

/**
 * Bring the stored roll-ups up to date after an ingest wrote spans, inside its transaction, with
 * the installed price book (`installPriceBook` ran): the runs that gained spans are rolled up
 * again, or everything when the book or the layout changed or there is no roll-up yet. Runs are
 * numbered once, in `runs` (trace id → run), so the roll-ups group by an integer; the price bands
 * of every stored span are kept too (STORED_BANDS). The runs are rolled up in batches (by a hash
 * of the trace id, filtered in the scans of `spans` and `runs` themselves) so that each aggregate
 * fits the ingest's memory budget.
 */
export async function refreshCostRollup(db: Database, bookHash: string): Promise<void> {
  const stored = await db.relations('stored');
  const state = stored.has('pricing_state') ? await db.one<{ book_hash: string; ingest_id: number; layout: number }>('SELECT * FROM pricing_state') : undefined;
  const rebuild = !stored.has('cost_rollup') || state === undefined || state.book_hash !== bookHash || Number(state.layout) !== LAYOUT;
  const fresh = { last: rebuild ? 0 : Number(state.ingest_id) };
  if (rebuild) {
    await db.exec(`CREATE OR REPLACE TABLE ${STORED_BANDS} AS ${priceBandsSelect('spans')}`);
    await db.exec(`CREATE OR REPLACE TABLE runs AS SELECT trace_id, row_number() OVER () AS run FROM (SELECT DISTINCT trace_id FROM spans)`);
    await db.exec(`CREATE OR REPLACE TABLE cost_rollup AS ${storedRollupSelect('(SELECT * FROM priced_spans WHERE false)')}`);
    await db.exec(`CREATE OR REPLACE TABLE run_rollup AS ${rollupSelect('(SELECT * FROM cost_rollup WHERE false)', 'run_rollup')}`);
    await db.exec(`CREATE OR REPLACE TABLE ${TOOL_CALL_ROLLUP} AS ${toolCallRollupSelect('(SELECT * FROM spans WHERE false)', 'runs', DUCKDB)}`);
  } else {
    await db.exec(
      `INSERT INTO ${STORED_BANDS} SELECT * FROM (${priceBandsSelect('(SELECT * FROM spans WHERE ingest_id > $last)')}) b
       WHERE NOT EXISTS (SELECT 1 FROM ${STORED_BANDS} s WHERE s.served_key = b.served_key AND s.price_date = b.price_date AND s.service_tier = b.service_tier)`,
      fresh,
    );
    await db.exec(`INSERT INTO runs SELECT trace_id, (SELECT coalesce(max(run), 0) FROM runs) + row_number() OVER ()
                   FROM (SELECT DISTINCT trace_id FROM spans WHERE ingest_id > $last AND trace_id NOT IN (SELECT trace_id FROM runs))`, fresh);
  }
  await materialisePricedSpans(db, STORED_BANDS); // price by the stored bands from here on
  // the runs to roll up: every run, or the ones that gained spans (deleted from the roll-ups first)
  const touched = rebuild ? 'runs' : 'costattr_rollup_runs';
  if (!rebuild) {
    await db.exec(`CREATE OR REPLACE TEMP TABLE ${touched} AS SELECT run, trace_id FROM runs WHERE trace_id IN (SELECT trace_id FROM spans WHERE ingest_id > $last)`, fresh);
    for (const table of [...Object.keys(ROLLUPS), TOOL_CALL_ROLLUP]) await db.exec(`DELETE FROM ${table} WHERE run IN (SELECT run FROM ${touched})`);
  }
  const spans = await db.one<{ n: number }>('SELECT count(*)::INTEGER AS n FROM spans WHERE ingest_id > $last', fresh);
  const batches = Math.max(1, Math.ceil(Number(spans?.n ?? 0) / SPANS_PER_BATCH));
  const ofTouched = rebuild ? '' : ` AND trace_id IN (SELECT trace_id FROM ${touched})`;
  for (let batch = 0; batch < batches; batch++) {
    const inBatch = { batches, batch };
    const spansInBatch = `(SELECT * FROM spans WHERE ${IN_BATCH}${ofTouched})`;
    const runsInBatch = `(SELECT run, trace_id FROM ${touched} WHERE ${IN_BATCH})`;
    await db.exec(`INSERT INTO cost_rollup ${storedRollupSelect(`(${pricedSpansSelect(spansInBatch, STORED_BANDS)})`, runsInBatch)}`, inBatch);
    await db.exec(`INSERT INTO ${TOOL_CALL_ROLLUP} ${toolCallRollupSelect(spansInBatch, runsInBatch, DUCKDB)}`, inBatch);
  }
  // one row per run and quarter hour, from the cost roll-up's few rows per run: batches by run number
  const ofTouchedRuns = rebuild ? '' : ` AND run IN (SELECT run FROM ${touched})`;
  for (let batch = 0; batch < batches; batch++) {
    await db.exec(`INSERT INTO run_rollup ${rollupSelect(`(SELECT * FROM cost_rollup WHERE run % $batches = $batch${ofTouchedRuns})`, 'run_rollup')}`, { batches, batch });
  }
  if (!rebuild) await db.exec(`DROP TABLE ${touched}`);
  await db.exec(
    `CREATE OR REPLACE TABLE pricing_state AS
     SELECT $hash::VARCHAR AS book_hash, (SELECT coalesce(max(ingest_id), 0) FROM spans)::INTEGER AS ingest_id,
            (SELECT count(*) FROM spans)::BIGINT AS span_rows, $layout::INTEGER AS layout`,
    { hash: bookHash, layout: LAYOUT },
  );
}

/** Forget that the stored roll-up is current (its spans changed outside an ingest: a recovery); the next ingest rebuilds it. */
export async function invalidateCostRollup(db: Database): Promise<void> {
  if ((await db.relations('stored')).has('pricing_state')) await db.exec('DELETE FROM pricing_state');
}

/**
 * Whether the stored roll-up answers for the spans and price book this read sees: stored in this
 * layout, priced with the installed book, covering every stored span, and no temporary spans shadowing the stored
 * ones (inputs loaded beside --db, an unfinished ingest hidden). Stored means the database's own
 * tables, or a lake's (views over its files, or ClickHouse's relations over them); the installed
 * book of a lake is the one it was priced with (its manifest's `book_hash`).
 */
export function storedRollupIsCurrent(db: SqlEngine): Promise<boolean> {
  return onceInRead(db, 'stored roll-ups current', () => rollupIsCurrent(db));
}

async function rollupIsCurrent(db: SqlEngine): Promise<boolean> {
  const stored = await db.relations('stored');
  const temporary = await db.relations('temporary');
  if (![...Object.keys(ROLLUPS), TOOL_CALL_ROLLUP, 'runs', STORED_BANDS, 'pricing_state'].every((t) => stored.has(t)) || temporary.has('spans') || !temporary.has('price_book_state')) return false;
  if (!(await db.columns('pricing_state')).has('layout')) return false;
  const row = await db.one<{ current: boolean }>(
    `SELECT coalesce((SELECT book_hash FROM pricing_state) = (SELECT book_hash FROM price_book_state)
              AND (SELECT layout FROM pricing_state) = $layout
              AND (SELECT span_rows FROM pricing_state) = (SELECT count(*) FROM spans), false) AS current`,
    { layout: LAYOUT },
  );
  return row?.current === true;
}

/**
 * What to tell a reader whose stored roll-ups were built by another costattr (another layout): reads
 * price the spans instead, with the same answers, slower, until the next ingest rebuilds them.
 */
export async function staleRollupNote(db: SqlEngine): Promise<string | undefined> {
  if (!(await db.relations('stored')).has('pricing_state')) return undefined;
  const hasLayout = (await db.columns('pricing_state')).has('layout');
  const state = await db.one<{ layout: number | null }>(`SELECT ${hasLayout ? 'layout' : 'NULL AS layout'} FROM pricing_state LIMIT 1`);
  // no row: invalidated by a recovery (said by it), not another version
  if (state === undefined || Number(state.layout) === LAYOUT) return undefined;
  const layout = state.layout;
  return `the stored cost roll-ups were built by another version of costattr (layout ${layout ?? 'unknown'}, this one reads ${LAYOUT}): `
    + 'every read prices the spans instead (the same figures, slower) until the next `costattr ingest` rebuilds them';
}

/** Whether the stored roll-ups are current and the period (of `stored`, a relation over one) holds whole slots. */
async function storedAnswers(db: SqlEngine, stored: BaseRelation): Promise<boolean> {
  return (await storedRollupIsCurrent(db)) && (await onQuarterHours(db, stored, stored.bounds));
}

/** Whether the period's bounds fall on quarter hours in UTC, so that roll-up slots are wholly in or out. */
async function onQuarterHours(db: SqlEngine, base: BaseRelation, bounds: readonly string[]): Promise<boolean> {
  if (bounds.length === 0) return true;
  const sql = `SELECT ${bounds.map((b) => `${db.dialect.epochMs(b)} % 900000 = 0`).join(' AND ')} AS aligned`;
  // only the parameters the bounds name (DuckDB refuses unused ones, such as a --tenant)
  const params = Object.fromEntries(Object.entries(base.params).filter(([name]) => new RegExp(`\\$${name}\\b`).test(sql)));
  return onceInRead(db, `on quarter hours ${sql} ${JSON.stringify(params)}`, async () => (await db.one<{ aligned: boolean }>(sql, params))?.aligned === true);
}

/**
 * Roll-up rows of the filter's spans, with `local_time` (the slot's start in the period's time
 * zone): from the smallest stored roll-up that has the `pricing` keys when asked (model, provider,
 * whether and why unpriced), when it is current and the period holds whole slots; otherwise rolled
 * up from the priced spans of the period, runs keyed by trace id. Either way the same sums.
 */
export async function rollupRelation(db: SqlEngine, filter: SpanFilter, { pricing }: { pricing: boolean }): Promise<BaseRelation> {
  const rollup: Rollup = pricing ? 'cost_rollup' : 'run_rollup';
  const stored = baseRelation(filter, { relation: rollup, time: 'slot' }, db.dialect);
  if (await storedAnswers(db, stored)) return stored;
  const spans = baseRelation(filter, undefined, db.dialect);
  const everything: SpanFilter = { period: { since: undefined, until: undefined, timezone: filter.period.timezone } };
  const rolled = baseRelation(everything, { relation: `(${rollupSelect(spanFacts(`(${spans.sql})`, 'trace_id', db.dialect), rollup)})`, time: 'slot' }, db.dialect);
  return { sql: rolled.sql, params: { ...spans.params, ...rolled.params }, bounds: spans.bounds };
}


/**
 * The trace ids of the filter's `n` costliest runs and of every run tied with the last of them: a
 * superset of the first `n` by cost and then trace id, read from roll-up rows (stored runs are
 * numbered, rolled-up ones keyed by trace id) so that only those traces' spans need pricing.
 */
export async function costliestTraces(db: SqlEngine, filter: SpanFilter, n: number): Promise<string[]> {
  const base = await rollupRelation(db, filter, { pricing: false });
  const numbered = await storedAnswers(db, baseRelation(filter, { relation: 'run_rollup', time: 'slot' }, db.dialect));
  const rows = await db.all<{ trace_id: string }>(
    `WITH base AS (${base.sql}), per_run AS (SELECT run, sum(cost_usd) AS cost FROM base GROUP BY run)
     SELECT ${numbered ? 'r.trace_id' : 'p.run'} AS trace_id FROM per_run p ${numbered ? 'JOIN runs r ON r.run = p.run' : ''}
     WHERE p.cost >= (SELECT min(cost) FROM (SELECT cost FROM per_run ORDER BY cost DESC LIMIT ${Math.trunc(n)}) c)`,
    base.params,
  );
  return rows.map((row) => String(row.trace_id));
}

/**
 * The filter's tool calls as rows of `run`, tenant, tool_name, args (tool-calls.ts) and `calls`: the
 * stored groups (only those with enough calls in all to be a loop) when current and the period holds
 * whole slots, else one row per tool call of the period's spans, runs keyed by trace id.
 */
export async function toolCallRelation(db: SqlEngine, filter: SpanFilter): Promise<BaseRelation> {
  const stored = baseRelation(filter, { relation: TOOL_CALL_ROLLUP, time: 'slot' }, db.dialect);
  if (await storedAnswers(db, stored)) return stored;
  const spans = baseRelation(filter, { relation: 'spans', time: 'start_time' }, db.dialect);
  return { ...spans, sql: `SELECT trace_id AS run, tenant, tool_name, args, 1 AS calls FROM (${toolCallsSql(`(${spans.sql})`, db.dialect)})` };
}
