/**
 * The part of a replay that is sequential by nature: within one tenant-day whose spend reaches a
 * threshold, each request sees the spend the guarded traffic made before it, and what it costs
 * depends on the rules already in force (a fallback model is cheaper, a cached answer free, a
 * paused tenant spends nothing). Thresholds are checked before a request is admitted against the
 * spend so far (a gateway cannot know a call's cost in advance), so the request that crosses a
 * threshold is admitted and the next one is acted on. Only days SQL has picked run through here.
 */
import type { DegradeStep, RuleSet } from './policy.js';
import type { GuardEvent } from './types.js';

export interface WalkSpan {
  time: string;
  minute: string;
  route: string | null;
  cost: number;
  /** Cost with the fallback model of the tenant's ladder; null when no fallback maps its model. */
  fallback_cost: number | null;
  /** Already blocked by the per-minute rate limit (counted in SQL). */
  rate_blocked: boolean;
  secs_to_day_end: number;
}

export interface WalkDay {
  tenant: string;
  cap_usd: number | null;
  /** Spend at which the kill switch trips: mean + z × sd_used; null without a baseline. */
  trip_usd: number | null;
  mean_usd: number;
  sd_used_usd: number;
}

export interface WalkOutcome {
  events: GuardEvent[];
  blocked: number;
  blocked_usd: number;
  degraded: number;
  degraded_saved_usd: number;
}

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** Spend is summed in floating point here: a nano-dollar of slack keeps $0.36 reached after 80 × $0.0045. */
const reached = (spent: number, threshold: number): boolean => spent >= threshold - 1e-9;

/** The event a rule opens, counting the requests it acts on as they come. */
function openEvent(day: WalkDay, span: WalkSpan, spent: number, fields: Pick<GuardEvent, 'rule' | 'action' | 'limit' | 'step' | 'severity'> & { observed?: number; unit?: GuardEvent['unit']; retry?: number | null }): GuardEvent {
  return {
    time: span.time,
    tenant: day.tenant,
    rule: fields.rule,
    observed: fields.observed ?? round(spent, 6),
    limit: fields.limit,
    action: fields.action,
    unit: fields.unit ?? 'usd/day',
    retry_after_s: fields.retry ?? null,
    step: fields.step,
    requests: 0,
    severity: fields.severity,
  };
}

export function walkDay(day: WalkDay, rules: RuleSet, spans: readonly WalkSpan[]): WalkOutcome {
  const out: WalkOutcome = { events: [], blocked: 0, blocked_usd: 0, degraded: 0, degraded_saved_usd: 0 };
  const steps = [...rules.degrade].sort((a, b) => a.at_share - b.at_share);
  const opened = new Map<DegradeStep, GuardEvent>();
  const cachedSeen = new Map<DegradeStep, number>();
  let spent = 0;
  let pause: GuardEvent | undefined;
  let tighten: GuardEvent | undefined;
  const afterCapPerMinute = new Map<string, number>();

  const block = (event: GuardEvent, span: WalkSpan): void => {
    event.requests += 1;
    out.blocked += 1;
    out.blocked_usd += span.cost;
  };

  for (const span of spans) {
    if (span.rate_blocked) continue;
    if (!pause && day.trip_usd !== null && reached(spent, day.trip_usd)) {
      const z = day.sd_used_usd > 0 ? (spent - day.mean_usd) / day.sd_used_usd : 0;
      const limitZ = day.sd_used_usd > 0 ? (day.trip_usd - day.mean_usd) / day.sd_used_usd : 0;
      pause = openEvent(day, span, spent, { rule: 'kill_switch', action: 'pause', observed: round(z, 2), limit: round(limitZ, 2), unit: 'z', step: null, severity: 'critical' });
      out.events.push(pause);
    }
    if (pause) {
      block(pause, span);
      continue;
    }
    const cap = day.cap_usd;
    if (cap !== null && reached(spent, cap)) {
      if (!tighten) {
        tighten = openEvent(day, span, spent, { rule: 'daily_cap', action: 'tighten', limit: round(cap, 6), step: null, severity: 'critical' });
        out.events.push(tighten);
      }
      const admitted = afterCapPerMinute.get(span.minute) ?? 0;
      if (admitted >= (rules.daily_cap?.after_cap_requests_per_minute ?? 0)) {
        block(tighten, span);
        continue;
      }
      afterCapPerMinute.set(span.minute, admitted + 1);
    }
    let cost = span.cost;
    let degradedBy: GuardEvent | undefined;
    const active = cap === null ? [] : steps.filter((step) => reached(spent, step.at_share * cap));
    for (const step of active) {
      if (opened.has(step) || cap === null) continue;
      const quota = step.action === 'quota_error';
      const event = openEvent(day, span, spent, {
        rule: 'daily_cap', action: quota ? '429' : 'degrade', limit: round(step.at_share * cap, 6), step: step.action,
        retry: quota ? span.secs_to_day_end : null, severity: 'warn',
      });
      opened.set(step, event);
      out.events.push(event);
    }
    const quota = active.find((step) => step.action === 'quota_error');
    if (quota) {
      block(opened.get(quota) as GuardEvent, span);
      continue;
    }
    const cached = active.find((step) => step.action === 'cached' && span.route !== null && step.routes.includes(span.route));
    if (cached?.action === 'cached') {
      // the n-th request is served from cache when n × share crosses a whole number: exactly `share` of them
      const seen = (cachedSeen.get(cached) ?? 0) + 1;
      cachedSeen.set(cached, seen);
      if (Math.floor(seen * cached.share) > Math.floor((seen - 1) * cached.share)) {
        cost = 0;
        degradedBy = opened.get(cached);
      }
    }
    const fallback = active.find((step) => step.action === 'fallback');
    if (!degradedBy && fallback && span.fallback_cost !== null && span.fallback_cost < cost) {
      cost = span.fallback_cost;
      degradedBy = opened.get(fallback);
    }
    if (degradedBy) {
      degradedBy.requests += 1;
      out.degraded += 1;
      out.degraded_saved_usd += span.cost - cost;
    }
    spent += cost;
  }
  return out;
}
