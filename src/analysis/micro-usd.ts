/**
 * Exact money arithmetic on the 6-decimal USD strings the SQL layer projects: micro-dollars as
 * BigInt, parsed from and formatted back to `d.dddddd` strings (never through a double).
 */
export function microOf(usd: string): bigint {
  const text = usd.trim();
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace(/^[-+]/, '').split('.');
  const micro = BigInt(whole || '0') * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
  return negative ? -micro : micro;
}

export function usdOf(micro: bigint): string {
  const abs = micro < 0n ? -micro : micro;
  return `${micro < 0n ? '-' : ''}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
}

export function sumUsd(values: readonly string[]): string {
  return usdOf(values.reduce((s, v) => s + microOf(v), 0n));
}

/** a × b / divisor rounded half away from zero, for non-negative divisors. */
export function mulDivRound(a: bigint, b: bigint, divisor: bigint): bigint {
  const product = a * b;
  const half = divisor / 2n;
  return product >= 0n ? (product + half) / divisor : -((-product + half) / divisor);
}
