// A lake on object storage: the inbox fixture ingested into a local lake, served by a fake S3 on
// 127.0.0.1 (test/helpers/fake-s3.ts, requests signed with the test key), and read by ClickHouse
// through s3() as `s3://bucket/prefix` (endpoint from AWS_ENDPOINT_URL) and as an http bucket URL,
// embedded (chdb) and on a server over HTTP (the fake one of engines.test.ts, running chdb). Every
// answer must be the --db golden, byte for byte; what the object store refuses exits 2 naming it.
import { cpSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, ROOT, tempDir } from '../helpers/cli.js';
import { fakeClickHouse, type FakeClickHouse } from '../helpers/fake-clickhouse.js';
import { fakeS3, type FakeS3 } from '../helpers/fake-s3.js';
import { expectGolden } from '../helpers/golden.js';
import { ENGINE_COMMANDS, INBOX_FIXTURE, inboxLake, twoMonthLake } from '../helpers/lakes.js';

const GOLDEN = join(ROOT, 'test/e2e/golden/inbox');
const BUCKET = 'costattr-lakes';
const KEY = { AWS_ACCESS_KEY_ID: 'AKIATESTLAKEREADER', AWS_SECRET_ACCESS_KEY: 'lake-reader-secret' };
const CLICKHOUSE = { CLICKHOUSE_USER: 'costattr', CLICKHOUSE_PASSWORD: 's3cret' };

let lake: string;
let s3: FakeS3;
let clickhouse: FakeClickHouse;

beforeAll(async () => {
  lake = await inboxLake('costattr-s3-lake-');
  s3 = await fakeS3({ bucket: BUCKET, prefix: 'acme/lake', dir: lake, accessKeyId: KEY.AWS_ACCESS_KEY_ID });
  clickhouse = await fakeClickHouse(CLICKHOUSE.CLICKHOUSE_USER, CLICKHOUSE.CLICKHOUSE_PASSWORD);
});

afterAll(async () => {
  await clickhouse.close();
  await s3.close();
});

const s3Env = (): Record<string, string> => ({ ...KEY, AWS_ENDPOINT_URL: s3.endpoint });

const READERS: Record<string, () => { args: string[]; env: Record<string, string> }> = {
  's3:// on embedded clickhouse': () => ({ args: ['--lake', `s3://${BUCKET}/acme/lake`, '--engine', 'clickhouse'], env: s3Env() }),
  'an http bucket URL on embedded clickhouse': () => ({ args: ['--lake', `${s3.endpoint}/${BUCKET}/acme/lake/`, '--engine', 'clickhouse'], env: { ...KEY } }),
  's3:// on a clickhouse server': () => ({
    args: ['--lake', `s3://${BUCKET}/acme/lake`, '--engine', 'clickhouse', '--clickhouse-url', clickhouse.url], env: { ...s3Env(), ...CLICKHOUSE },
  }),
};

describe.each(Object.keys(READERS))('%s: the --db goldens, byte for byte', (name) => {
  // JSON (every figure; the Markdown of the same answers, and audit, are checked per engine on a local lake
  // in engines.test.ts): on embedded ClickHouse every relation the lake holds (spans and roll-ups through
  // costs, invoices and revenue through reconcile); the http URL and the server differ only in how the
  // location is read and where the same SQL runs, so one command each
  const commands = name === 's3:// on embedded clickhouse'
    ? ENGINE_COMMANDS.filter(([golden]) => golden !== 'audit-acme')
    : ENGINE_COMMANDS.filter(([golden]) => golden === 'costs-by-tenant');
  it.each(commands)('%s', async (golden, args) => {
    const reader = READERS[name]!();
    const before = s3.requests.length;
    const result = await runCli([...args, ...reader.args, '--quiet', '--format', 'json'], { env: reader.env });
    expect(result.code, result.stderr).toBe(0);
    expectGolden(join(GOLDEN, `${golden}.json`), result.stdout);
    const requests = s3.requests.slice(before);
    expect(requests.some((r) => r.line.includes('/acme/lake/manifest.json'))).toBe(true);
    expect(requests.some((r) => r.line.includes('/acme/lake/spans/month'))).toBe(true);
    // signed with the key from the environment, and only reads
    expect(requests.every((r) => r.signed && /^(GET|HEAD) /.test(r.line))).toBe(true);
  });
});

describe('on a server, the queries name the object store, not the server\'s disk', () => {
  it('s3() with the lake\'s URL; no file()', () => {
    const lakeQueries = clickhouse.queries.filter((q) => q.includes('/acme/lake/'));
    expect(lakeQueries.length).toBeGreaterThan(0);
    expect(lakeQueries.every((q) => q.includes(`s3('${s3.endpoint}/${BUCKET}/acme/lake/`) && !q.includes('file('))).toBe(true);
  });
});

describe('a lake of two months (a table in two partitions) on object storage', () => {
  it('ClickHouse reads both partitions through s3(), as DuckDB reads the directory', async () => {
    const months = await twoMonthLake('costattr-s3-months-');
    const store = await fakeS3({ bucket: BUCKET, prefix: 'months', dir: months, accessKeyId: KEY.AWS_ACCESS_KEY_ID });
    try {
      const local = await runCli(['costs', '--by', 'month', '--lake', months, '--format', 'json', '--quiet']);
      const remote = await runCli(['costs', '--by', 'month', '--lake', `s3://${BUCKET}/months`, '--engine', 'clickhouse', '--format', 'json', '--quiet'],
        { env: { ...KEY, AWS_ENDPOINT_URL: store.endpoint } });
      expect(remote.code, remote.stderr).toBe(0);
      expect(remote.stdout).toBe(local.stdout);
      expect((JSON.parse(local.stdout) as { rows: Array<{ month: string }> }).rows.map((r) => r.month).sort()).toEqual(['2026-01', '2026-02']);
      for (const month of ['2026-01', '2026-02']) expect(store.requests.some((r) => r.line.includes(`/months/spans/month%3D${month}/`))).toBe(true);
    } finally {
      await store.close();
    }
  });
});

const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

describe('what the object store refuses: exit 2, naming it', () => {
  const read = (lakeArg: string, env: Record<string, string>, ...more: string[]) =>
    runCli(['costs', '--by', 'tenant', '--lake', lakeArg, '--engine', 'clickhouse', ...more], { env });

  it('no manifest under the prefix', async () => {
    const result = await read(`s3://${BUCKET}/acme/elsewhere`, s3Env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`no costattr lake at s3://${BUCKET}/acme/elsewhere (no manifest.json: ${s3.endpoint} holds no acme/elsewhere/manifest.json in bucket ${BUCKET})`);
  });

  it('a bucket that is not there', async () => {
    const result = await read('s3://no-such-bucket/acme/lake', s3Env());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no costattr lake at s3://no-such-bucket/acme/lake');
  });

  it('a key the store refuses (403), and no key at all', async () => {
    const wrong = await read(`s3://${BUCKET}/acme/lake`, { ...s3Env(), AWS_ACCESS_KEY_ID: 'AKIASOMEONEELSE' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`access denied reading the lake at s3://${BUCKET}/acme/lake (acme/lake/manifest.json in bucket ${BUCKET}: HTTP 403)`);
    const none = await read(`s3://${BUCKET}/acme/lake`, { AWS_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/access denied[^\n]*\nhint: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    // the same answer when a ClickHouse server is the one refused
    const server = await read(`s3://${BUCKET}/acme/lake`, { ...s3Env(), ...CLICKHOUSE, AWS_ACCESS_KEY_ID: 'AKIASOMEONEELSE' }, '--clickhouse-url', clickhouse.url);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain(`access denied reading the lake at s3://${BUCKET}/acme/lake (acme/lake/manifest.json in bucket ${BUCKET}: HTTP 403)`);
    // the key is in the s3() calls: a failed query is never echoed
    for (const result of [wrong, server]) expect(result.stderr).not.toContain(KEY.AWS_SECRET_ACCESS_KEY);
  });

  it('half a key pair', async () => {
    const result = await read(`s3://${BUCKET}/acme/lake`, { ...s3Env(), AWS_SECRET_ACCESS_KEY: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/AWS_SECRET_ACCESS_KEY is not set but AWS_ACCESS_KEY_ID is/);
  });

  it('an endpoint out of reach', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const result = await read(`s3://${BUCKET}/acme/lake`, { ...KEY, AWS_ENDPOINT_URL: endpoint });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach the object store at ${endpoint} for the lake at s3://${BUCKET}/acme/lake: Connection refused`);
  });

  it('a file the manifest lists but the store does not hold (a sync that copied the manifest first)', async () => {
    const partial = join(tempDir('costattr-s3-partial-'), 'lake');
    cpSync(lake, partial, { recursive: true });
    rmSync(join(partial, 'invoice_lines'), { recursive: true });
    const store = await fakeS3({ bucket: BUCKET, prefix: 'lake', dir: partial });
    try {
      const result = await runCli(['reconcile', '--month', '2026-10', '--lake', `${store.endpoint}/${BUCKET}/lake`, '--engine', 'clickhouse'], { env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/the lake at http:\/\/127\.0\.0\.1:\d+\/costattr-lakes\/lake lists files the object store does not hold \(lake\/invoice_lines\/\d+-0\.parquet in bucket costattr-lakes: not found\)/);
      expect(store.requests.every((r) => !r.signed)).toBe(true); // no key in the environment: unsigned reads
    } finally {
      await store.close();
    }
  });

  it('a cluster ClickHouse does not know: the lake is read with s3Cluster', async () => {
    const result = await read(`s3://${BUCKET}/acme/lake`, { ...s3Env(), ...CLICKHOUSE }, '--clickhouse-url', clickhouse.url, '--clickhouse-cluster', 'lake_readers');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--clickhouse-cluster lake_readers: ClickHouse knows no such cluster');
    expect(clickhouse.queries.some((q) => q.includes(`s3Cluster('lake_readers', '${s3.endpoint}/${BUCKET}/acme/lake/spans/month=2026-10/`))).toBe(true);
  });
});

describe('what only a local lake can do: exit 2', () => {
  it('DuckDB does not read object storage (no httpfs in this build)', async () => {
    for (const args of [['costs', '--by', 'tenant'], ['costs', '--by', 'tenant', '--engine', 'duckdb'], ['quality'], ['report', 'monthly', '--month', '2026-10']]) {
      const result = await runCli([...args, '--lake', `s3://${BUCKET}/acme/lake`], { env: s3Env() });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(`--lake s3://${BUCKET}/acme/lake: a lake on object storage is read by ClickHouse: add --engine clickhouse`);
    }
  });

  it('ingest writes a directory, not a bucket', async () => {
    const before = s3.requests.length;
    const result = await runCli(['ingest', `${INBOX_FIXTURE}/spans.otlp.jsonl`, '--lake', `s3://${BUCKET}/acme/lake`], { env: s3Env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ingest writes a lake directory, not object storage/);
    expect(s3.requests.length).toBe(before);
  });

  it('--clickhouse-cluster over a directory', async () => {
    const result = await runCli(['costs', '--by', 'tenant', '--lake', lake, '--engine', 'clickhouse', '--clickhouse-cluster', 'lake_readers']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--clickhouse-cluster reads a lake on object storage/);
  });
});
