/**
 * `costattr anomalies`: runs the selected detectors over the priced spans, groups each kind's
 * windows into incidents (incidents.ts: consecutive days about the same entity are one finding),
 * folds spend spikes that another incident explains into it (explained-spikes.ts), keeps the incidents about --tenant and with at least --min-usd at stake, and sorts them by money
 * at stake (largest first), then severity (critical first), kind, start, tenant, route, model, tool —
 * so equal inputs print identically.
 */
import type { Database } from '../../db/database.js';
import { cacheMissStormIncidents, detectCacheMissStorms } from './cache-miss-storm.js';
import { foldExplainedSpikes } from './explained-spikes.js';
import { groupIncidents, type IncidentRules } from './incidents.js';
import { detectMemoryRunaway, memoryRunawayIncidents } from './memory-runaway.js';
import { detectModelEscalation, modelEscalationIncidents } from './model-escalation.js';
import { detectPromptBloat, promptBloatIncidents } from './prompt-bloat.js';
import type { DetectorInput } from './scope.js';
import { detectSpendSpikes, spendSpikeIncidents } from './spend-spike.js';
import { detectToolLoops, toolLoopIncidents } from './tool-loop.js';
import { ANOMALY_KINDS, SEVERITIES, type AnomaliesResult, type Anomaly, type AnomalyKind, type AnomalySpec, type Finding } from './types.js';

export { ANOMALY_KINDS, SEVERITIES } from './types.js';
export type { AnomaliesResult, Anomaly, AnomalyKind, AnomalySpec, AnomalyThresholds, Severity, WindowEvidence } from './types.js';
export { DEFAULT_THRESHOLDS, resolveThresholds } from './thresholds.js';

interface Detector {
  detect(input: DetectorInput): Promise<Finding[]>;
  incidents: IncidentRules;
}

const DETECTORS: Record<AnomalyKind, Detector> = {
  tool_loop: { detect: detectToolLoops, incidents: toolLoopIncidents },
  prompt_bloat: { detect: detectPromptBloat, incidents: promptBloatIncidents },
  memory_runaway: { detect: detectMemoryRunaway, incidents: memoryRunawayIncidents },
  cache_miss_storm: { detect: detectCacheMissStorms, incidents: cacheMissStormIncidents },
  model_escalation: { detect: detectModelEscalation, incidents: modelEscalationIncidents },
  spend_spike: { detect: detectSpendSpikes, incidents: spendSpikeIncidents },
};

function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export function compareAnomalies(a: Anomaly, b: Anomaly): number {
  return (
    b.evidence.impact_usd - a.evidence.impact_usd ||
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
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
  // a spend spike is judged with every other incident in view (it may be one of theirs), so --kind
  // filters the same findings a full run gives instead of asking a different question
  const run = kinds.includes('spend_spike') ? ANOMALY_KINDS : kinds;
  const found: Anomaly[] = [];
  // one connection: detectors run one after another
  for (const kind of run) {
    const detector = DETECTORS[kind];
    found.push(...groupIncidents(await detector.detect(input), detector.incidents, {
      maxTraceIds: spec.thresholds.maxTraceIds,
      gapDays: spec.thresholds.incidentGapDays,
    }));
  }
  const anomalies = foldExplainedSpikes(found)
    .filter((a) => kinds.includes(a.kind))
    .filter((a) => spec.tenant === undefined || a.tenant === spec.tenant)
    .filter((a) => a.evidence.impact_usd >= spec.minUsd)
    .sort(compareAnomalies);
  return { anomalies };
}
