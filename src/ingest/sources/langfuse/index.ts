/**
 * Langfuse observation exports (load.ts), recognised by `usageDetails` / `usage_details` beside a
 * trace id (CSV header or JSON keys). Usage buckets are disjoint (`exclusive`).
 */
import { withRecords } from '../records.js';
import type { FileHead } from '../head.js';
import type { SpanSource } from '../source.js';
import { loadLangfuse } from './load.js';

function hasEither(head: FileHead, camel: string, snake: string): boolean {
  return head.hasField(camel) || head.hasField(snake);
}

export const langfuse: SpanSource = {
  name: 'langfuse',
  format: 'langfuse',
  convention: 'exclusive',
  detect: (head) => hasEither(head, 'usageDetails', 'usage_details') && hasEither(head, 'traceId', 'trace_id'),
  load: (ctx, file) => withRecords(ctx.db, file.path, (records) => loadLangfuse(ctx, records)),
};
