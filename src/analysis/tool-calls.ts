/**
 * Tool calls grouped the way margins.ts reads a loop: per run, tenant, tool and normalised arguments
 * (lowercased, whitespace dropped, digit runs read as one placeholder, so `"attempt": 7` matches
 * `"attempt":8`), with the number of calls. Ingest stores the groups per quarter hour in
 * `tool_call_rollup` beside the cost roll-ups (cost-rollup.ts), keeping only the groups called at
 * least TOOL_LOOP_MIN_CALLS times in all: no period can hold a loop of the others.
 */
import type { Dialect } from '../db/dialect.js';

/** Calls of one tool with the same normalised arguments in one trace from which they are a loop. */
export const TOOL_LOOP_MIN_CALLS = 5;

/** The stored tool-call groups (cost-rollup.ts keeps them current with the cost roll-ups). */
export const TOOL_CALL_ROLLUP = 'tool_call_rollup';

/** The tool calls of `spans` (a relation with span columns) with `args`, their normalised arguments. */
export function toolCallsSql(spans: string, d: Dialect): string {
  const args = d.replaceAll(d.replaceAll(`lower(coalesce(tool_arguments, ''))`, '\\s+', ''), '\\d+', '#');
  return `SELECT *, ${args} AS args FROM ${spans} WHERE tool_name IS NOT NULL AND tenant IS NOT NULL`;
}

/**
 * `tool_call_rollup` rows for the tool calls of `spans` joined to `runs` (trace_id → run): per run,
 * tenant, tool, arguments and quarter hour, the groups with at least TOOL_LOOP_MIN_CALLS calls in all.
 */
export function toolCallRollupSelect(spans: string, runs: string, d: Dialect): string {
  return `SELECT run, tenant, tool_name, args, slot, count(*)::BIGINT AS calls
    FROM (SELECT r.run, c.tenant, c.tool_name, c.args, ${d.timeBucket(15, 'c.start_time')} AS slot,
                 count(*) OVER (PARTITION BY r.run, c.tenant, c.tool_name, c.args) AS group_calls
          FROM (${toolCallsSql(spans, d)}) c JOIN ${runs} r ON r.trace_id = c.trace_id)
    WHERE group_calls >= ${TOOL_LOOP_MIN_CALLS}
    GROUP BY run, tenant, tool_name, args, slot`;
}
