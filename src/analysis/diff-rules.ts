/**
 * The threshold rules of `costattr diff --fail-on/--warn-on`: parsing one rule string, and
 * judging a (base, head) pair of metric values against it.
 *
 * Grammar (also in docs/ci.md):
 *
 *   rule      := scope "." metric op threshold
 *   scope     := "total"                      the whole run set
 *              | "*"                          every route present on both sides
 *              | "route:" name                one route; name runs to the last "." before the
 *                                            operator, or is double-quoted ("a.b<c") with \" and \\
 *   metric    := one of DIFF_METRICS (cost_per_run, p95_run_usd, prompt_tokens_per_run, …)
 *   op        := ">" | ">=" | "<" | "<="
 *   threshold := sign number "%"              relative change:  (head - base) / base
 *              | sign number                  absolute change:  head - base, in the metric's unit
 *              | number                       level:            head itself (a ceiling or floor)
 *   sign      := "+" | "-"
 *              | "±" | "+-"                   either direction: the size of the change, up or down
 *
 * Examples: `total.cost_per_run>+10%`, `route:inbox-triage.p95_run_usd>+0.02`,
 * `*.prompt_tokens_per_run>+15%`, `*.cache_hit_rate<-0.1`, `total.p95_run_usd>0.50`,
 * `total.monthly_usd>+500` (the monthly projection grew more than $500), `total.cost_per_run>±10%`.
 * A relative rule against a base of 0 trips on any move in its direction (the change is infinite).
 * Spaces are allowed around the operator. A rule that does not parse is a usage error whose
 * message repeats the rule with a caret under the offending character.
 */
import { CostattrError } from '../errors.js';

export const DIFF_METRICS = [
  'cost_usd',
  'monthly_usd',
  'cost_per_run',
  'p50_run_usd',
  'p95_run_usd',
  'runs',
  'spans_per_run',
  'input_tokens_per_run',
  'prompt_tokens_per_run',
  'tool_tokens_per_run',
  'memory_tokens_per_run',
  'response_tokens_per_run',
  'cache_hit_rate',
] as const;
export type DiffMetric = (typeof DIFF_METRICS)[number];

export type RuleLevel = 'fail' | 'warn';
export type RuleScope = { kind: 'total' } | { kind: 'every_route' } | { kind: 'route'; route: string };
export type RuleOp = '>' | '>=' | '<' | '<=';
export type ThresholdKind = 'relative' | 'absolute' | 'level';

export interface DiffRule {
  /** The rule as the user wrote it. */
  text: string;
  level: RuleLevel;
  scope: RuleScope;
  metric: DiffMetric;
  op: RuleOp;
  kind: ThresholdKind;
  /** Signed; a fraction for `relative` (10% → 0.1). Non-negative when `either_way`. */
  value: number;
  /** `±`: the rule judges the size of the change in either direction. */
  either_way: boolean;
}

const OPERATORS: readonly RuleOp[] = ['>=', '<=', '>', '<'];
const NUMBER = /^(\d+(?:\.\d*)?|\.\d+)/;

class RuleSyntaxError extends Error {
  constructor(readonly at: number, message: string) {
    super(message);
  }
}

/** Parse one rule; a `CostattrError` (exit 2) with a caret line when it does not parse. */
export function parseRule(text: string, level: RuleLevel): DiffRule {
  try {
    return { text, level, ...parseParts(text) };
  } catch (err) {
    if (!(err instanceof RuleSyntaxError)) throw err;
    const flag = level === 'fail' ? '--fail-on' : '--warn-on';
    throw new CostattrError('BAD_USAGE', `${flag} rule does not parse: ${err.message}\n  ${text}\n  ${' '.repeat(err.at)}^`, {
      hint: 'rules look like total.cost_per_run>+10%, total.monthly_usd>±500, route:NAME.p95_run_usd>+0.02, *.cache_hit_rate<-0.1 (see docs/ci.md)',
    });
  }
}

function parseParts(text: string): Omit<DiffRule, 'text' | 'level'> {
  if (text.trim().length === 0) throw new RuleSyntaxError(0, 'the rule is empty');
  const scoped = parseScope(text);
  const metricStart = scoped.next;
  const metricMatch = /^[a-z0-9_]*/.exec(text.slice(metricStart));
  const metricName = metricMatch?.[0] ?? '';
  if (metricName.length === 0) throw new RuleSyntaxError(metricStart, `expected a metric name (${DIFF_METRICS.join(', ')})`);
  if (!(DIFF_METRICS as readonly string[]).includes(metricName)) {
    throw new RuleSyntaxError(metricStart, `unknown metric "${metricName}" (expected one of ${DIFF_METRICS.join(', ')})`);
  }
  let at = skipSpaces(text, metricStart + metricName.length);
  const op = OPERATORS.find((candidate) => text.startsWith(candidate, at));
  if (op === undefined) throw new RuleSyntaxError(at, 'expected an operator: >, >=, < or <=');
  at = skipSpaces(text, at + op.length);
  const sign = ['±', '+-', '+', '-'].find((candidate) => text.startsWith(candidate, at));
  if (sign !== undefined) at += sign.length;
  const numberMatch = NUMBER.exec(text.slice(at));
  if (!numberMatch) throw new RuleSyntaxError(at, 'expected a number (e.g. +10%, +0.02, 0.5)');
  const magnitude = Number(numberMatch[1]);
  at += numberMatch[0].length;
  const percent = text[at] === '%';
  if (percent) at += 1;
  if (at < text.length) throw new RuleSyntaxError(at, 'unexpected text after the threshold');
  if (percent && sign === undefined) throw new RuleSyntaxError(at - 1 - numberMatch[0].length, 'a percentage is a change: give it a sign (+10%, -10%, or ±10% for either way)');
  const signed = sign === '-' ? -magnitude : magnitude;
  const kind: ThresholdKind = percent ? 'relative' : sign !== undefined ? 'absolute' : 'level';
  const eitherWay = sign === '±' || sign === '+-';
  return { scope: scoped.scope, metric: metricName as DiffMetric, op, kind, value: percent ? signed / 100 : signed, either_way: eitherWay };
}

/** The scope and the index just past the "." that ends it. */
function parseScope(text: string): { scope: RuleScope; next: number } {
  if (text.startsWith('total.')) return { scope: { kind: 'total' }, next: 'total.'.length };
  if (text.startsWith('*.')) return { scope: { kind: 'every_route' }, next: 2 };
  if (!text.startsWith('route:')) {
    throw new RuleSyntaxError(0, 'expected a scope: total., *. or route:NAME.');
  }
  const nameStart = 'route:'.length;
  if (text[nameStart] === '"') return parseQuotedRoute(text, nameStart);
  const opAt = text.search(/[<>]/);
  const selector = opAt < 0 ? text : text.slice(0, opAt);
  const dot = selector.lastIndexOf('.');
  if (dot < nameStart) throw new RuleSyntaxError(opAt < 0 ? text.length : opAt, 'expected ".metric" after the route name');
  const route = selector.slice(nameStart, dot);
  if (route.length === 0) throw new RuleSyntaxError(nameStart, 'expected a route name after "route:"');
  return { scope: { kind: 'route', route }, next: dot + 1 };
}

function parseQuotedRoute(text: string, quoteAt: number): { scope: RuleScope; next: number } {
  let route = '';
  let at = quoteAt + 1;
  while (at < text.length && text[at] !== '"') {
    if (text[at] === '\\' && at + 1 < text.length) at += 1;
    route += text[at];
    at += 1;
  }
  if (at >= text.length) throw new RuleSyntaxError(quoteAt, 'unterminated quoted route name');
  if (route.length === 0) throw new RuleSyntaxError(quoteAt, 'expected a route name inside the quotes');
  if (text[at + 1] !== '.') throw new RuleSyntaxError(at + 1, 'expected ".metric" after the quoted route name');
  return { scope: { kind: 'route', route }, next: at + 2 };
}

function skipSpaces(text: string, at: number): number {
  let i = at;
  while (text[i] === ' ') i += 1;
  return i;
}

/** The value a rule compares: the change (relative or absolute) or the head level; null when undefined. */
export function observedValue(rule: Pick<DiffRule, 'kind'>, base: number | null, head: number | null): number | null {
  if (head === null) return null;
  if (rule.kind === 'level') return head;
  if (base === null) return null;
  const delta = head - base;
  if (rule.kind === 'absolute') return withoutFloatNoise(delta);
  if (base === 0) return delta === 0 ? 0 : delta > 0 ? Infinity : -Infinity;
  return withoutFloatNoise(delta / Math.abs(base));
}

/** Values are rounded to 6 decimals already; this keeps 0.0042 - 0.004 from reading 0.00019999… */
function withoutFloatNoise(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Whether the rule trips for this pair of values (a rule with nothing to compare never trips). */
export function ruleTrips(rule: Pick<DiffRule, 'kind' | 'op' | 'value' | 'either_way'>, base: number | null, head: number | null): boolean {
  const change = observedValue(rule, base, head);
  if (change === null) return false;
  const observed = rule.either_way ? Math.abs(change) : change;
  switch (rule.op) {
    case '>':
      return observed > rule.value;
    case '>=':
      return observed >= rule.value;
    case '<':
      return observed < rule.value;
    case '<=':
      return observed <= rule.value;
    default:
      return (rule.op satisfies never) as boolean;
  }
}

/** Whether a rule applies to a route of the diff (`null` route = the totals). */
export function ruleCovers(scope: RuleScope, route: string | null): boolean {
  switch (scope.kind) {
    case 'total':
      return route === null;
    case 'every_route':
      return route !== null;
    case 'route':
      return route === scope.route;
    default:
      return (scope satisfies never) as boolean;
  }
}
