/**
 * `costattr anomalies`: runs the selected detectors over the priced spans, keeps the findings about
 * --tenant and with at least --min-usd at stake, and sorts them: severity (critical first), money at
 * stake (largest first), then kind, start, tenant, route, model, tool — so equal inputs print identically.
 */
import type { Database } from '../../db/database.js';
import { detectCacheMissStorms } from './cache-miss-storm.js';
import { detectMemoryRunaway } from './memory-runaway.js';
import { detectModelEscalation } from './model-escalation.js';
import { detectPromptBloat } from './prompt-bloat.js';
import type { DetectorInput } from './scope.js';
import { detectSpendSpikes } from './spend-spike.js';
import { detectToolLoops } from './tool-loop.js';
import { ANOMALY_KINDS, SEVERITIES, type AnomaliesResult, type Anomaly, type AnomalyKind, type AnomalySpec } from './types.js';

export { ANOMALY_KINDS, SEVERITIES } from './types.js';
export type { AnomaliesResult, Anomaly, AnomalyKind, AnomalySpec, AnomalyThresholds, Severity } from './types.js';
export { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';

const DETECTORS: Record<AnomalyKind, (input: DetectorInput) => Promise<Anomaly[]>> = {
  tool_loop: detectToolLoops,
  prompt_bloat: detectPromptBloat,
  memory_runaway: detectMemoryRunaway,
  cache_miss_storm: detectCacheMissStorms,
  model_escalation: detectModelEscalation,
  spend_spike: detectSpendSpikes,
};

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export function compareAnomalies(a: Anomaly, b: Anomaly): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    b.evidence.impact_usd - a.evidence.impact_usd ||
    ANOMALY_KINDS.indexOf(a.kind) - ANOMALY_KINDS.indexOf(b.kind) ||
    compareText(a.start, b.start) ||
    compareText(a.tenant, b.tenant) ||
    compareText(a.route, b.route) ||
    compareText(a.model, b.model) ||
    compareText(a.tool, b.tool)
  );
}

export async function detectAnomalies(db: Database, spec: AnomalySpec): Promise<AnomaliesResult> {
  const kinds = spec.kinds.length > 0 ? ANOMALY_KINDS.filter((k) => spec.kinds.includes(k)) : ANOMALY_KINDS;
  const input: DetectorInput = { db, period: spec.period, thresholds: spec.thresholds, tenant: spec.tenant };
  const found: Anomaly[] = [];
  // one connection: detectors run one after another
  for (const kind of kinds) found.push(...(await DETECTORS[kind](input)));
  const anomalies = found
    .filter((a) => spec.tenant === undefined || a.tenant === spec.tenant)
    .filter((a) => a.evidence.impact_usd >= spec.minUsd)
    .sort(compareAnomalies);
  return { anomalies };
}
