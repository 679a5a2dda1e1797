// An S3-compatible object store on 127.0.0.1 for tests, serving one local directory as
// `BUCKET/PREFIX/…` with path-style addressing: GET and HEAD of an object (with a byte Range, as
// ClickHouse reads Parquet footers) and the S3 error documents for a missing key or bucket. No
// listing: costattr names every file (a `{a,b}` of keys, which ClickHouse fetches without listing). When credentials are given, every request must be
// signed with AWS Signature V4 for that access key (the header's form is checked, not the
// signature: that is ClickHouse's S3 client's business), else 403 AccessDenied; `deny` answers 403
// to everything, as a bucket policy that refuses the caller would.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface FakeS3Options {
  bucket: string;
  /** The key prefix the directory is served under (`lake` → `BUCKET/lake/manifest.json`). */
  prefix: string;
  dir: string;
  /** The access key id requests must be signed with; unsigned requests are then refused. */
  accessKeyId?: string;
}

export interface FakeS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** Every request, as `METHOD /path?query` with `signed` when it carried a SigV4 Authorization for the access key. */
  requests: Array<{ line: string; signed: boolean }>;
  /** Answer 403 AccessDenied to every request from now on (or stop). */
  deny(on: boolean): void;
  close(): Promise<void>;
}

const xml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function errorDocument(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message></Error>`;
}

export async function fakeS3(options: FakeS3Options): Promise<FakeS3> {
  const requests: FakeS3['requests'] = [];
  let denied = false;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const signed = options.accessKeyId !== undefined && (req.headers.authorization ?? '').startsWith(`AWS4-HMAC-SHA256 Credential=${options.accessKeyId}/`);
    requests.push({ line: `${req.method ?? ''} ${url.pathname}${url.search}`, signed });
    const fail = (status: number, code: string, message: string): void => {
      res.writeHead(status, { 'Content-Type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : errorDocument(code, message));
    };
    if (denied || (options.accessKeyId !== undefined && !signed)) return fail(403, 'AccessDenied', 'Access Denied');
    const [, bucket, ...rest] = url.pathname.split('/');
    if (bucket !== options.bucket) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    const key = decodeURIComponent(rest.join('/'));
    const file = key.startsWith(`${options.prefix}/`) ? join(options.dir, key.slice(options.prefix.length + 1)) : undefined;
    if (file === undefined || !existsSync(file) || statSync(file).isDirectory()) return fail(404, 'NoSuchKey', 'The specified key does not exist.');
    const { size, mtime } = statSync(file);
    const headers = { 'Content-Type': 'application/octet-stream', 'Last-Modified': mtime.toUTCString(), ETag: `"${mtime.getTime()}"`, 'Accept-Ranges': 'bytes' };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = Math.min(range[2] === '' ? size - 1 : Number(range[2]), size - 1);
      if (start >= size) return fail(416, 'InvalidRange', 'The requested range is not satisfiable');
      res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${size}` });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file, { start, end }).pipe(res);
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Length': size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    deny: (on) => { denied = on; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
