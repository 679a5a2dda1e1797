/**
 * The demo's 40 tenants: which segment each is in, its users, its contracted revenue and the token
 * spend the generator aims for. Segment figures are the worked example of
 * reference/cost-attribution-guide.txt; a segment's revenue and spend are split over its tenants by
 * seeded weights, so the segment sums are exact and only the per-tenant split depends on the seed.
 */
import type { Prng } from './prng.js';

export type DemoSegment = 'healthy' | 'power_user' | 'runaway';
export type Plan = 'bundled' | 'pass_through' | 'outcome_based';

/** The guide's table: tenants, revenue and token spend per segment (USD, one month). */
export const SEGMENT_TARGETS: Readonly<Record<DemoSegment, { tenants: number; revenueUsd: number; spendUsd: number }>> = {
  healthy: { tenants: 34, revenueUsd: 145_000, spendUsd: 14_600 },
  power_user: { tenants: 4, revenueUsd: 22_000, spendUsd: 11_400 },
  runaway: { tenants: 2, revenueUsd: 13_000, spendUsd: 8_000 },
};

/** Tenant-less runs (internal smoke tests, a mis-wired integration): about 0.3% of spend. */
export const UNATTRIBUTED_SPEND_USD = 102;

/** Spend as a share of revenue before scaling to the segment total: healthy stays ≥ 75% margin. */
const SPEND_RATIO: Readonly<Record<DemoSegment, [number, number]>> = {
  healthy: [0.06, 0.14],
  power_user: [0.45, 0.6],
  runaway: [0.55, 0.68],
};

const TENANT_NAMES = [
  'aster-logistics', 'brightlane', 'cobalt-legal', 'driftwood-media', 'ember-health', 'fjord-capital',
  'granite-works', 'harbor-dental', 'ironclad-security', 'juniper-realty', 'kestrel-travel', 'lumen-energy',
  'maple-insurance', 'northwind-foods', 'orchid-retail', 'pinnacle-hr', 'quarry-analytics', 'redwood-clinic',
  'summit-freight', 'tidal-marine', 'umber-architects', 'vantage-partners', 'willow-schools', 'xenon-labs',
  'yarrow-pharma', 'zephyr-air', 'atlas-recruiting', 'beacon-finance', 'cedar-accounting', 'delta-events',
  'evergreen-property', 'falcon-telecom', 'glacier-water', 'helix-biotech', 'indigo-studio', 'jasper-consulting',
  'keystone-builders', 'lighthouse-nonprofit', 'meridian-hotels', 'nimbus-software',
] as const;

export interface DemoTenant {
  id: string;
  segment: DemoSegment;
  users: string[];
  plan: Plan;
  revenueUsd: number;
  /** Contracted ceiling on token spend, when the contract has one. */
  ceilingUsd: number | undefined;
  spendTargetUsd: number;
}

/** Split `total` over `weights`, rounded to `step`, the remainder on the last share (sums exactly). */
function split(total: number, weights: readonly number[], step: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const shares = weights.map((w) => Math.round((total * w) / sum / step) * step);
  const rest = total - shares.slice(0, -1).reduce((a, b) => a + b, 0);
  shares[shares.length - 1] = rest;
  return shares;
}

export function buildTenants(rng: Prng): DemoTenant[] {
  const names = rng.shuffle(TENANT_NAMES);
  const tenants: DemoTenant[] = [];
  let next = 0;
  for (const segment of ['healthy', 'power_user', 'runaway'] as const) {
    const target = SEGMENT_TARGETS[segment];
    const ids = names.slice(next, next + target.tenants);
    next += target.tenants;
    const userCounts = ids.map(() => rng.int(5, 50));
    const revenues = split(target.revenueUsd, userCounts.map((u) => u * rng.between(0.7, 1.3) + 8), 50);
    const [low, high] = SPEND_RATIO[segment];
    const rawSpend = revenues.map((r) => r * rng.between(low, high));
    const spends = split(target.spendUsd, rawSpend, 0.01);
    ids.forEach((id, i) => {
      const users = Array.from({ length: userCounts[i] ?? 5 }, (_, u) => `${id}/u${String(u + 1).padStart(2, '0')}`);
      const revenueUsd = revenues[i] ?? 0;
      const plan: Plan = segment === 'healthy' && i % 7 === 3 ? 'outcome_based' : segment === 'healthy' && i % 11 === 5 ? 'pass_through' : 'bundled';
      tenants.push({
        id,
        segment,
        users,
        plan,
        revenueUsd,
        ceilingUsd: plan === 'bundled' ? Math.round(revenueUsd * 0.2) : undefined,
        spendTargetUsd: spends[i] ?? 0,
      });
    });
  }
  return tenants.sort((a, b) => a.id.localeCompare(b.id));
}
