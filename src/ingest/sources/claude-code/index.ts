/**
 * Claude Code session logs: JSON lines with camelCase `sessionId` and `uuid` / `parentUuid` /
 * `requestId`, or a log opening with a `summary` / `file-history-snapshot` line. Every log found
 * under one path is read in one scan (calls.ts) and staged directly (stage.ts); load.ts is the
 * generic path it must equal. Usage is Anthropic's (`exclusive`).
 */
import { otlp } from '../otlp/index.js';
import type { SpanSource } from '../source.js';
import { loadClaudeCode } from './load.js';
import { stageClaudeCode } from './stage.js';

export const claudeCode: SpanSource = {
  name: 'claude-code',
  format: 'claude-code',
  convention: 'exclusive',
  readsTree: true,
  detect(head) {
    if (head.is('.csv') || otlp.detect(head)) return false;
    const session = head.hasField('sessionId') && ['parentUuid', 'uuid', 'requestId'].some((key) => head.hasField(key));
    return session || /^\{"type"\s*:\s*"(summary|file-history-snapshot)"/.test(head.text);
  },
  load: (ctx, file) => loadClaudeCode(ctx, file.path, file.files),
  stage: (ctx, file, table) => stageClaudeCode(ctx, file.path, file.files, table),
};
