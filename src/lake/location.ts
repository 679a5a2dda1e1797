/**
 * Where `--lake` points: a local directory, or a prefix on S3-compatible object storage
 * (`s3://bucket/prefix`, or `http(s)://host/bucket/prefix` for MinIO, R2, GCS interop, …). An
 * `s3://` lake is addressed at AWS (the region from AWS_REGION / AWS_DEFAULT_REGION), or path-style
 * at the endpoint in AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, the AWS SDKs' own override. The URL
 * is named in ClickHouse SQL as a literal whose text ClickHouse also reads as a glob, so a URL
 * holding anything but plain path characters is refused here rather than quoted half-right.
 */
import { CostattrError } from '../errors.js';

export type LakeLocation =
  | { kind: 'directory'; dir: string }
  /** `url`: the lake's http(s) base, no trailing slash; `shown`: as the user gave it, for messages. */
  | { kind: 'object-store'; url: string; shown: string };

/** Characters a lake URL may hold: unreserved, path and percent-escape characters (no glob `{}*?,`, no query). */
const PLAIN_URL = /^https?:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~=:@%+/-]*)?$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

type Env = Readonly<Record<string, string | undefined>>;

function s3Url(bucketAndPrefix: string, env: Env): string {
  const slash = bucketAndPrefix.indexOf('/');
  const bucket = slash < 0 ? bucketAndPrefix : bucketAndPrefix.slice(0, slash);
  const prefix = slash < 0 ? '' : bucketAndPrefix.slice(slash);
  const endpoint = (env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL)?.replace(/\/+$/, '');
  if (endpoint !== undefined && endpoint !== '') return `${endpoint}/${bucket}${prefix}`;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  return `https://${bucket}.s3${region ? `.${region}` : ''}.amazonaws.com${prefix}`;
}

/** The lake `--lake` names (`env`: where the endpoint override and region are read). */
export function lakeLocation(arg: string, env: Env = process.env): LakeLocation {
  const scheme = SCHEME.exec(arg)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'directory', dir: arg };
  if (scheme !== 's3' && scheme !== 'http' && scheme !== 'https') {
    throw new CostattrError('BAD_USAGE', `--lake ${arg}: expected a directory, s3://bucket/prefix or an http(s) URL of an S3-compatible bucket`);
  }
  const url = (scheme === 's3' ? s3Url(arg.slice('s3://'.length), env) : arg).replace(/\/+$/, '');
  if (!PLAIN_URL.test(url) || (scheme === 's3' && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\//.test(`${arg.slice(5)}/`))) {
    throw new CostattrError('BAD_USAGE', `--lake ${arg}: not a lake URL costattr can name in ClickHouse SQL (${url})`, {
      hint: 'a bucket name and a prefix of letters, digits and - _ . / = (no { } , * ? query or spaces)',
    });
  }
  return { kind: 'object-store', url, shown: arg.replace(/\/+$/, '') };
}
