/**
 * The margin-protection policy file (JSON): `defaults` plus per-tenant overrides of four rules —
 * `rate_limit` (requests and/or tokens per tenant per minute), `daily_cap` (absolute USD, or a
 * multiple of the tenant's contracted monthly ceiling spread over the month's days), `kill_switch`
 * (spend z-score over a trailing baseline) and `degrade` (the ladder applied at shares of the cap).
 * A tenant's override replaces a rule's fields one by one; `null` switches a rule off; `degrade`
 * is replaced whole. Keys ending in `_why` are commentary (what `--recommend` writes) and ignored.
 * Every problem is an exit-2 error naming the file and the JSON path of the field.
 */
import { readFileSync } from 'node:fs';
import { badInput, CostattrError, parseJsonDocument } from '../../errors.js';

export interface RateLimitRule {
  requests_per_minute: number | null;
  tokens_per_minute: number | null;
}

export interface DailyCapRule {
  /** Absolute cap in USD per day … */
  usd: number | null;
  /** … or this multiple of the contracted ceiling (revenue `ceiling_usd` ÷ days in the month). */
  ceiling_multiple: number | null;
  /** Requests per minute still admitted once the cap is crossed (the `tighten` action); 0 = none. */
  after_cap_requests_per_minute: number;
}

export interface KillSwitchRule {
  /** Pause the tenant for the rest of the day when today's running spend scores above this z. */
  z: number;
  /** No kill switch without this many days of history before the day. */
  min_baseline_days: number;
  /** Trailing days the baseline mean and standard deviation are taken over. */
  baseline_days: number;
  /** Floor on the standard deviation as a fraction of the mean (a flat baseline would make any rise infinite). */
  min_stddev_fraction: number;
}

export type DegradeStep =
  | { at_share: number; action: 'fallback'; model_map: Record<string, string> }
  | { at_share: number; action: 'cached'; routes: string[]; share: number }
  | { at_share: number; action: 'quota_error' };

export interface RuleSet {
  rate_limit: RateLimitRule | null;
  daily_cap: DailyCapRule | null;
  kill_switch: KillSwitchRule | null;
  degrade: DegradeStep[];
}

export interface Policy {
  defaults: RuleSet;
  tenants: Record<string, RuleSet>;
}

export const KILL_SWITCH_DEFAULTS: KillSwitchRule = { z: 4, min_baseline_days: 7, baseline_days: 28, min_stddev_fraction: 0.75 };

type Json = unknown;
type Obj = Record<string, Json>;

class PolicyReader {
  constructor(private readonly file: string) {}

  fail(path: string, problem: string): never {
    throw badInput(this.file, {}, path, problem);
  }

  object(value: Json, path: string): Obj {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'expected an object');
    return value as Obj;
  }

  /** Reject keys not in `known` (commentary `_why` keys aside), so a typo never silently does nothing. */
  keys(obj: Obj, path: string, known: readonly string[]): void {
    for (const key of Object.keys(obj)) {
      if (!known.includes(key) && !key.endsWith('_why')) this.fail(`${path}.${key}`, `unknown field (expected one of ${known.join(', ')})`);
    }
  }

  number(value: Json, path: string, check: { min?: number; max?: number; integer?: boolean; positive?: boolean } = {}): number {
    const ok = typeof value === 'number' && Number.isFinite(value)
      && (check.min === undefined || value >= check.min) && (check.max === undefined || value <= check.max)
      && (!check.positive || value > 0) && (!check.integer || Number.isInteger(value));
    if (!ok) {
      const what = check.integer ? 'an integer' : 'a number';
      const range = check.positive ? ' > 0' : check.min !== undefined ? ` ≥ ${check.min}` : '';
      const upper = check.max !== undefined ? ` and ≤ ${check.max}` : '';
      this.fail(path, `expected ${what}${range}${upper}, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
    }
    return value as number;
  }

  optionalNumber(obj: Obj, key: string, path: string, check: Parameters<PolicyReader['number']>[2]): number | null | undefined {
    if (!(key in obj)) return undefined;
    if (obj[key] === null) return null;
    return this.number(obj[key], `${path}.${key}`, check);
  }

  string(value: Json, path: string): string {
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, `expected a non-empty string, got ${JSON.stringify(value)}`);
    return value as string;
  }
}

/** Rules given in one block (defaults or a tenant), merged over `base`. */
function readRuleSet(r: PolicyReader, raw: Json, path: string, base: RuleSet): RuleSet {
  const obj = r.object(raw, path);
  r.keys(obj, path, ['rate_limit', 'daily_cap', 'kill_switch', 'degrade']);
  const result: RuleSet = { ...base };
  if ('rate_limit' in obj) result.rate_limit = readRateLimit(r, obj.rate_limit, `${path}.rate_limit`, base.rate_limit);
  if ('daily_cap' in obj) result.daily_cap = readDailyCap(r, obj.daily_cap, `${path}.daily_cap`, base.daily_cap);
  if ('kill_switch' in obj) result.kill_switch = readKillSwitch(r, obj.kill_switch, `${path}.kill_switch`, base.kill_switch);
  if ('degrade' in obj) result.degrade = readDegrade(r, obj.degrade, `${path}.degrade`);
  if (result.degrade.length > 0 && result.daily_cap === null) {
    r.fail(`${path}.degrade`, 'a degradation ladder applies at shares of the daily cap: set daily_cap too (or degrade: [])');
  }
  return result;
}

function readRateLimit(r: PolicyReader, raw: Json, path: string, base: RateLimitRule | null): RateLimitRule | null {
  if (raw === null) return null;
  const obj = r.object(raw, path);
  r.keys(obj, path, ['requests_per_minute', 'tokens_per_minute']);
  const limit = { requests_per_minute: null, tokens_per_minute: null, ...base } as RateLimitRule;
  for (const key of ['requests_per_minute', 'tokens_per_minute'] as const) {
    const value = r.optionalNumber(obj, key, path, { integer: true, positive: true });
    if (value !== undefined) limit[key] = value;
  }
  if (limit.requests_per_minute === null && limit.tokens_per_minute === null) {
    r.fail(path, 'set requests_per_minute and/or tokens_per_minute (or rate_limit: null)');
  }
  return limit;
}

function readDailyCap(r: PolicyReader, raw: Json, path: string, base: DailyCapRule | null): DailyCapRule | null {
  if (raw === null) return null;
  const obj = r.object(raw, path);
  r.keys(obj, path, ['usd', 'ceiling_multiple', 'after_cap_requests_per_minute']);
  const cap: DailyCapRule = { ...(base ?? { usd: null, ceiling_multiple: null, after_cap_requests_per_minute: 0 }) };
  const usd = r.optionalNumber(obj, 'usd', path, { positive: true });
  const multiple = r.optionalNumber(obj, 'ceiling_multiple', path, { positive: true });
  if (typeof usd === 'number' && typeof multiple === 'number') r.fail(path, 'give either usd or ceiling_multiple, not both');
  // an override naming one basis replaces the other
  if (usd !== undefined) cap.usd = usd;
  if (typeof usd === 'number') cap.ceiling_multiple = null;
  if (multiple !== undefined) cap.ceiling_multiple = multiple;
  if (typeof multiple === 'number') cap.usd = null;
  const after = r.optionalNumber(obj, 'after_cap_requests_per_minute', path, { integer: true, min: 0 });
  if (after === null) r.fail(`${path}.after_cap_requests_per_minute`, 'expected an integer ≥ 0, got null');
  if (after !== undefined) cap.after_cap_requests_per_minute = after;
  if (cap.usd === null && cap.ceiling_multiple === null) r.fail(path, 'set usd or ceiling_multiple (or daily_cap: null)');
  return cap;
}

function readKillSwitch(r: PolicyReader, raw: Json, path: string, base: KillSwitchRule | null): KillSwitchRule | null {
  if (raw === null) return null;
  const obj = r.object(raw, path);
  r.keys(obj, path, Object.keys(KILL_SWITCH_DEFAULTS));
  const rule: KillSwitchRule = { ...(base ?? KILL_SWITCH_DEFAULTS) };
  const checks: Record<keyof KillSwitchRule, Parameters<PolicyReader['number']>[2]> = {
    z: { positive: true },
    min_baseline_days: { integer: true, min: 1 },
    baseline_days: { integer: true, min: 1 },
    min_stddev_fraction: { min: 0 },
  };
  for (const key of Object.keys(checks) as Array<keyof KillSwitchRule>) {
    if (key in obj) rule[key] = r.number(obj[key], `${path}.${key}`, checks[key]);
  }
  if (rule.baseline_days < rule.min_baseline_days) r.fail(`${path}.baseline_days`, `must be ≥ min_baseline_days (${rule.min_baseline_days})`);
  return rule;
}

function readDegrade(r: PolicyReader, raw: Json, path: string): DegradeStep[] {
  if (!Array.isArray(raw)) r.fail(path, 'expected a list of steps');
  return (raw as Json[]).map((item, i): DegradeStep => {
    const at = `${path}[${i}]`;
    const obj = r.object(item, at);
    const atShare = r.number(obj.at_share, `${at}.at_share`, { positive: true, max: 1 });
    switch (obj.action) {
      case 'fallback': {
        r.keys(obj, at, ['at_share', 'action', 'model_map']);
        const map = r.object(obj.model_map, `${at}.model_map`);
        if (Object.keys(map).length === 0) r.fail(`${at}.model_map`, 'expected at least one "from": "to" model pair');
        const modelMap = Object.fromEntries(Object.entries(map).map(([from, to]) => [from, r.string(to, `${at}.model_map.${from}`)]));
        return { at_share: atShare, action: 'fallback', model_map: modelMap };
      }
      case 'cached': {
        r.keys(obj, at, ['at_share', 'action', 'routes', 'share']);
        if (!Array.isArray(obj.routes) || obj.routes.length === 0) r.fail(`${at}.routes`, 'expected a non-empty list of read-heavy routes');
        const routes = (obj.routes as Json[]).map((route, j) => r.string(route, `${at}.routes[${j}]`));
        return { at_share: atShare, action: 'cached', routes, share: r.number(obj.share, `${at}.share`, { positive: true, max: 1 }) };
      }
      case 'quota_error':
        r.keys(obj, at, ['at_share', 'action']);
        return { at_share: atShare, action: 'quota_error' };
      default:
        return r.fail(`${at}.action`, `expected fallback, cached or quota_error, got ${JSON.stringify(obj.action)}`);
    }
  });
}

const EMPTY: RuleSet = { rate_limit: null, daily_cap: null, kill_switch: null, degrade: [] };

/** Validate a parsed policy document; `file` names it in errors. */
export function parsePolicy(doc: Json, file: string): Policy {
  const r = new PolicyReader(file);
  const root = r.object(doc, '$');
  r.keys(root, '$', ['version', 'defaults', 'tenants']);
  if ('version' in root && root.version !== 1) r.fail('$.version', `expected 1, got ${JSON.stringify(root.version)}`);
  const defaults = 'defaults' in root ? readRuleSet(r, root.defaults, '$.defaults', EMPTY) : EMPTY;
  const tenants: Record<string, RuleSet> = {};
  if ('tenants' in root) {
    for (const [tenant, raw] of Object.entries(r.object(root.tenants, '$.tenants'))) {
      if (tenant.endsWith('_why')) continue;
      tenants[tenant] = readRuleSet(r, raw, `$.tenants.${tenant}`, defaults);
    }
  }
  return { defaults, tenants };
}

export function readPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read the policy: ${(err as Error).message}`, { cause: err });
  }
  return parsePolicy(parseJsonDocument(path, text), path);
}

export function rulesFor(policy: Policy, tenant: string): RuleSet {
  return policy.tenants[tenant] ?? policy.defaults;
}
