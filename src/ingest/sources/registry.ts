/**
 * Every span source, in detection order: a file belongs to the first source whose `detect` claims
 * it, so the most specific tests come first and the flat tables, which take whatever is left of
 * their container format, come after the sources exporting that container. A new source is its
 * folder and one line here.
 */
import type { SpanFormatOption } from '../spans/types.js';
import { claudeCode } from './claude-code/index.js';
import { flatCsv, flatJsonl, flatParquet } from './flat/index.js';
import type { FileHead } from './head.js';
import { langfuse } from './langfuse/index.js';
import { litellm } from './litellm/index.js';
import { otlp } from './otlp/index.js';
import type { SpanSource } from './source.js';

export const SPAN_SOURCES: readonly SpanSource[] = [
  flatParquet, // by its extension, before any file is opened
  claudeCode,
  litellm,
  langfuse,
  flatCsv, // any other CSV
  otlp,
  flatJsonl, // anything else
];

/** A file's source: the one `--format` names, else the first in order to claim its head. */
export function sourceOf(head: FileHead, format: SpanFormatOption): SpanSource {
  const source = SPAN_SOURCES.find((s) => (format === 'auto' ? s.detect(head) : s.format === format));
  if (source === undefined) throw new Error(`no span source for ${head.path}`); // a bug: flat JSON Lines claims any file
  return source;
}
