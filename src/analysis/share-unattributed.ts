/**
 * `--share-unattributed`: tenant-less spend handed to tenants, to the micro-dollar, so the shares
 * add up to the unattributed amount exactly.
 *   - none:         nothing is shared;
 *   - proportional: in proportion to each tenant's attributed spend;
 *   - even:         equally across the tenants with spend.
 * Only tenants with attributed spend > 0 receive a share. Each share is first rounded down to the
 * micro-dollar; the micro-dollars left over go one each to the tenants with the largest dropped
 * remainders (ties: larger spend first, then tenant name), so the result is deterministic and exact.
 */
export const SHARE_MODES = ['none', 'proportional', 'even'] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

/** Micro-dollars per tenant; tenants that receive nothing are absent. */
export function shareUnattributed(unattributed: bigint, spend: ReadonlyMap<string, bigint>, mode: ShareMode): Map<string, bigint> {
  const receivers = [...spend].filter(([, micro]) => micro > 0n);
  if (mode === 'none' || receivers.length === 0 || unattributed === 0n) return new Map();
  const weights = receivers.map(([tenant, micro]) => ({ tenant, spend: micro, weight: mode === 'even' ? 1n : micro }));
  const total = weights.reduce((s, w) => s + w.weight, 0n);
  const sign = unattributed < 0n ? -1n : 1n;
  const amount = unattributed * sign;
  const parts = weights.map((w) => ({ ...w, base: (amount * w.weight) / total, remainder: (amount * w.weight) % total }));
  let left = amount - parts.reduce((s, p) => s + p.base, 0n);
  const order = [...parts].sort((a, b) => (a.remainder !== b.remainder ? (b.remainder > a.remainder ? 1 : -1) : a.spend !== b.spend ? (b.spend > a.spend ? 1 : -1) : a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  for (const part of order) {
    if (left === 0n) break;
    part.base += 1n;
    left -= 1n;
  }
  return new Map(parts.map((p) => [p.tenant, p.base * sign]));
}
