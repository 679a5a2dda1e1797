// The one money formatter (src/render/money.ts): every expected string is written out by hand.
import { describe, expect, it } from 'vitest';
import { formatSignedUsd, formatUnitUsd, formatUsd, formatUsdCompact, roundUsd } from '../../src/render/money.js';

describe('formatUsd (tables, sentences)', () => {
  it('shows money to the cent with thousands separators', () => {
    expect(formatUsd(9.5273)).toBe('$9.53');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(34139.42)).toBe('$34,139.42');
    expect(formatUsd(1234567.891)).toBe('$1,234,567.89');
    expect(formatUsd(999.999)).toBe('$1,000.00');
  });

  it('zero is $0.00, never signed (also -0)', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(-0)).toBe('$0.00');
    expect(formatUsd('0.000000')).toBe('$0.00');
    expect(formatUsd('-0.000000')).toBe('$0.00');
  });

  it('negative amounts use an ASCII hyphen-minus before the dollar sign', () => {
    expect(formatUsd(-1.234)).toBe('-$1.23');
    expect(formatUsd(-1234.5)).toBe('-$1,234.50');
    expect(formatUsd('-7.654321')).toBe('-$7.65');
    expect(formatUsd(-1.5)).not.toContain('−'); // not U+2212
  });

  it('a non-zero amount below half a cent keeps two significant digits, so it never reads as $0.00', () => {
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0.004237)).toBe('$0.0042');
    expect(formatUsd(0.00006)).toBe('$0.00006');
    expect(formatUsd(0.000123)).toBe('$0.00012');
    expect(formatUsd(0.0000001)).toBe('$0.0000001'); // 1e-7: String() gives exponent form
    expect(formatUsd(-0.0042)).toBe('-$0.0042');
    expect(formatUsd(0.004)).toBe('$0.004'); // trailing zero of the second digit dropped
    expect(formatUsd(0.0049999)).toBe('$0.005'); // 0.0050 at two significant digits
    expect(formatUsd(0.005)).toBe('$0.01'); // half a cent rounds up to the cent
    expect(formatUsd(0.0051)).toBe('$0.01');
  });

  it('below a femto-dollar (the exact money scale) it is $0.00', () => {
    expect(formatUsd(1e-16)).toBe('$0.00');
    expect(formatUsd(-1e-16)).toBe('$0.00');
    expect(formatUsd(1e-15)).toBe('$0.000000000000001');
  });

  it('rounds half away from zero on the decimal value, not half to even and not on the double', () => {
    expect(formatUsd(0.125)).toBe('$0.13'); // banker's rounding would give $0.12
    expect(formatUsd(0.135)).toBe('$0.14');
    expect(formatUsd(-0.125)).toBe('-$0.13');
    expect(formatUsd(2.5)).toBe('$2.50');
    expect(formatUsd(1.005)).toBe('$1.01'); // (1.005).toFixed(2) is '1.00': the double is 1.00499999…
    expect(formatUsd(2.675)).toBe('$2.68'); // (2.675).toFixed(2) is '2.67'
    expect(formatUsd(1.004999)).toBe('$1.00');
  });

  it('reads exact DECIMAL text from DuckDB without a double in between', () => {
    expect(formatUsd('12.345678')).toBe('$12.35');
    expect(formatUsd('98765432109876.125000000000000')).toBe('$98,765,432,109,876.13');
    expect(formatUsd(' 0.000060 ')).toBe('$0.00006');
    expect(formatUsd('1e3')).toBe('$1,000.00');
  });

  it('anything that is not a figure shows as n/a', () => {
    expect(formatUsd(Number.NaN)).toBe('n/a');
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('n/a');
    expect(formatUsd('')).toBe('n/a');
    expect(formatUsd('12,5')).toBe('n/a');
  });
});

describe('formatSignedUsd (deltas)', () => {
  it('always says the direction, one minus style', () => {
    expect(formatSignedUsd(1.234)).toBe('+$1.23');
    expect(formatSignedUsd(-1.234)).toBe('-$1.23');
    expect(formatSignedUsd(1234.5)).toBe('+$1,234.50');
    expect(formatSignedUsd(0.0011)).toBe('+$0.0011');
    expect(formatSignedUsd(-0.0011)).toBe('-$0.0011');
  });

  it('no change has no sign', () => {
    expect(formatSignedUsd(0)).toBe('$0.00');
    expect(formatSignedUsd(-0)).toBe('$0.00');
  });
});

describe('formatUnitUsd (per run, per call, per day)', () => {
  it('keeps up to the micro-dollar and at least cents, trailing zeros dropped', () => {
    expect(formatUnitUsd(0.012546)).toBe('$0.012546');
    expect(formatUnitUsd(0.0125)).toBe('$0.0125');
    expect(formatUnitUsd(0.004)).toBe('$0.004');
    expect(formatUnitUsd(12.5)).toBe('$12.50');
    expect(formatUnitUsd(3)).toBe('$3.00');
    expect(formatUnitUsd(1234.0000004)).toBe('$1,234.00');
    expect(formatUnitUsd(0.0000005)).toBe('$0.000001'); // half a micro-dollar rounds away from zero
    expect(formatUnitUsd(0.0000001)).toBe('$0.0000001'); // non-zero below it keeps two significant digits
    expect(formatUnitUsd(0)).toBe('$0.00');
  });

  it('signed for a change', () => {
    expect(formatUnitUsd(0.0011, { signed: true })).toBe('+$0.0011');
    expect(formatUnitUsd(-0.000146, { signed: true })).toBe('-$0.000146');
    expect(formatUnitUsd(0, { signed: true })).toBe('$0.00');
    expect(formatUnitUsd(-0.5)).toBe('-$0.50');
  });
});

describe('formatUsdCompact (chart labels)', () => {
  it('k for thousands, whole dollars from $10, cents below', () => {
    expect(formatUsdCompact(12_345)).toBe('$12k');
    expect(formatUsdCompact(1250)).toBe('$1.3k'); // half away from zero
    expect(formatUsdCompact(45.5)).toBe('$46');
    expect(formatUsdCompact(1.234)).toBe('$1.23');
    expect(formatUsdCompact(0)).toBe('$0.00');
    expect(formatUsdCompact(-3)).toBe('-$3.00');
    expect(formatUsdCompact(-25)).toBe('-$25');
    expect(formatUsdCompact(2_500_000)).toBe('$2,500k');
  });
});

describe('roundUsd (JSON numbers)', () => {
  it('rounds to 6 decimals half away from zero on the decimal value', () => {
    expect(roundUsd(0.0125464)).toBe(0.012546);
    expect(roundUsd(0.0000005)).toBe(0.000001);
    expect(roundUsd(-0.0000005)).toBe(-0.000001); // Math.round(x * 1e6) / 1e6 gives -0 here
    expect(roundUsd(1.0000005)).toBe(1.000001);
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
    expect(roundUsd('12.3456785')).toBe(12.345679);
    expect(roundUsd(-1234567.1234564)).toBe(-1234567.123456);
  });

  it('never returns -0 and leaves non-finite numbers alone', () => {
    expect(Object.is(roundUsd(-0.0000001), 0)).toBe(true);
    expect(Object.is(roundUsd(-0), 0)).toBe(true);
    expect(roundUsd(Number.NaN)).toBeNaN();
  });
});
