/**
 * Exact decimal-string arithmetic the price book needs: validating a human-written rate and
 * turning USD per million tokens into USD per token by moving the decimal point, never via floats.
 */

/** Fraction digits a per-MTok rate may carry so that its per-token value fits DECIMAL(38,15). */
export const MAX_PER_MTOK_FRACTION_DIGITS = 9;

const DECIMAL = /^(\d{1,17})(?:\.(\d+))?$/;

/** True when `value` is a plain non-negative decimal string the book accepts (`"3"`, `"0.30"`). */
export function isRateString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DECIMAL.exec(value);
  if (!match) return false;
  return (match[2] ?? '').length <= MAX_PER_MTOK_FRACTION_DIGITS;
}

/** `"3"` → `"0.000003"`, `"0.075"` → `"0.000000075"`, `"1250000"` → `"1.25"`: shift six places left. */
export function perMtokToPerToken(perMtok: string): string {
  const match = DECIMAL.exec(perMtok);
  if (!match) throw new Error(`not a decimal string: ${perMtok}`);
  const digits = `${match[1] ?? ''}${match[2] ?? ''}`;
  const pointAt = (match[1] ?? '').length - 6; // position of the decimal point within `digits`
  const padded = pointAt <= 0 ? `${'0'.repeat(1 - pointAt)}${digits}` : digits;
  const intLength = pointAt <= 0 ? 1 : pointAt;
  return normalise(padded.slice(0, intLength), padded.slice(intLength));
}

/** Strip leading zeros of the integer part and trailing zeros of the fraction. */
function normalise(intPart: string, fraction: string): string {
  const int = intPart.replace(/^0+(?=\d)/, '');
  const frac = fraction.replace(/0+$/, '');
  return frac.length > 0 ? `${int}.${frac}` : int;
}
