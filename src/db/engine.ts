/**
 * What an analysis that runs on either engine needs of it: read queries with `$name` parameters,
 * rows as plain objects (BIGINT and DECIMAL as strings, DOUBLE as numbers, booleans as booleans),
 * the dialect its SQL is built in, which relations it holds, and a query's result kept under a name
 * for the queries that follow. `Database` (DuckDB) is one; src/engine/clickhouse.ts is the other.
 */
import type { Dialect } from './dialect.js';

export type EngineParams = Record<string, string | number | boolean | null>;

export interface SqlEngine {
  readonly dialect: Dialect;
  all<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: EngineParams): Promise<T[]>;
  one<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: EngineParams): Promise<T | undefined>;
  /** Whether the canonical table exists (`revenue` only once revenue was loaded). */
  hasTable(name: string): Promise<boolean>;
  /**
   * The relations (tables and views) it holds: `stored` ones (the database's own, or the lake's) or
   * `temporary` ones (this read's: inputs loaded beside a database, the installed price book).
   */
  relations(kind: 'stored' | 'temporary'): Promise<Set<string>>;
  /** The column names of a stored relation. */
  columns(relation: string): Promise<Set<string>>;
  /** `work` run with the rows of `sql` readable as the relation `name`; gone afterwards. */
  withRelation<T>(name: string, sql: string, params: EngineParams, work: () => Promise<T>): Promise<T>;
}
