// `costattr comment github` against a fake GitHub REST API on 127.0.0.1: the first run creates the
// comment, later runs update that same comment in place (found by its marker, on any page of the
// list), an empty body deletes it; a bad token, an unknown pull request and an unreachable server
// are exit 2 with a sentence a user can act on.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir, type CliResult } from '../helpers/cli.js';

const MARKER = '<!-- costattr-diff -->';
const TOKEN = 'ghs_test-token';
/** The fake pages the list by this many, whatever per_page asks, so the client must follow Link. */
const PAGE = 2;

interface Comment { id: number; body: string; html_url: string }
interface Seen { method: string; path: string; auth: string | undefined; body: unknown }

let server: Server;
let api: string;
let comments: Comment[];
let seen: Seen[];
let nextId: number;
let dir: string;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

/** Just enough of the issue-comments API for one repository (acme/agent) and one pull request (#7). */
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', api);
  const body = await readJson(req);
  seen.push({ method: req.method ?? '', path: url.pathname + url.search, auth: req.headers.authorization, body });
  if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(res, 401, { message: 'Bad credentials' });
  const list = /^\/repos\/acme\/agent\/issues\/(\d+)\/comments$/.exec(url.pathname);
  if (list) {
    if (list[1] !== '7') return send(res, 404, { message: 'Not Found' });
    if (req.method === 'GET') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const last = Math.max(1, Math.ceil(comments.length / PAGE));
      const link: Record<string, string> = page < last ? { link: `<${api}/repos/acme/agent/issues/7/comments?per_page=100&page=${page + 1}>; rel="next", <${api}/repos/acme/agent/issues/7/comments?per_page=100&page=${last}>; rel="last"` } : {};
      return send(res, 200, comments.slice((page - 1) * PAGE, page * PAGE), link);
    }
    if (req.method === 'POST') {
      const comment = { id: nextId++, body: (body as { body: string }).body, html_url: `https://github.test/acme/agent/pull/7#issuecomment-${nextId - 1}` };
      comments.push(comment);
      return send(res, 201, comment);
    }
  }
  const one = /^\/repos\/acme\/agent\/issues\/comments\/(\d+)$/.exec(url.pathname);
  const comment = one ? comments.find((c) => c.id === Number(one[1])) : undefined;
  if (comment && req.method === 'PATCH') {
    comment.body = (body as { body: string }).body;
    return send(res, 200, comment);
  }
  if (comment && req.method === 'DELETE') {
    comments = comments.filter((c) => c !== comment);
    res.writeHead(204).end();
    return undefined;
  }
  return send(res, 404, { message: 'Not Found' });
}

const env = (extra: Record<string, string> = {}) => ({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: api, GITHUB_REPOSITORY: '', GITHUB_REF: '', ...extra });
const post = (body: string, ...args: string[]): Promise<CliResult> => {
  const file = join(dir, `body-${seen.length}.md`);
  writeFileSync(file, body);
  return runCli(['comment', 'github', '--repo', 'acme/agent', '--pr', '7', '--body-file', file, ...args], { env: env() });
};

beforeAll(async () => {
  dir = tempDir('costattr-comment-');
  server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { message: String(err) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  // three comments by people first: costattr's own lands on the second page
  comments = [1, 2, 3].map((id) => ({ id, body: `looks good ${id}`, html_url: `https://github.test/c/${id}` }));
  seen = [];
  nextId = 100;
});

describe('costattr comment github', () => {
  it('creates the comment, then updates that one in place, then deletes it when nothing moved', async () => {
    const first = await post(`${MARKER}\n### ❌ costattr: +$82.29/month\n`);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('created comment 100 on acme/agent#7: https://github.test/acme/agent/pull/7#issuecomment-100\n');
    expect(comments.map((c) => c.id)).toEqual([1, 2, 3, 100]);
    // every page of the list was read (2 per page: pages 1 and 2), then one POST, all with the token
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /repos/acme/agent/issues/7/comments?per_page=100',
      'GET /repos/acme/agent/issues/7/comments?per_page=100&page=2',
      'POST /repos/acme/agent/issues/7/comments',
    ]);
    expect(seen.every((s) => s.auth === `Bearer ${TOKEN}`)).toBe(true);

    seen = [];
    const second = await post(`${MARKER}\n### ✅ costattr: no change in cost\n`, '--format', 'json');
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ schema_version: 1, action: 'updated', comment_id: 100, url: 'https://github.test/acme/agent/pull/7#issuecomment-100' });
    expect(comments).toHaveLength(4); // never a second comment
    expect(comments.at(-1)?.body).toBe(`${MARKER}\n### ✅ costattr: no change in cost\n`);
    expect(seen.at(-1)).toMatchObject({ method: 'PATCH', path: '/repos/acme/agent/issues/comments/100' });

    const empty = await post('');
    expect(empty.stdout).toBe('deleted comment 100 on acme/agent#7: the new comment is empty (nothing moved)\n');
    expect(comments.map((c) => c.id)).toEqual([1, 2, 3]);
  });

  it('reads the comment piped from `costattr diff --format md`, and marks a hand-written one', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/costattr.js'), 'comment', 'github', '--repo', 'acme/agent', '--pr', '7'], { env: { ...process.env, ...env() } });
    const out: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stdin.end('costs went up\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(Buffer.concat(out).toString('utf8')).toContain('created comment 100 on acme/agent#7');
    expect(comments.at(-1)?.body).toBe(`${MARKER}\ncosts went up\n`);
    const again = await post('costs went down\n');
    expect(again.stdout).toContain('updated comment 100');
    expect(comments).toHaveLength(4);
  });

  it('takes the repository and pull request from the GitHub Actions environment', async () => {
    const file = join(dir, 'actions.md');
    writeFileSync(file, `${MARKER}\nhello\n`);
    const result = await runCli(['comment', 'github', '--body-file', file], { env: env({ GITHUB_REPOSITORY: 'acme/agent', GITHUB_REF: 'refs/pull/7/merge' }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('created comment 100 on acme/agent#7');
  });

  it('says what went wrong, with exit 2: a rejected token, an unknown pull request, no server, no token', async () => {
    const file = join(dir, 'body.md');
    writeFileSync(file, `${MARKER}\nhello\n`);
    const run = (args: string[], extra: Record<string, string>) => runCli(['comment', 'github', '--body-file', file, ...args], { env: env(extra) });

    const badToken = await run(['--repo', 'acme/agent', '--pr', '7'], { GITHUB_TOKEN: 'expired' });
    expect(badToken.code).toBe(2);
    expect(badToken.stderr).toContain('costattr: GitHub rejected the token while trying to list the comments (401 Bad credentials)');

    const unknown = await run(['--repo', 'acme/agent', '--pr', '8'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('GitHub has no pull request #8 of acme/agent, or the token cannot see it (404 while trying to list the comments)');

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = await run(['--repo', 'acme/agent', '--pr', '7'], { GITHUB_API_URL: `http://127.0.0.1:${port}` });
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain(`could not reach GitHub at http://127.0.0.1:${port} to list the comments`);

    const noToken = await run(['--repo', 'acme/agent', '--pr', '7'], { GITHUB_TOKEN: '', GH_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('GITHUB_TOKEN is not set');
    expect(comments).toHaveLength(3);
  });
});
