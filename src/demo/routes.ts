/**
 * What one run of each route looks like: its tool calls and chat calls, models, token sizes and
 * cache behaviour (healthy calls read about 75% of their input from the cache). `loopingReportGen`
 * is the runaway tenants' integration bug: the same query with near-identical arguments 8–30 times,
 * each result fed back to the model.
 */
import type { Prng } from './prng.js';
import type { LayerShares, TraceBuilder } from './trace-builder.js';

export const ROUTES = ['inbox-triage', 'summary', 'draft-reply', 'report-gen'] as const;
export type Route = (typeof ROUTES)[number];

export const TASKS: Readonly<Record<Route, readonly string[]>> = {
  'inbox-triage': ['triage-new-mail', 'reprioritise-backlog'],
  summary: ['thread-summary', 'daily-digest'],
  'draft-reply': ['reply-draft', 'follow-up-draft'],
  'report-gen': ['weekly-report', 'sla-report'],
};

const STANDARD_LAYERS: LayerShares = { prompt: [0.38, 0.5], tool: [0.15, 0.25] };
const LOOP_LAYERS: LayerShares = { prompt: [0.18, 0.24], tool: [0.5, 0.6] };

/** Cache behaviour of a well-behaved call: ~75% read, a small write for the new suffix. */
function healthyCache(rng: Prng): { hit: number; write: number } {
  return { hit: rng.between(0.66, 0.84), write: rng.between(0.03, 0.08) };
}

function size(rng: Prng, min: number, max: number): number {
  return rng.int(min, max);
}

function threadId(rng: Prng): string {
  return `th_${rng.hex(6)}`;
}

/** The bulk of the traffic: large batched Sonnet calls (many threads summarised or answered at once). */
function sonnetCalls(b: TraceBuilder, rng: Prng, count: number): void {
  for (let i = 0; i < count; i++) {
    b.chat('claude-sonnet-4-5', { totalInput: size(rng, 100_000, 190_000), output: size(rng, 20_000, 48_000), layers: STANDARD_LAYERS, ...healthyCache(rng) });
  }
}

export function buildRoute(route: Route, b: TraceBuilder, rng: Prng): void {
  switch (route) {
    case 'inbox-triage':
      b.tool('list_new_messages', JSON.stringify({ folder: 'inbox', limit: rng.pick([100, 200, 500]) }));
      b.chat('claude-haiku-4-5', { totalInput: size(rng, 100_000, 190_000), output: size(rng, 10_000, 24_000), layers: STANDARD_LAYERS, ...healthyCache(rng) });
      b.chat('claude-haiku-4-5', { totalInput: size(rng, 60_000, 120_000), output: size(rng, 4_000, 10_000), layers: STANDARD_LAYERS, ...healthyCache(rng) });
      return;
    case 'summary':
      b.tool('get_thread', JSON.stringify({ thread_id: threadId(rng) }));
      sonnetCalls(b, rng, 2);
      return;
    case 'draft-reply':
      b.tool('get_thread', JSON.stringify({ thread_id: threadId(rng) }));
      sonnetCalls(b, rng, 3);
      if (rng.chance(0.2)) {
        b.chat('gpt-4.1-mini', { totalInput: size(rng, 8_000, 24_000), output: size(rng, 400, 1_200), layers: STANDARD_LAYERS, ...healthyCache(rng) });
      }
      return;
    case 'report-gen':
      b.tool('query_metrics', JSON.stringify({ range: 'last_7_days', group_by: rng.pick(['sender', 'label', 'assignee']) }));
      b.chat('claude-opus-4-6', { totalInput: size(rng, 120_000, 190_000), output: size(rng, 28_000, 60_000), layers: STANDARD_LAYERS, ...healthyCache(rng) });
      sonnetCalls(b, rng, 2);
      return;
    default:
      route satisfies never;
  }
}

/**
 * The loop bug: the tenant's metrics integration always answers "partial results, retry", and the
 * agent re-issues the same query 8–30 times, feeding every answer back to the model. The harness
 * keeps a sliding window, so each iteration re-writes much of its context to the cache.
 */
export function loopingReportGen(b: TraceBuilder, rng: Prng, source: string): number {
  b.chat('claude-opus-4-6', { totalInput: size(rng, 80_000, 120_000), output: size(rng, 4_000, 8_000), layers: STANDARD_LAYERS, ...healthyCache(rng) });
  const iterations = rng.int(8, 30);
  for (let attempt = 1; attempt <= iterations; attempt++) {
    const args = rng.chance(0.5)
      ? `{"source": "${source}", "range": "last_30_days", "group_by": "sender", "attempt": ${attempt}}`
      : `{"source":"${source}","range":"last_30_days","group_by":"sender","attempt":${attempt}}`;
    b.tool('query_metrics', args);
    b.chat('claude-opus-4-6', {
      totalInput: Math.min(190_000, 120_000 + attempt * 5_000 + rng.int(0, 8_000)),
      hit: rng.between(0.5, 0.6),
      write: rng.between(0.3, 0.38),
      output: size(rng, 6_000, 12_000),
      layers: LOOP_LAYERS,
    });
  }
  return iterations;
}
