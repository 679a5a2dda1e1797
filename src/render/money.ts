/**
 * Money as people read it, and money as a JSON number: the one place either is decided. A leaf
 * module (no imports), so analysis may use it for the sentences it writes (summaries, notes).
 *
 * Style (US English, ASCII hyphen-minus, thousands separators):
 *   formatUsd          an amount, to the cent: `$1,234.57`, `-$1.23`; a non-zero amount that would
 *                      round to `$0.00` shows two significant digits instead: `$0.0042`, `$0.00006`
 *   formatSignedUsd    a change, with an explicit sign: `+$1.23`, `-$0.0042`; no change is `$0.00`
 *   formatUnitUsd      a unit cost (per run, per call, a per-day limit), where cents hide the figure:
 *                      up to the micro-dollar, at least cents, trailing zeros dropped: `$0.012546`,
 *                      `$12.50`; `{ signed: true }` for its change
 *   formatUsdCompact   a chart label: `$12k`, `$1.2k`, `$45`, `$1.23`, `-$3`
 *   roundUsd           the JSON number: USD rounded to 6 decimals (PRODUCT.md)
 *
 * Rounding is half away from zero on the decimal value, as DuckDB rounds a DECIMAL (src/db/money.ts)
 * and as invoices round: $0.125 → $0.13 (not banker's $0.12), -$0.125 → -$0.13. A number is read as
 * its shortest round-trip decimal (`String(n)`), so 1.005 counts as 1.005 and shows as $1.01, where
 * `toFixed(2)` gives 1.00 from the double just below it. Amounts may also be given as the exact
 * decimal text DuckDB returns for a DECIMAL (`'12.345678'`). Anything else shows as `n/a`.
 */

/** USD as a number, or as exact decimal text. */
export type Usd = number | string;

const NOT_A_FIGURE = 'n/a';
/** The finest place shown: a femto-dollar, the scale of exact money in SQL. Below it, an amount is $0.00. */
const MAX_PLACES = 15;
const DECIMAL_TEXT = /^([-+])?(\d*)(?:\.(\d*))?(?:e([-+]?\d+))?$/i;

/** |value| = units × 10^-scale. */
interface Decimal {
  negative: boolean;
  units: bigint;
  scale: number;
}

function parse(value: Usd): Decimal | null {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value.trim();
  const match = DECIMAL_TEXT.exec(text);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole.length + fraction.length === 0) return null;
  let units = BigInt(`${whole}${fraction}`);
  let scale = fraction.length - Number(match[4] ?? 0);
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { negative: match[1] === '-' && units !== 0n, units, scale };
}

/** |value| in whole units of 10^-places, rounded half away from zero. */
function roundTo(d: Decimal, places: number): bigint {
  if (places >= d.scale) return d.units * 10n ** BigInt(places - d.scale);
  const divisor = 10n ** BigInt(d.scale - places);
  const quotient = d.units / divisor;
  return (d.units % divisor) * 2n >= divisor ? quotient + 1n : quotient;
}

function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `units` × 10^-places as `1,234.5` text, trailing zeros dropped down to `minPlaces`. */
function digits(units: bigint, places: number, minPlaces: number): string {
  const text = units.toString().padStart(places + 1, '0');
  let fraction = text.slice(text.length - places);
  while (fraction.length > minPlaces && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  const int = group(text.slice(0, text.length - places));
  return fraction.length > 0 ? `${int}.${fraction}` : int;
}

/**
 * |value| at `places` decimals (at least `minPlaces` shown); a non-zero amount that rounds to zero
 * there gets two significant digits instead, so it never reads as zero. `zero` when it shows as 0.
 */
function magnitude(d: Decimal, places: number, minPlaces: number): { text: string; zero: boolean } {
  let units = roundTo(d, places);
  let at = places;
  if (units === 0n && d.units !== 0n) {
    // first significant decimal place of units × 10^-scale (< 10^-places here), then one more digit
    const first = d.scale - d.units.toString().length + 1;
    const fine = Math.min(first + 1, MAX_PLACES);
    const fineUnits = roundTo(d, fine);
    if (fineUnits !== 0n) [units, at] = [fineUnits, fine];
  }
  return { text: digits(units, at, minPlaces), zero: units === 0n };
}

function sign(d: Decimal, zero: boolean, signed: boolean): string {
  if (zero) return '';
  if (d.negative) return '-';
  return signed ? '+' : '';
}

function format(value: Usd, places: number, signed: boolean): string {
  const d = parse(value);
  if (d === null) return NOT_A_FIGURE;
  const { text, zero } = magnitude(d, places, 2);
  return `${sign(d, zero, signed)}$${text}`;
}

/** An amount to the cent: `$1,234.57`, `-$1.23`, `$0.0042` (sub-cent, two significant digits), `$0.00`. */
export function formatUsd(value: Usd): string {
  return format(value, 2, false);
}

/** A change to the cent with its sign: `+$1.23`, `-$1.23`, `+$0.0042`; `$0.00` when nothing changed. */
export function formatSignedUsd(value: Usd): string {
  return format(value, 2, true);
}

/** A unit cost to the micro-dollar, at least cents: `$0.012546`, `$12.50`, `+$0.0011` with `signed`. */
export function formatUnitUsd(value: Usd, options: { signed?: boolean } = {}): string {
  return format(value, 6, options.signed ?? false);
}

/** A chart label: thousands as `k` (`$12k`, `$1.2k`), whole dollars from $10, cents below. */
export function formatUsdCompact(value: Usd): string {
  const d = parse(value);
  if (d === null) return NOT_A_FIGURE;
  const abs = Number(digits(d.units, d.scale, 0).replaceAll(',', ''));
  const [shifted, places, suffix] =
    abs >= 10_000 ? [{ ...d, scale: d.scale + 3 }, 0, 'k'] : abs >= 1000 ? [{ ...d, scale: d.scale + 3 }, 1, 'k'] : [d, abs >= 10 ? 0 : 2, ''];
  const units = roundTo(shifted, places);
  return `${sign(d, units === 0n, false)}$${digits(units, places, places)}${suffix}`;
}

/** The JSON figure: USD rounded to 6 decimals, half away from zero (never -0). */
export function roundUsd(value: Usd): number {
  const d = parse(value);
  if (d === null) return typeof value === 'number' ? value : Number.NaN;
  const units = roundTo(d, 6);
  if (units === 0n) return 0;
  return Number(`${d.negative ? '-' : ''}${digits(units, 6, 0).replaceAll(',', '')}`);
}
