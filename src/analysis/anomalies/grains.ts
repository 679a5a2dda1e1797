/**
 * Detectors that look at both a route and each tenant on it would report one incident twice. Keep
 * the explanation that fits: when one tenant's finding carries at least half of the route-wide
 * finding's money, the tenant is the story and the route-wide finding is dropped; otherwise the
 * problem is route-wide and the overlapping per-tenant findings are dropped.
 */
import type { Anomaly } from './types.js';

const DOMINANT_SHARE = 0.5;

function overlaps(a: Anomaly, b: Anomaly): boolean {
  return a.start < b.end && b.start < a.end;
}

/** `findings` of one kind; route-wide ones have `tenant === null`. */
export function keepBestGrain<T extends Anomaly>(findings: readonly T[]): T[] {
  const routeWide = findings.filter((f) => f.tenant === null);
  const perTenant = findings.filter((f) => f.tenant !== null);
  const dropped = new Set<T>();
  for (const route of routeWide) {
    const related = perTenant.filter((f) => f.route === route.route && overlaps(f, route));
    const dominant = related.some((f) => f.evidence.impact_usd >= DOMINANT_SHARE * route.evidence.impact_usd);
    if (dominant) dropped.add(route);
    else for (const f of related) dropped.add(f);
  }
  return findings.filter((f) => !dropped.has(f));
}
