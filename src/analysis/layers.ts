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

/** Tokens of [lo, hi) that fall in [from, to). */
function overlap(from: string, to: string): string {
  return `greatest(0, least(hi, ${to}) - greatest(lo, ${from}))`;
}

/**
 * A relation with one row per (span, layer) that holds tokens, over `base`: keeps `passThrough`
 * columns, adds `layer`, `in_t`, `cr_t`, `cw_t` (5m + 1h), `out_t` and `cost`.
 */
export function layerFactsSql(passThrough: string): string {
  const cr = 'cache_read_tokens';
  const w5 = `(${cr} + cache_write_5m_tokens)`;
  const w1 = `(${w5} + cache_write_1h_tokens)`;
  const all = `(${w1} + input_tokens)`;
  const crT = overlap('0', cr);
  const w5T = overlap(cr, w5);
  const w1T = overlap(w5, w1);
  const inT = overlap(w1, all);
  return `
    SELECT ${passThrough}, layer,
      ${inT} AS in_t,
      ${crT} AS cr_t,
      ${w5T} + ${w1T} AS cw_t,
      CASE WHEN layer = 'response' THEN output_tokens ELSE 0 END AS out_t,
      CASE WHEN ${all} + output_tokens <= femto_limit
           THEN CAST(CAST(${inT} * femto_rate_input + ${crT} * femto_rate_cache_read + ${w5T} * femto_rate_cache_write_5m
                          + ${w1T} * femto_rate_cache_write_1h AS DECIMAL(18,0)) * ${FEMTO_USD} AS ${EXACT_USD})
           ELSE ${inT} * coalesce(rate_input, 0)
             + ${crT} * coalesce(rate_cache_read, 0)
             + ${w5T} * coalesce(rate_cache_write_5m, 0)
             + ${w1T} * coalesce(rate_cache_write_1h, 0) END
        + CASE WHEN layer = 'response' THEN cost_output ELSE 0 END AS cost
    FROM (
      SELECT *,
        unnest(['prompt', 'tool', 'memory', 'unknown', 'response']) AS layer,
        unnest([0, prompt_end, tool_end, memory_end, 0]) AS lo,
        unnest([prompt_end, tool_end, memory_end, ${all}, 0]) AS hi
      FROM (
        SELECT *,
          least(coalesce(prompt_tokens, 0), ${all}) AS prompt_end,
          least(coalesce(prompt_tokens, 0) + coalesce(tool_tokens, 0), ${all}) AS tool_end,
          least(coalesce(prompt_tokens, 0) + coalesce(tool_tokens, 0) + coalesce(memory_tokens, 0), ${all}) AS memory_end
        FROM base
      )
    )
    WHERE hi > lo OR (layer = 'response' AND output_tokens > 0)`;
}
