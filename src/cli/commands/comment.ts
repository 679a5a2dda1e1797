/**
 * `costattr comment github`: posts the pull-request comment `costattr diff --format md` wrote (from
 * --body-file, or piped on stdin), updating costattr's earlier comment in place (found by its hidden
 * marker) instead of adding another; an empty body deletes it. GITHUB_TOKEN authenticates;
 * GITHUB_API_URL selects GitHub Enterprise. --repo and --pr default to the Actions environment.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CostattrError } from '../../errors.js';
import { runCommand } from '../run.js';

interface CommentOptions {
  repo?: string;
  pr?: string;
  bodyFile?: string;
  format?: string;
  out?: string;
  quiet?: boolean;
}

const DEFAULT_API = 'https://api.github.com';

function repoOf(value: string | undefined): string {
  const repo = value ?? process.env.GITHUB_REPOSITORY;
  if (repo === undefined || !/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new CostattrError('BAD_USAGE', `--repo ${repo ?? '(missing)'}: expected OWNER/REPO`, { hint: 'e.g. --repo acme/inbox-agent (in GitHub Actions: ${{ github.repository }})' });
  }
  return repo;
}

/** --pr, else the number in GITHUB_REF (`refs/pull/N/merge` on a pull_request event). */
function prOf(value: string | undefined): number {
  const text = value ?? /^refs\/pull\/(\d+)\//.exec(process.env.GITHUB_REF ?? '')?.[1];
  const pr = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || pr <= 0) {
    throw new CostattrError('BAD_USAGE', `--pr ${text ?? '(missing)'}: expected the pull request number`, { hint: 'e.g. --pr 42 (in GitHub Actions: ${{ github.event.pull_request.number }})' });
  }
  return pr;
}

function readBody(file: string | undefined): string {
  const path = file ?? '-';
  if (path === '-' && process.stdin.isTTY) {
    throw new CostattrError('BAD_USAGE', 'no comment to post: give --body-file FILE, or pipe `costattr diff --format md` into this command');
  }
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path === '-' ? 'stdin' : path}: cannot read the comment: ${(err as Error).message}`, { cause: err });
  }
}

export function registerComment(program: Command): void {
  const comment = program.command('comment').description('post the cost comment on a pull request (update it in place on later runs)');
  comment
    .command('github')
    .description('post or update the `costattr diff --format md` comment on a GitHub pull request (GITHUB_TOKEN; GITHUB_API_URL for Enterprise)')
    .option('--repo <owner/repo>', 'the repository (default: $GITHUB_REPOSITORY)')
    .option('--pr <n>', 'the pull request number (default: from $GITHUB_REF on pull_request events)')
    .option('--body-file <file>', 'the comment (default: stdin); an empty file deletes the earlier comment')
    .option('--format <format>', 'output format: table|json', 'table')
    .option('--out <file>', 'write what was done to a file instead of stdout')
    .option('--quiet', 'no notes on stderr')
    .action(async (opts: CommentOptions) => {
      const repo = repoOf(opts.repo);
      const pr = prOf(opts.pr);
      const token = process.env.GITHUB_TOKEN ?? process.env.GH_TOKEN;
      if (!token) throw new CostattrError('BAD_USAGE', 'GITHUB_TOKEN is not set: it is needed to post the comment', { hint: 'in GitHub Actions: env: GITHUB_TOKEN: ${{ github.token }}, with permissions: pull-requests: write' });
      const text = readBody(opts.bodyFile);
      await runCommand(opts, ['table', 'json'], async () => {
        const [{ publishComment }, { DIFF_COMMENT_MARKER }, { commentRendering }] = await Promise.all([
          import('../../app/github-comments.js'), import('../../render/diff-comment.js'), import('../../render/outputs/comment.js'),
        ]);
        // a comment written by hand gets the marker too, so the next run finds it
        const body = text.trim().length === 0 || text.includes(DIFF_COMMENT_MARKER) ? text : `${DIFF_COMMENT_MARKER}\n${text}`;
        const apiUrl = process.env.GITHUB_API_URL ?? DEFAULT_API;
        return commentRendering(await publishComment({ apiUrl, token, repo, pr, marker: DIFF_COMMENT_MARKER }, body), `${repo}#${pr}`);
      });
    });
}
