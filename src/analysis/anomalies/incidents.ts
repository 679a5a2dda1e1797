/**
 * Incidents, not rows: a detector judges days (or hours, or weeks); a person acts on an incident.
 * Windows of one kind about the same entity (tenant and route; for tool_loop the tenant) that overlap
 * or follow each other on consecutive calendar days — with at most `gapDays` quiet days between, so a
 * loop that skips a low-traffic Sunday stays one incident — become one finding: its window runs from the
 * first start to the last end, its money at stake and trace count are the sums, its trace ids the
 * most expensive of all its windows, its severity the worst window's, and `evidence.by_day` lists
 * each window's own figures. A lone window keeps its detector's summary and evidence; a longer
 * incident gets its kind's combined evidence and summary (`IncidentRules.combine`).
 * `trace_count` sums the windows' counts: a trace that crosses midnight into a second flagged day
 * counts on both.
 */
import { usd } from './scope.js';
import { SEVERITIES, type Anomaly, type EvidenceValue, type Finding, type WindowEvidence } from './types.js';

export interface IncidentRules {
  /** The entity an incident is about: findings with equal keys (and kind) may merge. */
  entity(finding: Finding): string;
  /** Evidence (beyond impact_usd, trace_count, by_day) and summary of an incident of ≥ 2 windows, in start order. */
  combine(windows: readonly Finding[], impactUsd: number): { evidence: Record<string, EvidenceValue>; summary: string };
}

const DAY_MS = 86_400_000;

/** Day number of a window bound `YYYY-MM-DDTHH:MM:SS`; `ceil` rounds a bound inside a day up to the next. */
function dayNumber(bound: string, ceil: boolean): number {
  const day = Date.parse(`${bound.slice(0, 10)}T00:00:00Z`) / DAY_MS;
  return ceil && bound.slice(11) !== '00:00:00' ? day + 1 : day;
}

/** The scalar figures of a window, with its bounds and severity, for `evidence.by_day`. */
export function windowEvidence(f: Finding): WindowEvidence[] {
  const nested = f.evidence.by_day;
  if (Array.isArray(nested) && nested.every((e) => typeof e === 'object' && e !== null)) return nested as WindowEvidence[];
  const entry: WindowEvidence = { start: f.start, end: f.end, severity: f.severity };
  for (const [key, value] of Object.entries(f.evidence)) {
    if (value === null || typeof value === 'number' || typeof value === 'string') entry[key] = value;
  }
  return [entry];
}

function common<T>(values: readonly T[]): T | null {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : null;
}

function worstSeverity(windows: readonly Finding[]): Anomaly['severity'] {
  const rank = Math.min(...windows.map((w) => SEVERITIES.indexOf(w.severity)));
  return SEVERITIES[rank] ?? 'warn';
}

/** Every listed trace once (at its largest weight), heaviest first, capped. */
function mergeTraces(windows: readonly Finding[], maxTraceIds: number): string[] {
  const weight = new Map<string, number>();
  for (const w of windows) {
    w.trace_ids.forEach((id, i) => weight.set(id, Math.max(weight.get(id) ?? -Infinity, w.traceWeights[i] ?? 0)));
  }
  return [...weight].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, maxTraceIds).map(([id]) => id);
}

/** Evidence without the keys every incident sets itself (they lead the object; by_day ends it). */
function figures(evidence: Record<string, EvidenceValue>): Record<string, EvidenceValue> {
  return Object.fromEntries(Object.entries(evidence).filter(([key]) => key !== 'impact_usd' && key !== 'trace_count' && key !== 'by_day'));
}

function toIncident(windows: readonly Finding[], rules: IncidentRules, maxTraceIds: number): Anomaly {
  const first = windows[0] as Finding;
  const byDay = windows.flatMap(windowEvidence);
  const traceCount = windows.reduce((sum, w) => sum + w.evidence.trace_count, 0);
  const impact = usd(windows.reduce((sum, w) => sum + w.evidence.impact_usd, 0));
  const lone = windows.length === 1;
  const { evidence, summary } = lone
    ? { evidence: first.evidence as Record<string, EvidenceValue>, summary: first.summary }
    : rules.combine(windows, impact);
  return {
    kind: first.kind,
    severity: worstSeverity(windows),
    tenant: first.tenant,
    route: common(windows.map((w) => w.route)),
    model: common(windows.map((w) => w.model)),
    tool: common(windows.map((w) => w.tool)),
    start: windows.reduce((min, w) => (w.start < min ? w.start : min), first.start),
    end: windows.reduce((max, w) => (w.end > max ? w.end : max), first.end),
    summary,
    evidence: { impact_usd: impact, trace_count: traceCount, ...figures(evidence), by_day: byDay },
    trace_ids: mergeTraces(windows, maxTraceIds),
  };
}

/**
 * Group one kind's findings into incidents: same entity, and each window starting no later than
 * `gapDays` days after the previous window's last day ended (consecutive days, or overlapping windows).
 */
export function groupIncidents(findings: readonly Finding[], rules: IncidentRules, options: { maxTraceIds: number; gapDays: number }): Anomaly[] {
  const { maxTraceIds, gapDays } = options;
  const byEntity = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = rules.entity(f);
    byEntity.set(key, [...(byEntity.get(key) ?? []), f]);
  }
  const incidents: Anomaly[] = [];
  for (const group of byEntity.values()) {
    group.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
    let current: Finding[] = [];
    let reach = -Infinity;
    for (const f of group) {
      if (current.length > 0 && dayNumber(f.start, false) > reach + gapDays) {
        incidents.push(toIncident(current, rules, maxTraceIds));
        current = [];
        reach = -Infinity;
      }
      current.push(f);
      reach = Math.max(reach, dayNumber(f.end, true));
    }
    if (current.length > 0) incidents.push(toIncident(current, rules, maxTraceIds));
  }
  return incidents;
}

/** tenant + route: the entity of most kinds. */
export function tenantRouteEntity(f: Finding): string {
  return JSON.stringify([f.tenant, f.route]);
}

/** `2026-10-03 – 2026-10-05` (the last day, inclusive) for incident summaries. */
export function daySpan(windows: readonly Finding[]): string {
  const first = windows[0]?.start.slice(0, 10) ?? '';
  const lastEnd = windows.reduce((max, w) => (w.end > max ? w.end : max), '');
  const lastDay = new Date((dayNumber(lastEnd, true) - 1) * DAY_MS).toISOString().slice(0, 10);
  return first === lastDay ? `on ${first}` : `${first} – ${lastDay}`;
}

/** Distinct days the windows touch. */
export function dayCount(windows: readonly Finding[]): number {
  const days = new Set<number>();
  for (const w of windows) for (let d = dayNumber(w.start, false); d < dayNumber(w.end, true); d++) days.add(d);
  return days.size;
}

export function sumOf(windows: readonly Finding[], key: string): number {
  return windows.reduce((sum, w) => sum + (typeof w.evidence[key] === 'number' ? (w.evidence[key] as number) : 0), 0);
}

export function maxOf(windows: readonly Finding[], key: string): number {
  return Math.max(...windows.map((w) => (typeof w.evidence[key] === 'number' ? (w.evidence[key] as number) : 0)));
}

export function minOf(windows: readonly Finding[], key: string): number {
  return Math.min(...windows.map((w) => (typeof w.evidence[key] === 'number' ? (w.evidence[key] as number) : Infinity)));
}
