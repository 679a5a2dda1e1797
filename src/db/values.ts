/**
 * Converting the values the `…Json` getters return (BIGINT and DECIMAL as strings) to JS numbers.
 * Kept apart from database.ts so that modules which only read values do not load the DuckDB binding.
 */

/** Convert a BIGINT/DECIMAL json value (string or number or null) to a JS number, 0 for null. */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}
