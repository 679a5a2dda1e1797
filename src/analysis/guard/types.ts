/** Result shapes of `guard` (PRODUCT.md `guard`), shared by the replay, the walk and the renderers. */

export const GUARD_RULES = ['rate_limit', 'daily_cap', 'kill_switch'] as const;
export type GuardRule = (typeof GUARD_RULES)[number];

export const GUARD_ACTIONS = ['429', 'tighten', 'degrade', 'pause'] as const;
export type GuardAction = (typeof GUARD_ACTIONS)[number];

export interface GuardEvent {
  /** Local wall-clock time (`--timezone`) of the first request the rule acted on, `YYYY-MM-DDTHH:MM:SS`. */
  time: string;
  tenant: string;
  rule: GuardRule;
  /** In `unit`: requests or tokens in the minute, USD spent so far that day, or the spend z-score. */
  observed: number;
  limit: number;
  action: GuardAction;
  unit: 'requests/min' | 'tokens/min' | 'usd/day' | 'z';
  /** Seconds a client should wait (429 only): to the end of the minute, or of the day for a quota error. */
  retry_after_s: number | null;
  /** `fallback`, `cached` or `quota_error` for ladder steps; null otherwise. */
  step: string | null;
  /** Requests this event's rule blocked or degraded from `time` on (to the end of the minute or day). */
  requests: number;
  /** Pauses and cap crossings are critical (`--fail`); 429s and degradation are warnings. */
  severity: 'critical' | 'warn';
}

export interface GuardTenant {
  tenant: string;
  requests: number;
  requests_blocked: number;
  requests_degraded: number;
  spend_usd: number;
  blocked_usd: number;
  /** blocked_usd plus what degradation saved (fallback repricing, cached answers). */
  saved_usd: number;
  guarded_usd: number;
  events: number;
  days_fired: string[];
  /** Days a rule fired although the day's spend was normal for the tenant (≤ 2× its median day). */
  false_positive_days: string[];
}

export interface GuardResult {
  events: GuardEvent[];
  tenants: GuardTenant[];
  blocked_usd: number;
  saved_usd: number;
  spend_usd: number;
  critical_events: number;
  /** Caveats: tenant-less spend not replayed, unpriced spans, caps without a contracted ceiling. */
  notes: string[];
}
