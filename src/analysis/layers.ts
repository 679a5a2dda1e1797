/**
 * Splitting a span's tokens and cost over the four layers: prompt, tool, memory, response.
 *
 * The rule (documented in the README): `response` is the output (tokens and output cost).
 * The input side is laid out as one token sequence in two ways and the two are overlapped:
 *   - by layer, in prefix order: prompt [0, p), tool [p, p+t), memory [p+t, p+t+m), the rest `unknown`;
 *   - by token class, cached prefix first: cache_read, then cache_write_5m, then cache_write_1h,
 *     then uncached input.
 * Providers cache the front of a request, and harnesses fill the front with the system prompt,
 * then the tool definitions, then the history/retrieved memory, so a cache hit is credited to the
 * prompt before the tool layer, and so on. Each layer × class overlap is priced at that class's
 * rate. Input not covered by the layer counters (or a span without any) goes to `unknown`, never
 * guessed; counters that claim more than the request's input are clipped to it. The layers of a
 * span sum exactly to its cost (DECIMAL rate × integer tokens, the price book's own product).
 * As for a span's cost, the products are summed as BIGINT 10⁻¹⁵ USD while the span's tokens are
 * within its band's `femto_limit` (no overflow possible; 128-bit DECIMAL products cost ~10× more)
 * and as DECIMAL beyond it: the same exact figures either way.
 */
import { EXACT_USD, FEMTO_USD } from '../db/money.js';

export const LAYERS = ['prompt', 'tool', 'memory', 'unknown', 'response'] as const;
export type Layer = (typeof LAYERS)[number];

/** What each layer row carries, as columns of the split (`<measure>`) or of the roll-up (`<layer>_<measure>`). */
export const LAYER_MEASURES = ['spans', 'in_t', 'cr_t', 'cw_t', 'out_t', 'cost'] as const;

const CR = 'cache_read_tokens';
const W5 = `(${CR} + cache_write_5m_tokens)`;
const W1 = `(${W5} + cache_write_1h_tokens)`;
const ALL = `(${W1} + input_tokens)`;

/** Each layer's token range [lo, hi) in the request's input, over the columns `layerBoundsSql` adds. */
const RANGES: Record<Layer, { lo: string; hi: string }> = {
  prompt: { lo: '0', hi: 'prompt_end' },
  tool: { lo: 'prompt_end', hi: 'tool_end' },
  memory: { lo: 'tool_end', hi: 'memory_end' },
  unknown: { lo: 'memory_end', hi: ALL },
  response: { lo: '0', hi: '0' },
};

/** `source` with the layers' boundaries added: counters clipped to the request's input. */
function layerBoundsSql(source: string): string {
  return `SELECT *,
      least(coalesce(prompt_tokens, 0), ${ALL}) AS prompt_end,
      least(coalesce(prompt_tokens, 0) + coalesce(tool_tokens, 0), ${ALL}) AS tool_end,
      least(coalesce(prompt_tokens, 0) + coalesce(tool_tokens, 0) + coalesce(memory_tokens, 0), ${ALL}) AS memory_end
    FROM ${source}`;
}

/**
 * One priced span's share of the layer whose input range is [lo, hi) (SQL over the span's columns
 * and its bounds; the response layer has no input and all the output): whether the span has any of
 * it (`spans`, 1 or 0), tokens per class and cost.
 */
function layerMeasures(isResponse: boolean, lo: string, hi: string): Record<(typeof LAYER_MEASURES)[number], string> {
  /** Tokens of [lo, hi) that fall in [from, to). */
  const overlap = (from: string, to: string): string => `greatest(0, least(${hi}, ${to}) - greatest(${lo}, ${from}))`;
  const crT = overlap('0', CR);
  const w5T = overlap(CR, W5);
  const w1T = overlap(W5, W1);
  const inT = overlap(W1, ALL);
  return {
    spans: isResponse ? 'CASE WHEN output_tokens > 0 THEN 1 ELSE 0 END' : `CASE WHEN ${hi} > ${lo} THEN 1 ELSE 0 END`,
    in_t: inT,
    cr_t: crT,
    cw_t: `${w5T} + ${w1T}`,
    out_t: isResponse ? 'output_tokens' : '0',
    cost: `CASE WHEN ${ALL} + output_tokens <= femto_limit
           THEN CAST(CAST(${inT} * femto_rate_input + ${crT} * femto_rate_cache_read + ${w5T} * femto_rate_cache_write_5m
                          + ${w1T} * femto_rate_cache_write_1h AS DECIMAL(18,0)) * ${FEMTO_USD} AS ${EXACT_USD})
           ELSE ${inT} * coalesce(rate_input, 0)
             + ${crT} * coalesce(rate_cache_read, 0)
             + ${w5T} * coalesce(rate_cache_write_5m, 0)
             + ${w1T} * coalesce(rate_cache_write_1h, 0) END
        + ${isResponse ? 'cost_output' : '0'}`,
  };
}

/**
 * `source` (priced spans) with each layer's measures as columns `<layer>_<measure>`: what the cost
 * roll-up sums per run, so that a layer split reads the roll-up (`unpivotLayersSql`).
 */
export function withLayerColumnsSql(source: string): string {
  const columns = LAYERS.flatMap((layer) => {
    const { lo, hi } = RANGES[layer];
    const measures = layerMeasures(layer === 'response', lo, hi);
    return LAYER_MEASURES.map((m) => `${measures[m]} AS ${layer}_${m}`);
  });
  return `SELECT *, ${columns.join(',\n      ')} FROM (${layerBoundsSql(source)})`;
}

/** The `<layer>_<measure>` columns the split adds, the cost roll-up sums and a layer cut reads. */
export const LAYER_COLUMNS: readonly string[] = LAYERS.flatMap((layer) => LAYER_MEASURES.map((m) => `${layer}_${m}`));

/** Each layer's measures summed, as `<layer>_<measure>` columns again (over rows that have them). */
export function sumLayerColumnsSql(): string {
  return LAYER_COLUMNS.map((column) => `sum(${column}) AS ${column}`).join(', ');
}

/**
 * A relation with one row per (`source` row, layer) that has the layer, over `source` (rows with the
 * `<layer>_<measure>` columns): keeps `passThrough` columns, adds `layer` and the measures. Written
 * as a cross join with the layers and a CASE per measure, which both engines read (no `unnest`).
 */
export function unpivotLayersSql(passThrough: string, source: string): string {
  const layers = LAYERS.map((layer) => `SELECT '${layer}' AS layer`).join(' UNION ALL ');
  const measures = LAYER_MEASURES.map((m) => `CASE l.layer ${LAYERS.map((layer) => `WHEN '${layer}' THEN ${layer}_${m}`).join(' ')} END AS ${m}`);
  return `
    SELECT * FROM (
      SELECT ${passThrough}, l.layer AS layer, ${measures.join(', ')}
      FROM ${source} CROSS JOIN (${layers}) l
    )
    WHERE spans > 0`;
}
