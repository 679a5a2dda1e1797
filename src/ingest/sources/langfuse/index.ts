/**
 * Langfuse exports (load.ts): observations, recognised by `usageDetails` / `usage_details` beside a
 * trace id (CSV header or JSON keys), and trace documents and list pages (shapes.ts), recognised by
 * an `observations` list beside a trace (`"trace"` or the API's `"htmlPath"`). Usage buckets are
 * made disjoint per record (`exclusive`).
 */
import { withRecords } from '../records.js';
import type { FileHead } from '../head.js';
import type { SpanSource } from '../source.js';
import { loadLangfuse } from './load.js';

function hasEither(head: FileHead, camel: string, snake: string): boolean {
  return head.hasField(camel) || head.hasField(snake);
}

function isTraceDocument(head: FileHead): boolean {
  return !head.is('.csv') && head.hasField('observations') && (head.hasField('trace') || head.hasField('htmlPath'));
}

export const langfuse: SpanSource = {
  name: 'langfuse',
  format: 'langfuse',
  convention: 'exclusive',
  detect: (head) => (hasEither(head, 'usageDetails', 'usage_details') && hasEither(head, 'traceId', 'trace_id')) || isTraceDocument(head),
  load: (ctx, file) => withRecords(ctx.db, file.path, () => loadLangfuse(ctx, file.path)),
};
