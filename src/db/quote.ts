/** Identifier and literal quoting: the one place SQL text is built from names. Values are always bound. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Only for DDL where DuckDB does not accept parameters (e.g. SET); prefer bound values everywhere else. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
