/**
 * The "why" of a diff: for a route whose cost per run moved, the usage figures that moved with it
 * — the model carrying most of the spend, model calls per run, input tokens per run (and the layer
 * that grew or shrank most), output tokens per run, the cache hit rate. Only movements that push
 * the cost the way it went are kept (a cost rise is not explained by a token count that fell), the
 * model change first, then by size.
 */
import type { ModelMix, UsageMetrics } from './run-usage.js';
import { round6 } from './run-usage.js';

/** A count per run must move at least this much (relative) to explain anything. */
export const DRIVER_MIN_CHANGE = 0.05;
/** The cache hit rate must move at least this many points (as a fraction). */
export const DRIVER_MIN_CACHE_POINTS = 0.02;

export type Layer = 'prompt' | 'tool' | 'memory';

export type Driver =
  | { route: string; metric: 'model'; base: string; head: string }
  | {
      route: string;
      metric: 'spans_per_run' | 'input_tokens_per_run' | 'response_tokens_per_run' | 'cache_hit_rate';
      base: number;
      head: number;
      delta_pct: number | null;
      /** For input tokens: the layer whose tokens per run moved most, and by how much (null without layer counters). */
      layer: { name: Layer; delta: number } | null;
    };

type CountMetric = 'spans_per_run' | 'input_tokens_per_run' | 'response_tokens_per_run';
const COUNTS: readonly CountMetric[] = ['spans_per_run', 'input_tokens_per_run', 'response_tokens_per_run'];
const LAYERS: readonly Layer[] = ['prompt', 'tool', 'memory'];

/** The model with the largest share of spend (of runs when nothing was spent); ties by name. */
function leadingModel(models: readonly ModelMix[]): string | null {
  const sorted = [...models].sort((a, b) => b.spend_share - a.spend_share || b.run_share - a.run_share || (a.model < b.model ? -1 : 1));
  return sorted[0]?.model ?? null;
}

function movedLayer(base: UsageMetrics, head: UsageMetrics): { name: Layer; delta: number } | null {
  let best: { name: Layer; delta: number } | null = null;
  for (const name of LAYERS) {
    const before = base[`${name}_tokens_per_run`];
    const after = head[`${name}_tokens_per_run`];
    if (before === null || after === null) continue;
    const delta = round6(after - before);
    if (delta !== 0 && (best === null || Math.abs(delta) > Math.abs(best.delta))) best = { name, delta };
  }
  return best;
}

/** Why `route`'s cost per run moved from `base` to `head`; empty when it did not move. */
export function explainChange(route: string, base: UsageMetrics, head: UsageMetrics): Driver[] {
  const direction = Math.sign(head.cost_per_run - base.cost_per_run);
  if (direction === 0) return [];
  const drivers: Driver[] = [];
  const [fromModel, toModel] = [leadingModel(base.models), leadingModel(head.models)];
  if (fromModel !== null && toModel !== null && fromModel !== toModel) drivers.push({ route, metric: 'model', base: fromModel, head: toModel });
  const counts: Driver[] = [];
  for (const metric of COUNTS) {
    const [before, after] = [base[metric], head[metric]];
    const pct = before === 0 ? null : round6((after - before) / before);
    const moved = pct === null ? after > 0 : Math.abs(pct) >= DRIVER_MIN_CHANGE;
    if (!moved || Math.sign(after - before) !== direction) continue;
    counts.push({ route, metric, base: before, head: after, delta_pct: pct, layer: metric === 'input_tokens_per_run' ? movedLayer(base, head) : null });
  }
  const [hitBefore, hitAfter] = [base.cache_hit_rate, head.cache_hit_rate];
  // a falling hit rate raises the cost
  if (hitBefore !== null && hitAfter !== null && Math.abs(hitAfter - hitBefore) >= DRIVER_MIN_CACHE_POINTS && Math.sign(hitBefore - hitAfter) === direction) {
    counts.push({ route, metric: 'cache_hit_rate', base: hitBefore, head: hitAfter, delta_pct: hitBefore === 0 ? null : round6((hitAfter - hitBefore) / hitBefore), layer: null });
  }
  const size = (d: Driver): number => (d.metric === 'model' ? Infinity : d.delta_pct === null ? Infinity : Math.abs(d.delta_pct));
  return [...drivers, ...counts.sort((a, b) => size(b) - size(a))];
}
