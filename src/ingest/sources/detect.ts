/**
 * Recognising the source formats of src/ingest/sources from a file's first bytes: each has fields no
 * OTLP or flat span table carries. Claude Code session logs (camelCase `sessionId` with `uuid` /
 * `parentUuid` / `requestId`), LiteLLM_SpendLogs rows (`request_id`, `call_type`, `spend`), Langfuse
 * observation exports (`usageDetails` / `usage_details` with a trace id).
 */
import type { SourceFormat } from '../spans/types.js';

function hasKeys(head: string, keys: readonly string[]): boolean {
  return keys.every((key) => new RegExp(`"${key}"\\s*:`).test(head));
}

/** The header of a CSV file, as a set of column names. */
function csvHeader(head: string): Set<string> {
  const first = head.split(/\r?\n/, 1)[0] ?? '';
  return new Set(first.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
}

function isClaudeCode(head: string): boolean {
  if (/"resource_?[sS]pans"/.test(head)) return false;
  const session = hasKeys(head, ['sessionId']) && /"(parentUuid|uuid|requestId)"\s*:/.test(head);
  return session || /^\{"type"\s*:\s*"(summary|file-history-snapshot)"/.test(head);
}

const LITELLM_KEYS = ['request_id', 'call_type', 'spend'] as const;

function isLangfuse(has: (key: string) => boolean): boolean {
  return (has('usageDetails') || has('usage_details')) && (has('traceId') || has('trace_id'));
}

export function detectSourceFormat(path: string, head: string): SourceFormat | undefined {
  if (path.toLowerCase().endsWith('.csv')) {
    const columns = csvHeader(head);
    if (LITELLM_KEYS.every((k) => columns.has(k))) return 'litellm';
    if (isLangfuse((k) => columns.has(k))) return 'langfuse';
    return undefined;
  }
  if (isClaudeCode(head)) return 'claude-code';
  if (hasKeys(head, LITELLM_KEYS)) return 'litellm';
  if (isLangfuse((k) => hasKeys(head, [k]))) return 'langfuse';
  return undefined;
}
