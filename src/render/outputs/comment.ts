/** What `costattr comment github` did, as a Rendering: one sentence, or the outcome as JSON. */
import type { CommentOutcome } from '../../app/github-comments.js';
import { jsonRenderer, type Rendering } from '../rendering.js';

export function commentSentence(outcome: CommentOutcome, where: string): string {
  const id = outcome.comment_id === null ? '' : ` ${outcome.comment_id}`;
  switch (outcome.action) {
    case 'created':
    case 'updated':
      return `${outcome.action} comment${id} on ${where}${outcome.url ? `: ${outcome.url}` : ''}`;
    case 'unchanged':
      return `comment${id} on ${where} already says this`;
    case 'deleted':
      return `deleted comment${id} on ${where}: the new comment is empty (nothing moved)`;
    case 'none':
      return `nothing to post on ${where}: the comment is empty and there is no earlier one`;
    default:
      return (outcome.action satisfies never) as string;
  }
}

export function commentRendering(outcome: CommentOutcome, where: string): Rendering {
  return { renderers: { ...jsonRenderer(() => outcome), table: () => commentSentence(outcome, where) } };
}
