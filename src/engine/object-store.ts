/**
 * A lake on S3-compatible object storage, as ClickHouse reads it: its files named with the `s3()`
 * table function (`s3Cluster()` when a cluster is named, each node reading a share of the files),
 * the manifest read through ClickHouse too (`RawBLOB`), credentials from AWS_ACCESS_KEY_ID /
 * AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (none: ClickHouse's own, e.g. a server's role, or an
 * unsigned read of a public bucket), and what the object store answered said in the product's
 * words: a missing manifest, access refused, an endpoint out of reach, a listed file not there.
 */
import { clickhouseLiteral } from '../db/dialect.js';
import { CostattrError } from '../errors.js';
import type { LakeLocation } from '../lake/location.js';
import { MANIFEST, noLake, parseManifest, requireLake, type LakeManifest, type LakeTable } from '../lake/manifest.js';

type ObjectStoreLake = Extract<LakeLocation, { kind: 'object-store' }>;

interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The credentials in the environment, or none; half of a key pair is refused. */
function s3Credentials(env: Env): S3Credentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID || undefined;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || undefined;
  if (accessKeyId === undefined && secretAccessKey === undefined) return undefined;
  if (accessKeyId === undefined || secretAccessKey === undefined) {
    throw new CostattrError('BAD_USAGE', `AWS_${accessKeyId === undefined ? 'ACCESS_KEY_ID' : 'SECRET_ACCESS_KEY'} is not set but AWS_${accessKeyId === undefined ? 'SECRET_ACCESS_KEY' : 'ACCESS_KEY_ID'} is: give both to read the lake with a key, or neither`);
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** A lake file's name as the manifest lists it: plain path segments only (no glob, no `..`). */
const LISTED_FILE = /^(?:[A-Za-z0-9_=-][A-Za-z0-9._=-]*\/)*[A-Za-z0-9_=-][A-Za-z0-9._=-]*$/;

/** How ClickHouse reaches one object-store lake: one `s3()`/`s3Cluster()` call per table. */
export class ObjectStoreScans {
  private readonly credentials: S3Credentials | undefined;

  constructor(readonly lake: ObjectStoreLake, private readonly cluster: string | undefined, env: Env = process.env) {
    this.credentials = s3Credentials(env);
    if (cluster !== undefined && !/^[A-Za-z0-9_.-]+$/.test(cluster)) {
      throw new CostattrError('BAD_USAGE', `--clickhouse-cluster ${cluster}: expected a cluster name (letters, digits, _ . -)`);
    }
  }

  private call(url: string, format: 'Parquet' | 'RawBLOB', cluster: string | undefined): string {
    const c = this.credentials;
    const key = c === undefined ? [] : [c.accessKeyId, c.secretAccessKey, ...(c.sessionToken === undefined ? [] : [c.sessionToken])];
    const args = [...(cluster === undefined ? [] : [cluster]), url, ...key, format].map(clickhouseLiteral).join(', ');
    return `${cluster === undefined ? 's3' : 's3Cluster'}(${args})`;
  }

  /** The manifest's text, as a query (read on the node costattr talks to, never across the cluster). */
  manifestQuery(): string {
    return `SELECT raw_blob FROM ${this.call(`${this.lake.url}/${MANIFEST}`, 'RawBLOB', undefined)}`;
  }

  /** The manifest read back, checked; a missing one is the lake missing (exit 2). */
  manifest(rows: Array<Record<string, unknown>>): LakeManifest {
    const text = rows[0]?.raw_blob;
    if (typeof text !== 'string') throw new Error(`reading ${MANIFEST} through ClickHouse returned no raw_blob`);
    return requireLake(this.lake.shown, parseManifest(`${this.lake.shown}/${MANIFEST}`, text));
  }

  /** A table's live files: one URL, their shared directory followed by a `{a,b,…}` of the rest. */
  scan(manifest: LakeManifest, table: LakeTable): string {
    const files = manifest.tables[table] ?? [];
    const odd = files.find((file) => !LISTED_FILE.test(file));
    if (odd !== undefined) {
      throw new CostattrError('BAD_INPUT', `${this.lake.shown}/${MANIFEST} lists a file costattr would not have written: ${JSON.stringify(odd)}`);
    }
    const dir = files.length === 1 ? '' : sharedDirectory(files);
    const rest = files.map((file) => file.slice(dir.length));
    const url = `${this.lake.url}/${dir}${rest.length === 1 ? rest[0] : `{${rest.join(',')}}`}`;
    return this.call(url, 'Parquet', this.cluster);
  }

  /** What ClickHouse reported about the object store, said as what the user can fix (exit 2); anything else as it was. */
  failure(err: unknown): unknown {
    if (!(err instanceof Error)) return err;
    const message = err.message;
    if (/CLUSTER_DOESNT_EXIST|Requested cluster '[^']*' not found/.test(message)) {
      return new CostattrError('BAD_USAGE', `--clickhouse-cluster ${this.cluster ?? ''}: ClickHouse knows no such cluster`, { hint: 'name one of its system.clusters, or drop --clickhouse-cluster', cause: err });
    }
    if (!/S3_ERROR|S3 exception|HTTP response code: \d+/.test(message)) return err;
    const status = /HTTP response code: (\d+)/.exec(message)?.[1];
    const key = /while reading '([^']*)' in bucket '([^']*)'/.exec(message);
    const object = key ? `${key[1] ?? ''} in bucket ${key[2] ?? ''}` : 'its files';
    const origin = new URL(this.lake.url).origin;
    const cause = (message.split('\n')[0] ?? '').replace(/^Code: \d+\. DB::Exception: /, '');
    if (status === '404' && key?.[1]?.endsWith(`/${MANIFEST}`)) {
      return noLake(this.lake.shown, `no ${MANIFEST}: ${origin} holds no ${key[1]} in bucket ${key[2] ?? ''}`, err);
    }
    if (status === '404') {
      return new CostattrError('BAD_INPUT', `the lake at ${this.lake.shown} lists files the object store does not hold (${object}: not found)`, {
        hint: 'a sync still running, or one that copied the manifest before the files: sync the lake directory again, manifest last', cause: err,
      });
    }
    if (status === '403' || status === '401') {
      return new CostattrError('BAD_INPUT', `access denied reading the lake at ${this.lake.shown} (${object}: HTTP ${status})`, {
        hint: this.credentials === undefined
          ? 'set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials) of a key that may read the bucket'
          : 'check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, and that the key may read the bucket',
        cause: err,
      });
    }
    if (/Connection refused|Timeout|timed out|Host not found|No route to host|Connection reset|Name or service not known/i.test(message)) {
      return new CostattrError('BAD_INPUT', `cannot reach the object store at ${origin} for the lake at ${this.lake.shown}: ${/e\.code\(\) = \d+, ([^(.]+)/.exec(message)?.[1]?.trim() ?? cause}`, {
        hint: 'check the URL (or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) and that the endpoint is up and reachable from ClickHouse', cause: err,
      });
    }
    return new CostattrError('BAD_INPUT', `reading the lake at ${this.lake.shown} failed: ${cause}`, { cause: err });
  }
}

/** The directory (with its trailing `/`) every file lies in. */
function sharedDirectory(files: readonly string[]): string {
  const parts = files.map((file) => file.split('/').slice(0, -1));
  const first = parts[0] ?? [];
  let n = 0;
  while (n < first.length && parts.every((p) => p[n] === first[n])) n++;
  return first.slice(0, n).map((segment) => `${segment}/`).join('');
}
