/**
 * Default detector thresholds (from the cost-attribution guide) and merging the `anomalies` key of
 * `costattr.config.json` over them, e.g. `{"anomalies": {"spend_spike": {"warnZ": 3}, "maxTraceIds": 5}}`.
 * `incidentGapDays`: quiet days an incident may have between two flagged days and stay one incident.
 * Unknown keys and non-numeric values are errors naming the key, so a typo never silently does nothing.
 */
import { CostattrError } from '../../errors.js';
import { ANOMALY_KINDS, type AnomalyKind, type AnomalyThresholds } from './types.js';

export const DEFAULT_THRESHOLDS: AnomalyThresholds = {
  maxTraceIds: 10,
  incidentGapDays: 1,
  tool_loop: { minRepeats: 5, criticalShare: 0.25 },
  prompt_bloat: { minGrowth: 0.1, criticalGrowth: 0.5, minCalls: 200 },
  memory_runaway: { p95Multiplier: 2, budgetTokens: null, minRisingTurns: 5, minSessions: 20, criticalMultiplier: 4 },
  cache_miss_storm: {
    maxShareOfBaseline: 0.5,
    minDrop: 0.2,
    criticalShareOfBaseline: 0.25,
    baselineDays: 7,
    minBaselineCalls: 100,
    minDayCalls: 50,
    minHourCalls: 30,
  },
  model_escalation: {
    baselineDays: 14,
    windowDays: 7,
    minShift: 0.2,
    minCostIncrease: 0.1,
    minUsdPerDay: 0.25,
    minZ: 3,
    criticalShift: 0.5,
    minRuns: 6,
    minBaselineRuns: 10,
  },
  spend_spike: { baselineDays: 7, warnZ: 2, criticalZ: 4, minStddevFraction: 0.75, minExcessUsd: 1, minBaselineRuns: 35 },
};

const WHERE = 'costattr.config.json: anomalies';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindKey(key: string): AnomalyKind | undefined {
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replaceAll('-', '_');
  return (ANOMALY_KINDS as readonly string[]).includes(snake) ? (snake as AnomalyKind) : undefined;
}

function numberAt(path: string, value: unknown, nullable: boolean): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new CostattrError('BAD_INPUT', `${WHERE}.${path}: expected a non-negative number${nullable ? ' or null' : ''}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function mergeKind<T extends object>(kind: string, defaults: T, raw: unknown): T {
  if (!isObject(raw)) throw new CostattrError('BAD_INPUT', `${WHERE}.${kind}: expected an object of thresholds`);
  const merged: Record<string, number | null> = { ...(defaults as Record<string, number | null>) };
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in merged)) {
      throw new CostattrError('BAD_INPUT', `${WHERE}.${kind}.${key}: unknown threshold`, {
        hint: `known: ${Object.keys(merged).join(', ')}`,
      });
    }
    merged[key] = numberAt(`${kind}.${key}`, value, defaults[key as keyof T] === null);
  }
  return merged as T;
}

/** The thresholds to run with: defaults, with the config's `anomalies` object (if any) merged over. */
export function resolveThresholds(raw: unknown): AnomalyThresholds {
  if (raw === undefined) return DEFAULT_THRESHOLDS;
  if (!isObject(raw)) throw new CostattrError('BAD_INPUT', `${WHERE}: expected an object`);
  const result: AnomalyThresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'maxTraceIds' || key === 'max_trace_ids') {
      result.maxTraceIds = Math.floor(numberAt(key, value, false) ?? DEFAULT_THRESHOLDS.maxTraceIds);
      continue;
    }
    if (key === 'incidentGapDays' || key === 'incident_gap_days') {
      result.incidentGapDays = Math.floor(numberAt(key, value, false) ?? DEFAULT_THRESHOLDS.incidentGapDays);
      continue;
    }
    const kind = kindKey(key);
    if (kind === undefined) {
      throw new CostattrError('BAD_INPUT', `${WHERE}.${key}: not an anomaly kind`, { hint: `kinds: ${ANOMALY_KINDS.join(', ')}, maxTraceIds or incidentGapDays` });
    }
    assignKind(result, kind, value);
  }
  return result;
}

function assignKind(result: AnomalyThresholds, kind: AnomalyKind, raw: unknown): void {
  switch (kind) {
    case 'tool_loop':
      result.tool_loop = mergeKind(kind, DEFAULT_THRESHOLDS.tool_loop, raw);
      return;
    case 'prompt_bloat':
      result.prompt_bloat = mergeKind(kind, DEFAULT_THRESHOLDS.prompt_bloat, raw);
      return;
    case 'memory_runaway':
      result.memory_runaway = mergeKind(kind, DEFAULT_THRESHOLDS.memory_runaway, raw);
      return;
    case 'cache_miss_storm':
      result.cache_miss_storm = mergeKind(kind, DEFAULT_THRESHOLDS.cache_miss_storm, raw);
      return;
    case 'model_escalation':
      result.model_escalation = mergeKind(kind, DEFAULT_THRESHOLDS.model_escalation, raw);
      return;
    case 'spend_spike':
      result.spend_spike = mergeKind(kind, DEFAULT_THRESHOLDS.spend_spike, raw);
      return;
    default:
      kind satisfies never;
  }
}
