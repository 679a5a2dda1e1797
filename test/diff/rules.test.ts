// The threshold grammar of `diff --fail-on/--warn-on`: what parses to what, what trips, and where a
// bad rule's caret points.
import { describe, expect, it } from 'vitest';
import { observedValue, parseRule, ruleCovers, ruleTrips } from '../../src/analysis/diff-rules.js';
import { CostattrError } from '../../src/errors.js';

function parseError(text: string): CostattrError {
  try {
    parseRule(text, 'fail');
  } catch (err) {
    if (err instanceof CostattrError) return err;
    throw err;
  }
  throw new Error(`expected ${text} not to parse`);
}

/** The column the caret line points at, relative to the rule. */
function caretColumn(err: CostattrError): number {
  const lines = err.message.split('\n');
  const caret = lines.at(-1) ?? '';
  return caret.indexOf('^') - 2;
}

describe('parseRule', () => {
  it('reads the examples of the brief', () => {
    expect(parseRule('total.cost_per_run>+10%', 'fail')).toMatchObject({ scope: { kind: 'total' }, metric: 'cost_per_run', op: '>', kind: 'relative', value: 0.1 });
    expect(parseRule('route:inbox-triage.p95_run_usd>+0.02', 'warn')).toMatchObject({
      level: 'warn', scope: { kind: 'route', route: 'inbox-triage' }, metric: 'p95_run_usd', kind: 'absolute', value: 0.02,
    });
    expect(parseRule('*.prompt_tokens_per_run>+15%', 'fail')).toMatchObject({ scope: { kind: 'every_route' }, kind: 'relative', value: 0.15 });
    expect(parseRule('*.cache_hit_rate<-0.1', 'fail')).toMatchObject({ metric: 'cache_hit_rate', op: '<', kind: 'absolute', value: -0.1 });
  });

  it('reads ± (or +-) as a change in either direction, and judges its size', () => {
    const rule = parseRule('total.monthly_usd>±500', 'fail');
    expect(rule).toMatchObject({ metric: 'monthly_usd', kind: 'absolute', value: 500, either_way: true });
    expect(parseRule('*.cost_per_run>+-10%', 'warn')).toMatchObject({ kind: 'relative', value: 0.1, either_way: true });
    expect(ruleTrips(rule, 1000, 1501)).toBe(true);
    expect(ruleTrips(rule, 1000, 499)).toBe(true);
    expect(ruleTrips(rule, 1000, 1400)).toBe(false);
    expect(ruleTrips(parseRule('total.monthly_usd>+500', 'fail'), 1000, 400)).toBe(false);
  });

  it('reads an unsigned number as a level, and >=, <= and spaces around the operator', () => {
    expect(parseRule('total.p95_run_usd >= 0.5', 'fail')).toMatchObject({ op: '>=', kind: 'level', value: 0.5 });
    expect(parseRule('total.cache_hit_rate<=.25', 'fail')).toMatchObject({ op: '<=', kind: 'level', value: 0.25 });
  });

  it('takes route names with dots up to the last dot, or quoted', () => {
    expect(parseRule('route:v1.inbox.cost_per_run>+5%', 'fail').scope).toEqual({ kind: 'route', route: 'v1.inbox' });
    expect(parseRule('route:"a>b \\"x\\"".cost_usd>+1', 'fail').scope).toEqual({ kind: 'route', route: 'a>b "x"' });
  });

  it.each([
    ['total.cost_per_rn>+10%', 6, /unknown metric "cost_per_rn"/],
    ['total.cost_per_run>>10%', 19, /expected a number/],
    ['total.cost_per_run+10%', 18, /expected an operator/],
    ['totl.cost_per_run>+10%', 0, /expected a scope/],
    ['total.cost_per_run>+10%x', 23, /unexpected text/],
    ['total.runs>10%', 11, /give it a sign/],
    ['route:.cost_usd>+1', 6, /expected a route name/],
    ['route:inbox>+1', 11, /expected "\.metric"/],
    ['route:"inbox.cost_usd>+1', 6, /unterminated/],
    ['', 0, /empty/],
  ])('rejects %j with a caret at column %i', (text, column, message) => {
    const err = parseError(text);
    expect(err.exitCode).toBe(2);
    expect(err.code).toBe('BAD_USAGE');
    expect(err.message).toMatch(message);
    expect(err.message).toContain(`\n  ${text}\n`);
    expect(caretColumn(err)).toBe(column);
  });

  it('names the flag the rule came from', () => {
    expect(() => parseRule('nope', 'warn')).toThrow(/--warn-on rule does not parse/);
  });
});

describe('ruleTrips', () => {
  const rule = (text: string) => parseRule(text, 'fail');

  it('judges relative, absolute and level thresholds', () => {
    expect(ruleTrips(rule('total.cost_per_run>+10%'), 0.01, 0.0111)).toBe(true);
    expect(ruleTrips(rule('total.cost_per_run>+10%'), 0.01, 0.011)).toBe(false); // exactly +10% is not above it
    expect(ruleTrips(rule('total.cost_per_run>+0.0002'), 0.004, 0.0042)).toBe(false); // no float noise at the boundary
    expect(ruleTrips(rule('total.cost_per_run>=+0.0002'), 0.004, 0.0042)).toBe(true);
    expect(ruleTrips(rule('*.cache_hit_rate<-0.1'), 0.5, 0.39)).toBe(true);
    expect(ruleTrips(rule('*.cache_hit_rate<-0.1'), 0.5, 0.41)).toBe(false);
    expect(ruleTrips(rule('total.p95_run_usd>0.05'), 0.01, 0.06)).toBe(true);
    expect(ruleTrips(rule('total.p95_run_usd>0.05'), null, 0.06)).toBe(true);
  });

  it('treats a move from 0 as infinite and a missing value as nothing to judge', () => {
    expect(observedValue({ kind: 'relative' }, 0, 5)).toBe(Infinity);
    expect(ruleTrips(rule('total.cost_usd>+1000%'), 0, 0.01)).toBe(true);
    expect(ruleTrips(rule('total.cost_usd>+10%'), 0, 0)).toBe(false);
    expect(ruleTrips(rule('*.prompt_tokens_per_run>+15%'), null, 1000)).toBe(false);
    expect(ruleTrips(rule('*.prompt_tokens_per_run>+15%'), 1000, null)).toBe(false);
  });

  it('covers the totals, every route, or one route', () => {
    expect(ruleCovers(rule('total.runs>+1').scope, null)).toBe(true);
    expect(ruleCovers(rule('total.runs>+1').scope, 'a')).toBe(false);
    expect(ruleCovers(rule('*.runs>+1').scope, null)).toBe(false);
    expect(ruleCovers(rule('*.runs>+1').scope, 'a')).toBe(true);
    expect(ruleCovers(rule('route:a.runs>+1').scope, 'a')).toBe(true);
    expect(ruleCovers(rule('route:a.runs>+1').scope, 'b')).toBe(false);
  });
});
