/**
 * What an analysis that runs on either engine needs of it: read queries with `$name` parameters,
 * rows as plain objects (BIGINT and DECIMAL as strings, DOUBLE as numbers, booleans as booleans),
 * the dialect its SQL is built in, and whether a canonical table exists. `Database` (DuckDB) is one;
 * src/engine/clickhouse.ts is the other.
 */
import type { Dialect } from './dialect.js';

export type EngineParams = Record<string, string | number | boolean | null>;

export interface SqlEngine {
  readonly dialect: Dialect;
  all<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: EngineParams): Promise<T[]>;
  one<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: EngineParams): Promise<T | undefined>;
  /** Whether the canonical table exists (`revenue` only once revenue was loaded). */
  hasTable(name: string): Promise<boolean>;
}
