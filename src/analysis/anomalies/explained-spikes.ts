/**
 * One incident, one finding: a tool loop, a memory runaway or an escalation also makes its tenant's
 * (or route's) spend spike, and two findings about one cause send a person looking twice. A
 * spend_spike incident is folded into an incident of another kind about the same tenant (a route
 * spike: the same route) when that incident's own money on the spike's days is at least half the
 * spike's excess. The spike is then named in the explaining incident's `evidence.spend_spike_days`
 * (and its excess in `evidence.spend_spike_usd`) instead of being reported on its own.
 */
import { usd } from './scope.js';
import type { Anomaly, WindowEvidence } from './types.js';

const EXPLAINED_SHARE = 0.5;

function sameEntity(spike: Anomaly, other: Anomaly): boolean {
  return spike.tenant !== null ? other.tenant === spike.tenant : other.route === spike.route;
}

function byDay(a: Anomaly): WindowEvidence[] {
  const days = a.evidence.by_day;
  return Array.isArray(days) ? (days as WindowEvidence[]) : [];
}

/** The other incident's money in the windows that overlap [start, end). */
function moneyDuring(other: Anomaly, start: string, end: string): number {
  return byDay(other)
    .filter((d) => String(d.start) < end && String(d.end) > start)
    .reduce((sum, d) => sum + (typeof d.impact_usd === 'number' ? d.impact_usd : 0), 0);
}

function dayList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export function foldExplainedSpikes(incidents: readonly Anomaly[]): Anomaly[] {
  const others = incidents.filter((a) => a.kind !== 'spend_spike').map((a) => ({ ...a, evidence: { ...a.evidence } }));
  const kept: Anomaly[] = [];
  for (const spike of incidents.filter((a) => a.kind === 'spend_spike')) {
    const spikeDays = byDay(spike).map((d) => ({ start: String(d.start), end: String(d.end), excess: typeof d.impact_usd === 'number' ? d.impact_usd : 0 }));
    const explained = spikeDays.every((day) => others.some((o) => sameEntity(spike, o) && moneyDuring(o, day.start, day.end) >= EXPLAINED_SHARE * day.excess));
    const cause = others
      .filter((o) => sameEntity(spike, o) && spikeDays.some((day) => moneyDuring(o, day.start, day.end) > 0))
      .sort((a, b) => b.evidence.impact_usd - a.evidence.impact_usd)[0];
    if (!explained || cause === undefined || spikeDays.length === 0) {
      kept.push(spike);
      continue;
    }
    const days = [...dayList(cause.evidence.spend_spike_days), ...spikeDays.map((d) => d.start.slice(0, 10))];
    cause.evidence.spend_spike_days = [...new Set(days)].sort();
    cause.evidence.spend_spike_usd = usd((typeof cause.evidence.spend_spike_usd === 'number' ? cause.evidence.spend_spike_usd : 0) + spike.evidence.impact_usd);
  }
  return [...others, ...kept];
}
