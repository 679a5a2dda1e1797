// A ClickHouse HTTP server on 127.0.0.1 for tests: each query @clickhouse/client posts is run by
// embedded ClickHouse (chdb) with the settings the client sent as URL parameters, and the answer
// goes back in the format the query asked for. Basic credentials are checked, so a test proves the
// CLI passes CLICKHOUSE_USER / CLICKHOUSE_PASSWORD.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { queryAsync } from 'chdb';
import { CLICKHOUSE_SETTINGS } from '../../src/engine/clickhouse.js';

export interface FakeClickHouse {
  url: string;
  queries: string[];
  close(): Promise<void>;
}

export async function fakeClickHouse(user: string, password: string): Promise<FakeClickHouse> {
  const queries: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      const given = req.headers.authorization ?? `Basic ${Buffer.from(`${String(req.headers['x-clickhouse-user'])}:${String(req.headers['x-clickhouse-key'])}`).toString('base64')}`;
      if (given !== expected) {
        res.writeHead(516, { 'Content-Type': 'text/plain' }).end('Code: 516. DB::Exception: Authentication failed. (AUTHENTICATION_FAILED)');
        return;
      }
      const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const body = Buffer.concat(chunks).toString('utf8');
      const sent = body.length > 0 ? body : params.get('query') ?? '';
      const formatMatch = /\n?FORMAT\s+(\w+)\s*$/.exec(sent);
      const format = formatMatch?.[1] ?? 'TabSeparated';
      const query = formatMatch ? sent.slice(0, formatMatch.index) : sent;
      const settings = Object.keys(CLICKHOUSE_SETTINGS).filter((k) => params.has(k)).map((k) => `${k} = ${/^\d+$/.test(params.get(k) ?? '') ? params.get(k) : `'${params.get(k)}'`}`);
      queries.push(query);
      queryAsync(settings.length > 0 ? `${query}\nSETTINGS ${settings.join(', ')}` : query, { format })
        .then((result) => res.writeHead(200, { 'Content-Type': 'application/json', 'X-ClickHouse-Format': format }).end(Buffer.from(result.bytes())))
        .catch(async (err: unknown) => {
          // chdb 3.4 hands a failed query's partial output to the next query's result: drain it here,
          // so the next client's answer is its own (the CLI exits on a failed query, a server lives on)
          await queryAsync('SELECT 1').catch(() => undefined);
          res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String((err as Error).message));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, queries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
