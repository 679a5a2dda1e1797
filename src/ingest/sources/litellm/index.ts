/**
 * LiteLLM proxy spend logs (load.ts): `LiteLLM_SpendLogs` rows, recognised by `request_id`,
 * `call_type` and `spend` (CSV header or JSON keys). `prompt_tokens` includes cached input.
 */
import { withRecords } from '../records.js';
import type { SpanSource } from '../source.js';
import { loadLiteLlm } from './load.js';

const KEYS = ['request_id', 'call_type', 'spend'];

export const litellm: SpanSource = {
  name: 'litellm',
  format: 'litellm',
  convention: 'inclusive',
  detect: (head) => KEYS.every((key) => head.hasField(key)),
  load: (ctx, file) => withRecords(ctx.db, file.path, (records) => loadLiteLlm(ctx, records)),
};
