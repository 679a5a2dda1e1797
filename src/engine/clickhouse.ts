/**
 * `--engine clickhouse`: the analyses' SQL run by ClickHouse over the lake's Parquet files, either
 * embedded (chdb, loaded only here) or on a server over HTTP (`--clickhouse-url`, credentials from
 * CLICKHOUSE_USER / CLICKHOUSE_PASSWORD, @clickhouse/client). The lake's tables are named relations
 * (CTEs over the `file()` table function, or `s3()`/`s3Cluster()` for a lake on object storage:
 * src/engine/object-store.ts) put in front of each query, so a query's text is the one
 * the DuckDB engine runs; `$name` parameters are inlined as ClickHouse literals. The lake is priced
 * at ingest, so ClickHouse only attributes, reconciles and audits: it never prices.
 */
import { relative, resolve, sep } from 'node:path';
import { CLICKHOUSE, clickhouseLiteral } from '../db/dialect.js';
import type { EngineParams, SqlEngine } from '../db/engine.js';
import { quoteIdent } from '../db/quote.js';
import { SPAN_COLUMN_NAMES } from '../db/schema.js';
import { CostattrError } from '../errors.js';
import type { LakeLocation } from '../lake/location.js';
import { LAKE_TABLES, liveFiles, requireManifest, type LakeManifest, type LakeTable } from '../lake/manifest.js';
import { ObjectStoreScans } from './object-store.js';

/** ClickHouse's JSON format: column types, then rows. */
interface JsonResult {
  meta: Array<{ name: string; type: string }>;
  data: Array<Record<string, unknown>>;
}

type Runner = { query(sql: string): Promise<JsonResult>; close(): Promise<void> };

/** Read as the DuckDB engine reads: NULLs in outer joins, UTC, exact decimals as text with every digit. */
export const CLICKHOUSE_SETTINGS = {
  join_use_nulls: 1,
  cast_keep_nullable: 1,
  prefer_column_name_to_alias: 1,
  use_hive_partitioning: 0,
  session_timezone: 'UTC',
  output_format_json_quote_decimals: 1,
  output_format_json_quote_64bit_integers: 1,
  output_format_decimal_trailing_zeros: 1,
  // ClickHouse's default (500, with backoff) spends minutes on an object store out of reach before it says so
  s3_retry_attempts: '5',
} as const;

const SETTINGS_CLAUSE = `SETTINGS ${Object.entries(CLICKHOUSE_SETTINGS).map(([k, v]) => `${k} = ${clickhouseLiteral(v)}`).join(', ')}`;

async function embedded(): Promise<Runner> {
  let chdb: typeof import('chdb');
  try {
    chdb = await import('chdb');
  } catch (err) {
    throw new CostattrError('BAD_USAGE', '--engine clickhouse without --clickhouse-url needs embedded ClickHouse (the optional `chdb` package), which is not installed', {
      hint: 'npm install chdb, or give --clickhouse-url of a ClickHouse server', cause: err,
    });
  }
  return {
    query: async (sql) => (await chdb.queryAsync(`${sql}\n${SETTINGS_CLAUSE}`, { format: 'JSON' })).json<JsonResult>(),
    close: async () => undefined,
  };
}

async function server(url: string): Promise<Runner> {
  const { ClickHouseLogLevel, createClient } = await import('@clickhouse/client');
  const client = createClient({
    url, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '', clickhouse_settings: CLICKHOUSE_SETTINGS,
    // the client would print a failed query whole to stderr, an object-store key in its s3() calls included;
    // the CLI says the failure once, in its own words
    log: { level: ClickHouseLogLevel.OFF },
  });
  return {
    query: async (sql) => {
      const result = await (await client.query({ query: sql, format: 'JSON' })).json<Record<string, unknown>>();
      return { meta: result.meta ?? [], data: result.data };
    },
    close: () => client.close(),
  };
}

/**
 * A `file()` scan of a table's live files: the lake's directory, then one glob of alternatives of the
 * files under it. (A glob that starts with `{` finds no file when its alternatives are absolute paths.)
 */
function fileScan(dir: string, manifest: LakeManifest, table: LakeTable): string {
  const root = resolve(dir);
  const files = liveFiles(root, manifest, table).map((file) => relative(root, file).split(sep).join('/'));
  if ([root, ...files].some((f) => /[{},*?]/.test(f))) {
    throw new CostattrError('BAD_USAGE', `--engine clickhouse cannot read the lake at ${dir}: its path holds one of { } , * ? (ClickHouse globs)`);
  }
  return `file(${clickhouseLiteral(`${root}/${files.length === 1 ? files[0] : `{${files.join(',')}}`}`)}, Parquet)`;
}

/** The lake's tables, named: `spans` (the canonical columns), `priced_spans` (the priced inference rows), the rest as stored. */
function lakeRelations(manifest: LakeManifest, scan: (table: LakeTable) => string): Map<string, string> {
  const has = (table: LakeTable) => (manifest.tables[table]?.length ?? 0) > 0;
  const relations = new Map<string, string>();
  if (has('spans')) {
    const spans = scan('spans');
    relations.set('spans', `SELECT ${SPAN_COLUMN_NAMES.map(quoteIdent).join(', ')} FROM ${spans}`).set('priced_spans', `SELECT * FROM ${spans} WHERE is_inference`);
  }
  for (const table of LAKE_TABLES) if (table !== 'spans' && has(table)) relations.set(table, `SELECT * FROM ${scan(table)}`);
  return relations;
}

/** `$name` → the bound value as a literal (names not bound are left as they are). */
function inline(sql: string, params: EngineParams | undefined): string {
  if (params === undefined) return sql;
  return sql.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => (name in params ? clickhouseLiteral(params[name]) : whole));
}

/** ClickHouse comparisons are UInt8: read back as booleans, as DuckDB's are. */
function asRows(result: JsonResult): Array<Record<string, unknown>> {
  const flags = result.meta.filter((m) => /^(Nullable\()?UInt8\)?$/.test(m.type)).map((m) => m.name);
  if (flags.length === 0) return result.data;
  return result.data.map((row) => {
    const out = { ...row };
    for (const name of flags) out[name] = row[name] === null ? null : Number(row[name]) === 1;
    return out;
  });
}

/** Which ClickHouse: embedded (chdb) when `url` is not given; `cluster` reads an object-store lake with s3Cluster. */
export interface ClickHouseTarget {
  url?: string | undefined;
  cluster?: string | undefined;
}

export class ClickHouseEngine implements SqlEngine {
  readonly dialect = CLICKHOUSE;
  /** Relations a read made (`withRelation`, the price book the lake was priced with), after the lake's. */
  private readonly session = new Map<string, string>();
  private lake = new Map<string, string>();
  /** How an object-store lake is named, and its failures said (none for a directory). */
  private objectStore: ObjectStoreScans | undefined;

  private constructor(private readonly runner: Runner) {}

  /**
   * Over a lake: a directory (its manifest as the caller read it, or read here), or a prefix on
   * object storage, whose manifest ClickHouse reads.
   */
  static async open(location: LakeLocation, target: ClickHouseTarget, manifest?: LakeManifest): Promise<ClickHouseEngine> {
    const runner = target.url === undefined ? await embedded() : await server(target.url);
    const engine = new ClickHouseEngine(runner);
    try {
      const read = await engine.readLake(location, target.cluster, manifest);
      if (read.book_hash !== undefined) engine.session.set('price_book_state', `SELECT ${clickhouseLiteral(read.book_hash)} AS book_hash`);
      return engine;
    } catch (err) {
      await runner.close();
      throw err;
    }
  }

  /** The lake's manifest, its tables named as relations. */
  private async readLake(location: LakeLocation, cluster: string | undefined, manifest: LakeManifest | undefined): Promise<LakeManifest> {
    if (location.kind === 'directory') {
      if (cluster !== undefined) throw new CostattrError('BAD_USAGE', '--clickhouse-cluster reads a lake on object storage (s3Cluster): give --lake s3://bucket/prefix or an http(s) bucket URL');
      const read = manifest ?? requireManifest(location.dir);
      this.lake = lakeRelations(read, (table) => fileScan(location.dir, read, table));
      return read;
    }
    const objectStore = new ObjectStoreScans(location, cluster);
    this.objectStore = objectStore;
    const read = objectStore.manifest((await this.query(objectStore.manifestQuery())).data);
    this.lake = lakeRelations(read, (table) => objectStore.scan(read, table));
    return read;
  }

  private async query(sql: string, params?: EngineParams): Promise<JsonResult> {
    const ctes = [...this.lake, ...this.session].map(([name, body]) => `${quoteIdent(name)} AS (${body})`).join(',\n');
    const body = inline(sql, params).trim();
    const text = ctes === '' ? body : /^WITH\s/i.test(body) ? `WITH ${ctes},\n${body.slice(4)}` : `WITH ${ctes}\n${body}`;
    try {
      return await this.runner.query(text);
    } catch (err) {
      throw this.objectStore?.failure(err) ?? err;
    }
  }

  async all<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: EngineParams): Promise<T[]> {
    return asRows(await this.query(sql, params)) as T[];
  }

  async one<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: EngineParams): Promise<T | undefined> {
    return (await this.all<T>(sql, params))[0];
  }

  hasTable(name: string): Promise<boolean> {
    return Promise.resolve(this.lake.has(name));
  }

  relations(kind: 'stored' | 'temporary'): Promise<Set<string>> {
    return Promise.resolve(new Set((kind === 'stored' ? this.lake : this.session).keys()));
  }

  async columns(relation: string): Promise<Set<string>> {
    if (!this.lake.has(relation)) return new Set();
    return new Set((await this.query(`SELECT * FROM ${quoteIdent(relation)} LIMIT 0`)).meta.map((m) => m.name));
  }

  /** A named CTE in front of the queries `work` runs (ClickHouse may compute it once per reference). */
  async withRelation<T>(name: string, sql: string, params: EngineParams, work: () => Promise<T>): Promise<T> {
    this.session.set(name, inline(sql, params));
    try {
      return await work();
    } finally {
      this.session.delete(name);
    }
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}
