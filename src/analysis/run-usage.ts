/**
 * Per-route figures computed from per-run token usage and a set of per-token rates: the one
 * computation behind both `snapshot` (priced with its own rates) and `diff` (both sides priced
 * with one side's rates). Money is exact: rates are decimal strings with at most 15 fraction
 * digits, so tokens × rate is an integer count of 1e-15 USD held in a bigint, summed exactly and
 * rounded to 6 decimals only when a figure is produced.
 *
 * Definitions match `costs`: a run is a trace; p50/p95 interpolate linearly between the closest
 * ranks (DuckDB `quantile_cont`); cache_hit_rate = cache_read / total input, null without input.
 * Layer figures are null when no span of the group carried layer counters (never invented).
 */
import { TOKEN_CLASSES, type TokenClass } from '../db/schema.js';

/** Tokens of one run on one route, one model × service tier × long-context band. */
export interface UsageRow extends Record<TokenClass, number> {
  run: number;
  route: string;
  model: string;
  tier: string;
  long_context: boolean;
  spans: number;
  prompt: number | null;
  tool: number | null;
  memory: number | null;
}

/** USD per token for one model × service tier × long-context band, as exact decimal strings. */
export interface RateRow extends Record<TokenClass, string> {
  model: string;
  tier: string;
  long_context: boolean;
}

export interface ModelMix {
  model: string;
  /** Share of the group's runs that used the model. */
  run_share: number;
  /** Share of the group's spend on the model (0 when the group cost nothing). */
  spend_share: number;
}

export interface UsageMetrics {
  runs: number;
  spans: number;
  cost_usd: number;
  cost_per_run: number;
  p50_run_usd: number;
  p95_run_usd: number;
  spans_per_run: number;
  input_tokens_per_run: number;
  prompt_tokens_per_run: number | null;
  tool_tokens_per_run: number | null;
  memory_tokens_per_run: number | null;
  response_tokens_per_run: number;
  cache_hit_rate: number | null;
  /** Spans no rate was found for (their cost counts as 0: the cost is a lower bound). */
  unpriced_spans: number;
  models: ModelMix[];
}

export interface UsageSummary {
  routes: Record<string, UsageMetrics>;
  totals: UsageMetrics;
}

export type RateLookup = (row: UsageRow) => RateRow | undefined;

export function rateKey(row: Pick<RateRow, 'model' | 'tier' | 'long_context'>): string {
  return JSON.stringify([row.model, row.tier, row.long_context]);
}

/** A lookup over one set of rates. */
export function ratesLookup(rates: readonly RateRow[]): RateLookup {
  const byKey = new Map(rates.map((rate) => [rateKey(rate), rate]));
  return (row) => byKey.get(rateKey(row));
}

const FEMTO_PER_USD = 10n ** 15n;

/** "0.000003" → 3000000000n (units of 1e-15 USD). */
function rateUnits(rate: string): bigint {
  const match = /^(\d+)(?:\.(\d{0,15}))?$/.exec(rate);
  if (!match) throw new Error(`not a per-token rate with at most 15 decimals: ${rate}`);
  return BigInt(match[1] ?? '0') * FEMTO_PER_USD + BigInt((match[2] ?? '').padEnd(15, '0'));
}

/** Exact cost of a usage row in 1e-15 USD, or null when no rate applies. */
function rowCost(row: UsageRow, rate: RateRow | undefined): bigint | null {
  if (rate === undefined) return null;
  let total = 0n;
  for (const cls of TOKEN_CLASSES) total += BigInt(row[cls]) * rateUnits(rate[cls]);
  return total;
}

/** 1e-15 USD → USD rounded half away from zero to 6 decimals. */
function unitsToUsd(units: bigint): number {
  const step = 10n ** 9n;
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const micro = (abs + step / 2n) / step;
  const usd = Number(micro) / 1e6;
  return negative ? -usd : usd;
}

export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** DuckDB quantile_cont: linear interpolation between the closest ranks of the sorted values. */
function quantile(sorted: readonly bigint[], p: number): bigint {
  if (sorted.length === 0) return 0n;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const low = sorted[lo] ?? 0n;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] ?? low;
  const fraction = h - lo;
  return low + BigInt(Math.round(Number(high - low) * fraction));
}

interface PricedRow {
  row: UsageRow;
  cost: bigint | null;
}

/** Figures per route (`__unattributed__` for runs with no route) and for all runs. */
export function summarizeUsage(rows: readonly UsageRow[], rateFor: RateLookup): UsageSummary {
  const priced = rows.map((row) => ({ row, cost: rowCost(row, rateFor(row)) }));
  const byRoute = new Map<string, PricedRow[]>();
  for (const item of priced) {
    const group = byRoute.get(item.row.route) ?? [];
    group.push(item);
    byRoute.set(item.row.route, group);
  }
  const routes: Record<string, UsageMetrics> = {};
  for (const route of [...byRoute.keys()].sort()) routes[route] = metricsOf(byRoute.get(route) ?? []);
  return { routes, totals: metricsOf(priced) };
}

function metricsOf(items: readonly PricedRow[]): UsageMetrics {
  const runCost = new Map<number, bigint>();
  const modelRuns = new Map<string, Set<number>>();
  const modelCost = new Map<string, bigint>();
  const layerSums: Record<'prompt' | 'tool' | 'memory', number | null> = { prompt: null, tool: null, memory: null };
  let spans = 0;
  let unpriced = 0;
  let totalInput = 0;
  let cacheRead = 0;
  let output = 0;
  let cost = 0n;
  for (const { row, cost: rowUnits } of items) {
    const units = rowUnits ?? 0n;
    runCost.set(row.run, (runCost.get(row.run) ?? 0n) + units);
    modelRuns.set(row.model, (modelRuns.get(row.model) ?? new Set<number>()).add(row.run));
    modelCost.set(row.model, (modelCost.get(row.model) ?? 0n) + units);
    for (const layer of ['prompt', 'tool', 'memory'] as const) {
      const value = row[layer];
      if (value !== null) layerSums[layer] = (layerSums[layer] ?? 0) + value;
    }
    spans += row.spans;
    if (rowUnits === null) unpriced += row.spans;
    totalInput += row.input + row.cache_read + row.cache_write_5m + row.cache_write_1h;
    cacheRead += row.cache_read;
    output += row.output;
    cost += units;
  }
  const runs = runCost.size;
  const perRun = (value: number) => (runs === 0 ? 0 : round6(value / runs));
  const layerPerRun = (value: number | null) => (value === null ? null : perRun(value));
  const sortedRunCosts = [...runCost.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    runs,
    spans,
    cost_usd: unitsToUsd(cost),
    cost_per_run: runs === 0 ? 0 : unitsToUsd(divideRounded(cost, BigInt(runs))),
    p50_run_usd: unitsToUsd(quantile(sortedRunCosts, 0.5)),
    p95_run_usd: unitsToUsd(quantile(sortedRunCosts, 0.95)),
    spans_per_run: perRun(spans),
    input_tokens_per_run: perRun(totalInput),
    prompt_tokens_per_run: layerPerRun(layerSums.prompt),
    tool_tokens_per_run: layerPerRun(layerSums.tool),
    memory_tokens_per_run: layerPerRun(layerSums.memory),
    response_tokens_per_run: perRun(output),
    cache_hit_rate: totalInput === 0 ? null : round6(cacheRead / totalInput),
    unpriced_spans: unpriced,
    models: [...modelRuns.keys()].sort().map((model) => ({
      model,
      run_share: runs === 0 ? 0 : round6((modelRuns.get(model)?.size ?? 0) / runs),
      spend_share: cost === 0n ? 0 : round6(Number(modelCost.get(model) ?? 0n) / Number(cost)),
    })),
  };
}

function divideRounded(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}
