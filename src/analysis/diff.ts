/**
 * `costattr diff`: compares two snapshots (base, head) per route and in total, judges the
 * threshold rules, and says whether the gate failed.
 *
 * Pricing: by default both sides are priced with the base side's rates, so a price change alone
 * is not a regression; a model × tier the base never priced falls back to the head's own rate (and
 * a note says so). `reprice` prices each side with its own rates and reports the price effect: the
 * head's cost per run at its own prices minus at the base prices.
 *
 * Routes present on one side only have status `added` / `removed`; change rules (`+10%`, `+0.02`)
 * are judged on routes present on both sides, level rules (`0.5`) on every head route. The totals
 * row is route `__total__`.
 */
import {
  DIFF_METRICS,
  observedValue,
  ruleCovers,
  ruleTrips,
  type DiffMetric,
  type DiffRule,
  type RuleLevel,
} from './diff-rules.js';
import { rateKey, ratesLookup, round6, summarizeUsage, type RateLookup, type UsageMetrics, type UsageSummary } from './run-usage.js';
import type { LoadedSnapshot, SnapshotProvenance } from './snapshot.js';

export const TOTAL_ROUTE = '__total__';

export interface DiffInput extends LoadedSnapshot {
  /** Where the side came from (a snapshot file, or the span files it was made from). */
  source: string;
}

/** Stay silent when no cost per run (total or route) moved more than this, and nothing else happened. */
export type SkipBelow = { kind: 'usd'; value: number } | { kind: 'pct'; value: number };

export interface DiffSpec {
  reprice: boolean;
  rules: DiffRule[];
  skipBelow?: SkipBelow | undefined;
}

/** One side of a diff: where it came from (a snapshot's provenance) and its totals as priced here. */
export interface DiffSide extends SnapshotProvenance {
  source: string;
  /** As priced in this diff. */
  cost_usd: number;
  cost_per_run: number;
  unpriced_spans: number;
}

export type ChangeStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface DiffChange {
  route: string;
  metric: DiffMetric;
  base: number | null;
  head: number | null;
  delta: number | null;
  delta_pct: number | null;
  status: ChangeStatus;
}

export interface TrippedRule {
  rule: string;
  level: RuleLevel;
  route: string;
  metric: DiffMetric;
  base: number | null;
  head: number | null;
  delta: number | null;
  delta_pct: number | null;
}

export interface PriceEffect {
  route: string;
  /** Head cost per run priced with the base rates, and with its own. */
  head_at_base_prices: number;
  head_at_head_prices: number;
  delta: number;
}

export interface DiffResult {
  base: DiffSide;
  head: DiffSide;
  /** `base`: both sides at the base rates; `own`: each side at its own (`--reprice`). */
  pricing: 'base' | 'own';
  changes: DiffChange[];
  tripped: TrippedRule[];
  failed: boolean;
  /** Only with `reprice`: how much of the head's cost per run is the price change. */
  price_effect: PriceEffect[] | null;
  /** True when `skipBelow` was given and nothing moved beyond it (renderers print nothing). */
  skipped: boolean;
  notes: string[];
}

export function diffSnapshots(base: DiffInput, head: DiffInput, spec: DiffSpec): DiffResult {
  const notes: string[] = [];
  const baseRates = ratesLookup(base.rates);
  const headRates = ratesLookup(head.rates);
  const baseSummary = summarizeUsage(base.usage, baseRates);
  const headAtBase = summarizeUsage(head.usage, withFallback(baseRates, headRates, head, notes));
  const headAtOwn = spec.reprice ? summarizeUsage(head.usage, headRates) : null;
  const headSummary = headAtOwn ?? headAtBase;

  const routes = [...new Set([...Object.keys(baseSummary.routes), ...Object.keys(headSummary.routes)])].sort();
  const changes = [TOTAL_ROUTE, ...routes].flatMap((route) =>
    DIFF_METRICS.map((metric) => changeOf(route, metric, metricsOf(baseSummary, route), metricsOf(headSummary, route))),
  );
  const tripped = spec.rules.flatMap((rule) => judge(rule, routes, baseSummary, headSummary, notes));
  for (const [side, summary] of [['base', baseSummary], ['head', headSummary]] as const) {
    if (summary.totals.unpriced_spans > 0) {
      notes.push(`${summary.totals.unpriced_spans} ${side} spans have no price: the ${side} cost is a lower bound`);
    }
  }
  const result: DiffResult = {
    base: sideOf(base, baseSummary),
    head: sideOf(head, headSummary),
    pricing: spec.reprice ? 'own' : 'base',
    changes,
    tripped,
    failed: tripped.some((t) => t.level === 'fail'),
    price_effect: headAtOwn ? priceEffects(headAtBase, headAtOwn) : null,
    skipped: false,
    notes,
  };
  result.skipped = spec.skipBelow !== undefined && !movedBeyond(result, spec.skipBelow);
  return result;
}

/** Base rates first; a model × tier the base never priced gets the head's own rate, noted once. */
function withFallback(baseRates: RateLookup, headRates: RateLookup, head: DiffInput, notes: string[]): RateLookup {
  const noted = new Set<string>();
  for (const row of head.usage) {
    if (baseRates(row) !== undefined || headRates(row) === undefined || noted.has(rateKey(row))) continue;
    noted.add(rateKey(row));
    notes.push(`${row.model} (${row.tier}${row.long_context ? ', long context' : ''}) has no rate in the base: priced at the head's rate`);
  }
  return (row) => baseRates(row) ?? headRates(row);
}

function metricsOf(summary: UsageSummary, route: string): UsageMetrics | undefined {
  return route === TOTAL_ROUTE ? summary.totals : summary.routes[route];
}

function changeOf(route: string, metric: DiffMetric, base: UsageMetrics | undefined, head: UsageMetrics | undefined): DiffChange {
  const baseValue = base ? base[metric] : null;
  const headValue = head ? head[metric] : null;
  const delta = baseValue !== null && headValue !== null ? round6(headValue - baseValue) : null;
  const deltaPct = delta !== null && baseValue !== null && baseValue !== 0 ? round6(delta / Math.abs(baseValue)) : null;
  const status: ChangeStatus = !base ? 'added' : !head ? 'removed' : baseValue === headValue ? 'unchanged' : 'changed';
  return { route, metric, base: baseValue, head: headValue, delta, delta_pct: deltaPct, status };
}

function judge(rule: DiffRule, routes: readonly string[], base: UsageSummary, head: UsageSummary, notes: string[]): TrippedRule[] {
  const candidates = [null, ...routes].filter((route) => ruleCovers(rule.scope, route));
  if (rule.scope.kind === 'route' && candidates.length === 0) {
    notes.push(`rule ${rule.text}: route ${rule.scope.route} is on neither side`);
    return [];
  }
  return candidates.flatMap((route) => {
    const name = route ?? TOTAL_ROUTE;
    const change = changeOf(name, rule.metric, metricsOf(base, name), metricsOf(head, name));
    if (rule.kind !== 'level' && (change.status === 'added' || change.status === 'removed')) return [];
    if (!ruleTrips(rule, change.base, change.head)) return [];
    return [{ rule: rule.text, level: rule.level, route: name, metric: rule.metric, base: change.base, head: change.head, delta: change.delta, delta_pct: change.delta_pct }];
  });
}

function sideOf(input: DiffInput, summary: UsageSummary): DiffSide {
  const p = input.provenance;
  return {
    source: input.source,
    label: p.label ?? null,
    costattr_version: p.costattr_version,
    spans: p.spans,
    runs: summary.totals.runs,
    first_span: p.first_span ?? null,
    last_span: p.last_span ?? null,
    price_book: p.price_book,
    cost_usd: summary.totals.cost_usd,
    cost_per_run: summary.totals.cost_per_run,
    unpriced_spans: summary.totals.unpriced_spans,
  };
}

function priceEffects(atBase: UsageSummary, atOwn: UsageSummary): PriceEffect[] {
  return [TOTAL_ROUTE, ...Object.keys(atOwn.routes)].map((route) => {
    const before = metricsOf(atBase, route)?.cost_per_run ?? 0;
    const after = metricsOf(atOwn, route)?.cost_per_run ?? 0;
    return { route, head_at_base_prices: before, head_at_head_prices: after, delta: round6(after - before) };
  });
}

/** Whether anything moved beyond `skipBelow`: a tripped rule, a route added or removed, or a cost per run. */
function movedBeyond(result: DiffResult, skipBelow: SkipBelow): boolean {
  if (result.tripped.length > 0) return true;
  return result.changes.some((change) => {
    if (change.status === 'added' || change.status === 'removed') return true;
    if (change.metric !== 'cost_per_run' || change.status === 'unchanged') return false;
    const observed = observedValue({ kind: skipBelow.kind === 'usd' ? 'absolute' : 'relative' }, change.base, change.head);
    return observed !== null && Math.abs(observed) > skipBelow.value;
  });
}
