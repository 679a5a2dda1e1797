// The two flat JSONL ingests the kill tests interrupt: `earlier` (trace 1's root with tenant t1, and
// trace 2's child whose parent is still missing) and `run` (a child of trace 1 that inherits t1,
// trace 2's parent that gives the stored child t2, and 20 more spans of tenant t9). Flat JSONL is the
// cheapest source to start, which matters when every kill is a fresh process.
import { writeLines } from '../ingest/otlp-builder.js';

/** One flat JSONL span: a Haiku call with `input` input tokens and 10 output tokens. */
export const flatSpan = (trace: string, id: string, input: number, extra: Record<string, string | number> = {}): string => JSON.stringify({
  trace_id: trace, span_id: id, operation: 'chat', provider: 'anthropic', request_model: 'claude-haiku-4-5',
  input_tokens: input, output_tokens: 10, start_time: '2026-01-01T00:00:00Z', ...extra,
});

export interface InterruptedRun {
  earlier: string;
  run: string;
  /** The run's 20 extra spans, as written. */
  more: ReadonlyArray<{ trace: string; id: string; input: number }>;
}

/** Write both files into `dir`; the 20 extra spans start at `moreStart` (default: with the rest, 2026-01-01). */
export function writeInterruptedRun(dir: string, moreStart?: string): InterruptedRun {
  const earlier = writeLines(dir, 'earlier.jsonl', [flatSpan('t1', 's1', 100, { tenant: 't1' }), flatSpan('t2', 's21', 200, { parent_span_id: 's20' })]);
  const more = Array.from({ length: 20 }, (_, i) => ({ trace: `t${100 + i}`, id: `s${100 + i}`, input: 1000 + i }));
  const run = writeLines(dir, 'run.jsonl', [
    flatSpan('t1', 's2', 300, { parent_span_id: 's1' }),
    JSON.stringify({ trace_id: 't2', span_id: 's20', operation: 'invoke_agent', tenant: 't2', start_time: '2026-01-01T00:00:00Z' }),
    ...more.map((m) => flatSpan(m.trace, m.id, m.input, { tenant: 't9', ...(moreStart ? { start_time: moreStart } : {}) })),
  ]);
  return { earlier, run, more };
}
