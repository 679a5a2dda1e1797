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
 * row is route `__total__`. Without a baseline (`base` null: CI's first run, `--allow-missing-base`)
 * every head route is `added` and only level rules can trip.
 *
 * The monthly projection (`monthly_usd`) prices one volume of runs a month with each side's cost
 * per run: `--runs-per-month`, else the head's observed volume (its runs over the calendar days its
 * spans cover, × 30). A route's share of that volume is its share of the side's runs, so the routes
 * of a side sum to its total.
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
import { explainChange, type Driver } from './diff-why.js';
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
  /** The volume the monthly projection assumes; default: the head's observed volume. */
  runsPerMonth?: number | undefined;
}

/** Days in the month of a projection from an observed volume. */
export const DAYS_PER_MONTH = 30;

export interface MonthlyVolume {
  runs_per_month: number;
  /** `given`: --runs-per-month; `observed`: the head's runs per calendar day (UTC) × 30. */
  basis: 'given' | 'observed';
  /** What an observed volume was computed from. */
  observed: { runs: number; days: number } | null;
}

/** One side of a diff: where it came from (a snapshot's provenance) and its totals as priced here. */
export interface DiffSide extends SnapshotProvenance {
  source: string;
  /** As priced in this diff. */
  cost_usd: number;
  cost_per_run: number;
  /** The side's cost per run at the monthly volume of the diff. */
  monthly_usd: number;
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
  /** Null when there was no baseline to compare with. */
  base: DiffSide | null;
  head: DiffSide;
  /** `base`: both sides at the base rates; `own`: each side at its own (`--reprice`). */
  pricing: 'base' | 'own';
  changes: DiffChange[];
  tripped: TrippedRule[];
  failed: boolean;
  /** Only with `reprice`: how much of the head's cost per run is the price change. */
  price_effect: PriceEffect[] | null;
  monthly: MonthlyVolume;
  /** Why the cost per run moved, per route (and `__total__`) whose cost per run changed. */
  why: Driver[];
  /** True when `skipBelow` was given and nothing moved beyond it (renderers print nothing). */
  skipped: boolean;
  notes: string[];
}

export function diffSnapshots(base: DiffInput | null, head: DiffInput, spec: DiffSpec): DiffResult {
  const notes: string[] = [];
  const headRates = ratesLookup(head.rates);
  const baseRates = base ? ratesLookup(base.rates) : headRates;
  const headAtBase = summarizeUsage(head.usage, base ? withFallback(baseRates, headRates, head, notes) : headRates);
  const headAtOwn = spec.reprice && base ? summarizeUsage(head.usage, headRates) : null;
  const monthly = monthlyVolume(head, headAtBase, spec.runsPerMonth);
  const baseSummary = base ? withMonthly(summarizeUsage(base.usage, baseRates), monthly) : null;
  const headSummary = withMonthly(headAtOwn ?? headAtBase, monthly);

  const routes = [...new Set([...Object.keys(baseSummary?.routes ?? {}), ...Object.keys(headSummary.routes)])].sort();
  const changes = [TOTAL_ROUTE, ...routes].flatMap((route) =>
    DIFF_METRICS.map((metric) => changeOf(route, metric, metricsOf(baseSummary, route), metricsOf(headSummary, route))),
  );
  const tripped = spec.rules.flatMap((rule) => judge(rule, routes, baseSummary, headSummary, notes));
  if (!base) notes.push('no baseline: the head is shown alone, and only level rules (no sign) are judged');
  for (const [side, summary] of [['base', baseSummary], ['head', headSummary]] as const) {
    if (summary && summary.totals.unpriced_spans > 0) {
      notes.push(`${summary.totals.unpriced_spans} ${side} spans have no price: the ${side} cost is a lower bound`);
    }
  }
  const result: DiffResult = {
    base: base && baseSummary ? sideOf(base, baseSummary) : null,
    head: sideOf(head, headSummary),
    pricing: spec.reprice ? 'own' : 'base',
    changes,
    tripped,
    failed: tripped.some((t) => t.level === 'fail'),
    price_effect: headAtOwn ? priceEffects(headAtBase, headAtOwn) : null,
    monthly,
    why: baseSummary ? [TOTAL_ROUTE, ...routes].flatMap((route) => whyOf(route, baseSummary, headSummary)) : [],
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

/** A side's figures with its monthly projection. */
type DiffMetrics = UsageMetrics & { monthly_usd: number };
interface DiffSummary {
  routes: Record<string, DiffMetrics>;
  totals: DiffMetrics;
}

/** `--runs-per-month`, else the head's runs per calendar day it covers (UTC), × 30. */
function monthlyVolume(head: DiffInput, summary: UsageSummary, given: number | undefined): MonthlyVolume {
  if (given !== undefined) return { runs_per_month: given, basis: 'given', observed: null };
  const { first_span: first, last_span: last } = head.provenance;
  const days = first && last ? Math.round((Date.parse(last.slice(0, 10)) - Date.parse(first.slice(0, 10))) / 86_400_000) + 1 : 1;
  const runs = summary.totals.runs;
  return { runs_per_month: Math.round((runs / days) * DAYS_PER_MONTH), basis: 'observed', observed: { runs, days } };
}

/** Each route's monthly cost: its cost per run × its share of the side's runs × the monthly volume. */
function withMonthly(summary: UsageSummary, volume: MonthlyVolume): DiffSummary {
  const runs = summary.totals.runs;
  const monthly = (m: UsageMetrics): DiffMetrics => ({ ...m, monthly_usd: runs === 0 ? 0 : round6((m.cost_usd * volume.runs_per_month) / runs) });
  return { routes: Object.fromEntries(Object.entries(summary.routes).map(([route, m]) => [route, monthly(m)])), totals: monthly(summary.totals) };
}

function metricsOf(summary: DiffSummary | null, route: string): DiffMetrics | undefined {
  if (summary === null) return undefined;
  return route === TOTAL_ROUTE ? summary.totals : summary.routes[route];
}

function whyOf(route: string, base: DiffSummary, head: DiffSummary): Driver[] {
  const [before, after] = [metricsOf(base, route), metricsOf(head, route)];
  return before && after ? explainChange(route, before, after) : [];
}

function changeOf(route: string, metric: DiffMetric, base: DiffMetrics | undefined, head: DiffMetrics | undefined): DiffChange {
  const baseValue = base ? base[metric] : null;
  const headValue = head ? head[metric] : null;
  const delta = baseValue !== null && headValue !== null ? round6(headValue - baseValue) : null;
  const deltaPct = delta !== null && baseValue !== null && baseValue !== 0 ? round6(delta / Math.abs(baseValue)) : null;
  const status: ChangeStatus = !base ? 'added' : !head ? 'removed' : baseValue === headValue ? 'unchanged' : 'changed';
  return { route, metric, base: baseValue, head: headValue, delta, delta_pct: deltaPct, status };
}

function judge(rule: DiffRule, routes: readonly string[], base: DiffSummary | null, head: DiffSummary, notes: string[]): TrippedRule[] {
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

function sideOf(input: DiffInput, summary: DiffSummary): DiffSide {
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
    monthly_usd: summary.totals.monthly_usd,
    unpriced_spans: summary.totals.unpriced_spans,
  };
}

function priceEffects(atBase: UsageSummary, atOwn: UsageSummary): PriceEffect[] {
  return [TOTAL_ROUTE, ...Object.keys(atOwn.routes)].map((route) => {
    const perRun = (summary: UsageSummary) => (route === TOTAL_ROUTE ? summary.totals : summary.routes[route])?.cost_per_run ?? 0;
    const [before, after] = [perRun(atBase), perRun(atOwn)];
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
