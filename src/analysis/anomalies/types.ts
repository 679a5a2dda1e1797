/**
 * The anomaly finding every detector returns (PRODUCT.md `anomalies` JSON shape), the spec the
 * CLI builds, and the per-kind thresholds.
 */
import type { Period } from '../period.js';

export const ANOMALY_KINDS = [
  'tool_loop',
  'prompt_bloat',
  'memory_runaway',
  'cache_miss_storm',
  'model_escalation',
  'spend_spike',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export const SEVERITIES = ['critical', 'warn', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One window (usually a day) of an incident, as listed in `evidence.by_day`: its scalar figures. */
export type WindowEvidence = Record<string, number | string | null>;

export type EvidenceValue = number | string | null | Array<string | number> | Record<string, number> | WindowEvidence[];

export interface Anomaly {
  kind: AnomalyKind;
  severity: Severity;
  tenant: string | null;
  route: string | null;
  model: string | null;
  tool: string | null;
  /** Window start (inclusive), `YYYY-MM-DDTHH:MM:SS` wall-clock time in the period's time zone. */
  start: string;
  /** Window end (exclusive), same form. */
  end: string;
  /** One line a person can act on, with the money at stake. */
  summary: string;
  /**
   * Figures behind the finding; always has `impact_usd` (the money at stake over the whole window),
   * `trace_count`, and `by_day`: one entry per day (per hour span or week, for detectors that judge
   * those) that the incident covers, each with its own start, end, severity, money and figures.
   */
  evidence: Record<string, EvidenceValue> & { impact_usd: number; trace_count: number };
  /** The traces to open, most expensive first, capped at `maxTraceIds` (evidence.trace_count says how many there are). */
  trace_ids: string[];
}

export interface AnomaliesResult {
  anomalies: Anomaly[];
}

/**
 * What a detector returns: one window (a day, an hour span, a week, or a whole incident the detector
 * delimits itself) with the weight of each listed trace (its cost; prompt tokens for prompt_bloat), so
 * incidents can merge trace lists most expensive first. Dropped before output.
 */
export interface Finding extends Anomaly {
  traceWeights: number[];
}

export interface ToolLoopThresholds {
  /** Same tool with nearly identical arguments this many times in one trace is a loop. */
  minRepeats: number;
  /** Critical when looping traces make at least this share of the tenant's spend that day. */
  criticalShare: number;
}

export interface PromptBloatThresholds {
  /** Week-over-week growth of prompt tokens per call that is reported (0.10 = 10%). */
  minGrowth: number;
  criticalGrowth: number;
  /** Calls needed in both weeks. */
  minCalls: number;
}

export interface MemoryRunawayThresholds {
  /** A session is runaway when its peak memory tokens per call exceed the route's p95 of session peaks × this. */
  p95Multiplier: number;
  /** …or exceed this absolute budget (tokens per call); null = no budget. */
  budgetTokens: number | null;
  /** …and memory rose on at least this many turns of the session. */
  minRisingTurns: number;
  /** Sessions with memory counters a route needs before its p95 means anything. */
  minSessions: number;
  /** Critical when the peak is at least the p95 × this. */
  criticalMultiplier: number;
}

export interface CacheMissStormThresholds {
  /** A storm: the day's (or hour's) hit rate under this fraction of the route's own trailing baseline… */
  maxShareOfBaseline: number;
  /** …and at least this far below it (0.2 = 20 points). */
  minDrop: number;
  /** Critical under this fraction of the baseline. */
  criticalShareOfBaseline: number;
  baselineDays: number;
  minBaselineCalls: number;
  minDayCalls: number;
  /** An hour with at least this many calls is judged on its own. */
  minHourCalls: number;
}

export interface ModelEscalationThresholds {
  /** The mix a window is judged against: the runs of the days before it. */
  baselineDays: number;
  /** Days pooled from a candidate start (cut at the end of the data): a low-volume tenant has no per-day sample. */
  windowDays: number;
  /** Share of runs that moved between models (total variation distance, 0..1): of the window and of its first day. */
  minShift: number;
  /** Cost at the window's mix over cost at the baseline mix, minus 1. */
  minCostIncrease: number;
  /** Money that makes it worth a look: extra USD per day of the window (a planned, cheap change stays quiet). */
  minUsdPerDay: number;
  /** Two-proportion z of the new model's share, window against baseline: chance reshuffles of a small sample stay quiet. */
  minZ: number;
  criticalShift: number;
  /** Runs (traces) the pooled window and the baseline need. */
  minRuns: number;
  minBaselineRuns: number;
}

export interface SpendSpikeThresholds {
  baselineDays: number;
  warnZ: number;
  criticalZ: number;
  /** The baseline standard deviation is at least this fraction of its mean (a flat baseline has none). */
  minStddevFraction: number;
  /** A day must exceed its baseline mean by at least this many USD (a spike of cents is noise). */
  minExcessUsd: number;
  /** Runs (traces) the baseline window needs: a tenant with a run or two a day doubles by chance. */
  minBaselineRuns: number;
}

export interface AnomalyThresholds {
  maxTraceIds: number;
  /** Flagged days of one kind and entity at most this many quiet days apart are one incident. */
  incidentGapDays: number;
  tool_loop: ToolLoopThresholds;
  prompt_bloat: PromptBloatThresholds;
  memory_runaway: MemoryRunawayThresholds;
  cache_miss_storm: CacheMissStormThresholds;
  model_escalation: ModelEscalationThresholds;
  spend_spike: SpendSpikeThresholds;
}

export interface AnomalySpec {
  period: Period;
  /** Kinds to run; all when empty. */
  kinds: readonly AnomalyKind[];
  /** Only findings about this tenant. */
  tenant?: string | undefined;
  /** Ignore findings with less money at stake than this (USD). */
  minUsd: number;
  thresholds: AnomalyThresholds;
}
