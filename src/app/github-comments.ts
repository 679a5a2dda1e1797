/**
 * Posting costattr's pull-request comment through the GitHub REST API (issue comments: a pull
 * request is an issue): find the comment that carries the hidden marker (every page of the list),
 * then update it in place, create it when there is none, or delete it when the new body is empty
 * (nothing moved any more). GITHUB_API_URL points at GitHub Enterprise (or a test server). Every
 * failure — a refused token, an unknown repository or pull request, an unreachable server — is a
 * CostattrError (exit 2) in the user's words, never a stack trace.
 */
import { CostattrError } from '../errors.js';

export interface CommentTarget {
  apiUrl: string;
  token: string;
  /** `owner/repo`. */
  repo: string;
  pr: number;
  /** The hidden text that identifies costattr's own comment. */
  marker: string;
}

export interface CommentOutcome {
  action: 'created' | 'updated' | 'deleted' | 'unchanged' | 'none';
  comment_id: number | null;
  url: string | null;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
}

const PAGE_SIZE = 100;

function describe(target: CommentTarget): string {
  return `pull request #${target.pr} of ${target.repo}`;
}

function failure(status: number, target: CommentTarget, what: string, detail: string): CostattrError {
  const where = describe(target);
  switch (status) {
    case 401:
      return new CostattrError('BAD_INPUT', `GitHub rejected the token while trying to ${what} (401 Bad credentials)`, {
        hint: 'set GITHUB_TOKEN to a valid token (in GitHub Actions, pass the job token: github.token)',
      });
    case 403:
      return new CostattrError('BAD_INPUT', `GitHub refused to let the token ${what} on ${where} (403${detail ? `: ${detail}` : ''})`, {
        hint: 'the token needs write access to pull requests (in Actions: permissions: pull-requests: write)',
      });
    case 404:
      return new CostattrError('NOT_FOUND', `GitHub has no ${where}, or the token cannot see it (404 while trying to ${what})`, {
        hint: 'check --repo OWNER/REPO and --pr N, and that the token has access to that repository',
      });
    default:
      return new CostattrError('BAD_INPUT', `GitHub answered ${status} while trying to ${what} on ${where}${detail ? `: ${detail}` : ''}`);
  }
}

async function call(target: CommentTarget, method: string, url: string, what: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${target.token}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'costattr',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    throw new CostattrError('BAD_INPUT', `could not reach GitHub at ${target.apiUrl} to ${what}: ${cause}`, {
      hint: 'check the network, or GITHUB_API_URL for GitHub Enterprise',
      cause: err,
    });
  }
  if (!response.ok) {
    const detail = await response.text().then((text) => messageOf(text), () => '');
    throw failure(response.status, target, what, detail);
  }
  return response;
}

/** GitHub's `{"message": …}` error body, else nothing (an HTML error page says nothing useful). */
function messageOf(text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string' ? parsed.message : '';
  } catch {
    return '';
  }
}

/** The `rel="next"` URL of a Link header. */
function nextPage(link: string | null): string | null {
  if (link === null) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match?.[1]) return match[1];
  }
  return null;
}

function repoUrl(target: CommentTarget): string {
  const [owner = '', name = ''] = target.repo.split('/');
  return `${target.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

/** The newest comment on the pull request carrying the marker, looking through every page. */
async function findMarked(target: CommentTarget): Promise<IssueComment | null> {
  let url: string | null = `${repoUrl(target)}/issues/${target.pr}/comments?per_page=${PAGE_SIZE}`;
  let found: IssueComment | null = null;
  while (url !== null) {
    const response: Response = await call(target, 'GET', url, 'list the comments');
    const page = (await response.json()) as IssueComment[];
    for (const comment of page) if (comment.body?.includes(target.marker)) found = comment;
    url = nextPage(response.headers.get('link'));
  }
  return found;
}

/** Create, update in place, or (for an empty body) delete costattr's comment on the pull request. */
export async function publishComment(target: CommentTarget, body: string): Promise<CommentOutcome> {
  const existing = await findMarked(target);
  const comments = `${repoUrl(target)}/issues/comments`;
  if (body.trim().length === 0) {
    if (existing === null) return { action: 'none', comment_id: null, url: null };
    await call(target, 'DELETE', `${comments}/${existing.id}`, 'delete the comment');
    return { action: 'deleted', comment_id: existing.id, url: null };
  }
  if (existing !== null && existing.body === body) return { action: 'unchanged', comment_id: existing.id, url: existing.html_url ?? null };
  const response = existing === null
    ? await call(target, 'POST', `${repoUrl(target)}/issues/${target.pr}/comments`, 'create the comment', { body })
    : await call(target, 'PATCH', `${comments}/${existing.id}`, 'update the comment', { body });
  const saved = (await response.json()) as IssueComment;
  return { action: existing === null ? 'created' : 'updated', comment_id: saved.id, url: saved.html_url ?? null };
}
