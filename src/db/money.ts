/**
 * Money in SQL, written once. Rates, per-span costs and every sum of them stay exact DECIMALs at
 * 10⁻¹⁵ USD (`EXACT_USD`: a per-token rate × an integer token count needs no rounding); money is
 * rounded only where a figure leaves SQL, to the micro-dollar (6 decimals, the JSON contract of
 * PRODUCT.md), half away from zero (DuckDB's `round` on a DECIMAL), still as a DECIMAL so no
 * double ever carries an unrounded sum. Read it as text (`usdTextSql`) for exact micro-dollar
 * arithmetic in JS (analysis/micro-usd.ts), or as a number (`usdNumberSql`) for a JSON field.
 */
import { DUCKDB, type Dialect } from './dialect.js';

/** Exact money: per-token rates, per-span costs and their sums. */
export const EXACT_USD = 'DECIMAL(38,15)';

/** Money as reported: USD to the micro-dollar. */
export const USD = 'DECIMAL(38,6)';

/** One femto-dollar (10⁻¹⁵ USD), the last digit of `EXACT_USD`, as an exact DECIMAL literal. */
export const FEMTO_USD = `CAST('0.000000000000001' AS DECIMAL(16,15))`;

/** `expr` as exact money (`EXACT_USD`), e.g. a product or a sum whose type DuckDB would widen. */
export function exactUsdSql(expr: string): string {
  return `CAST(${expr} AS ${EXACT_USD})`;
}

/** `expr` (exact money, or a DOUBLE estimate) rounded to the micro-dollar, half away from zero, as `USD`. */
export function usdSql(expr: string): string {
  return `CAST(round(${expr}, 6) AS ${USD})`;
}

/** `usdSql` as its exact decimal text (`'12.345678'`, `'-0.000001'`), for micro-dollar arithmetic in JS. */
export function usdTextSql(expr: string, dialect: Dialect = DUCKDB): string {
  return dialect.decimalText(usdSql(expr), 6);
}

/** `usdSql` as a DOUBLE: the JSON number of the rounded figure (the same double `JSON.parse` gives its text). */
export function usdNumberSql(expr: string): string {
  return `${usdSql(expr)}::DOUBLE`;
}
