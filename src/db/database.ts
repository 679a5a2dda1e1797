/**
 * The one DuckDB instance a command works on: open (file or in-memory), bound-parameter queries,
 * transactions, close. Results come back through the lossless `…Json` getters: BIGINT and DECIMAL
 * arrive as strings and are converted deliberately by the caller.
 */
import type { DuckDBConnection, DuckDBInstance as Instance, DuckDBValue } from '@duckdb/node-api';
import { DuckDBInstance } from './duckdb.js';
import { CostattrError } from '../errors.js';
import { DUCKDB, type Dialect } from './dialect.js';
import type { EngineParams, SqlEngine } from './engine.js';
import { killPoint } from './kill-point.js';
import { quoteIdent, quoteLiteral } from './quote.js';
import { createSchema } from './schema.js';

export type Params = Record<string, DuckDBValue> | DuckDBValue[];
export type JsonRow = Record<string, unknown>;

export interface OpenOptions {
  /** Database file; undefined or ':memory:' for an in-memory database. */
  path?: string | undefined;
  readOnly?: boolean;
  /** DuckDB memory_limit, e.g. '1GB'. */
  memoryLimit?: string | undefined;
  /** Where DuckDB spills work tables that outgrow memory_limit (default: `<db>.tmp` beside the file). */
  tempDirectory?: string | undefined;
  threads?: number;
}

export class Database implements SqlEngine {
  readonly dialect: Dialect = DUCKDB;

  /** Open `transaction` calls: an inner one joins the outer, which alone commits or rolls back. */
  private transactionDepth = 0;

  private constructor(
    private readonly instance: Instance,
    readonly connection: DuckDBConnection,
    readonly path: string,
  ) {}

  static async open(options: OpenOptions = {}): Promise<Database> {
    const path = options.path ?? ':memory:';
    const config: Record<string, string> = {};
    if (options.readOnly && path !== ':memory:') config.access_mode = 'READ_ONLY';
    let instance: Instance;
    try {
      instance = await DuckDBInstance.create(path, config);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/lock|Conflicting/i.test(message)) {
        throw new CostattrError('DB_IN_USE', `database ${path} is in use by another costattr process`, {
          hint: 'wait for the other process to finish, or use a different --db',
          cause: err,
        });
      }
      if (/not a valid DuckDB database file/i.test(message)) {
        throw new CostattrError('BAD_INPUT', `${path} is not a costattr database (not a DuckDB file)`, {
          hint: '--db takes a database file made by `costattr ingest`; check the path',
          cause: err,
        });
      }
      throw new CostattrError('BAD_INPUT', `cannot open database ${path}: ${message}`, { cause: err });
    }
    const connection = await instance.connect();
    const db = new Database(instance, connection, path);
    await db.exec(`SET TimeZone = 'UTC'`);
    await db.exec(`SET enable_progress_bar = false`);
    if (options.memoryLimit) await db.exec(`SET memory_limit = ${quoteLiteral(options.memoryLimit)}`);
    if (options.tempDirectory) await db.exec(`SET temp_directory = ${quoteLiteral(options.tempDirectory)}`);
    if (options.threads) await db.exec(`SET threads = ${Math.max(1, Math.floor(options.threads))}`);
    if (!options.readOnly) await createSchema(db);
    return db;
  }

  /**
   * From here on this connection can read only the database's own tables and views (and the
   * `readable` directories: a lake's files): no other files
   * (readers, glob, COPY, ATTACH), no extension install or load, and no setting can be changed back.
   */
  async sandbox(readable: readonly string[] = []): Promise<void> {
    // a lake's tables are views over its Parquet files: those stay readable, nothing else
    if (readable.length > 0) await this.exec(`SET allowed_directories = [${readable.map(quoteLiteral).join(', ')}]`);
    await this.exec('SET enable_external_access = false');
    await this.exec('SET autoinstall_known_extensions = false');
    await this.exec('SET autoload_known_extensions = false');
    await this.exec('SET allow_community_extensions = false');
    await this.exec('SET lock_configuration = true');
  }

  /** Run a statement (or several, when no params) for its effect. */
  async exec(sql: string, params?: Params): Promise<void> {
    if (params === undefined) await this.connection.run(sql);
    else await this.connection.run(sql, params);
  }

  /** Rows as plain objects; BIGINT/DECIMAL/TIMESTAMP as strings, DOUBLE as numbers. */
  async all<T extends JsonRow = JsonRow>(sql: string, params?: Params): Promise<T[]> {
    const reader = params === undefined
      ? await this.connection.runAndReadAll(sql)
      : await this.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJson() as T[];
  }

  async one<T extends JsonRow = JsonRow>(sql: string, params?: Params): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }

  /**
   * Run `work` inside a transaction; roll back on any error so nothing is half-written. Called inside
   * another `transaction`, the work joins it: a whole ingest (spans, invoices, revenue, its marker)
   * commits once, or not at all.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.transactionDepth > 0) return work();
    await this.exec('BEGIN TRANSACTION');
    this.transactionDepth++;
    let result: T;
    try {
      result = await work();
    } catch (err) {
      await this.exec('ROLLBACK');
      throw err;
    } finally {
      this.transactionDepth--;
    }
    killPoint('commit');
    await this.exec('COMMIT');
    return result;
  }

  async hasTable(name: string): Promise<boolean> {
    const row = await this.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM duckdb_tables() WHERE table_name = $name', { name });
    return Number(row?.n ?? 0) > 0;
  }

  async relations(kind: 'stored' | 'temporary'): Promise<Set<string>> {
    const rows = await this.all<{ name: string }>(
      `SELECT table_name AS name FROM duckdb_tables() WHERE temporary = $temporary
       UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary = $temporary AND NOT internal`,
      { temporary: kind === 'temporary' },
    );
    return new Set(rows.map((r) => r.name));
  }

  async columns(relation: string): Promise<Set<string>> {
    const rows = await this.all<{ name: string }>(`SELECT column_name AS name FROM duckdb_columns() WHERE table_name = $relation AND database_name <> 'temp'`, { relation });
    return new Set(rows.map((r) => r.name));
  }

  /** A temporary table, dropped after `work`. */
  async withRelation<T>(name: string, sql: string, params: EngineParams, work: () => Promise<T>): Promise<T> {
    await this.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS ${sql}`, params);
    try {
      return await work();
    } finally {
      await this.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
