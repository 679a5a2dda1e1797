/**
 * Claude Code calls (calls.ts) into the raw span table, for the generic normaliser: the reference
 * the fast path (stage.ts) must equal, kept for sources that cannot stage (and the test comparing
 * both). Usage is Anthropic's (input excludes both cache classes: convention `exclusive`); the
 * 1-hour cache writes come from `cache_creation.ephemeral_1h_input_tokens`.
 */
import { insertRaw } from '../../spans/raw-insert.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';
import { readClaudeCalls } from './calls.js';

export async function loadClaudeCode(ctx: SourceLoadContext, root: string, files: readonly string[]): Promise<SourceLoadResult> {
  const calls = await readClaudeCalls(ctx, root, files);
  try {
    const rows = await insertRaw(ctx, {
      from: calls.from,
      columns: {
        source: `'claude-code'`,
        trace_id: 'session',
        span_id: 'key',
        scope_name: `'claude-code'`,
        service_name: `'claude-code'`,
        name: `'claude-code assistant message'`,
        operation: `'chat'`,
        start_time: `coalesce(strftime(first_at, '%Y-%m-%dT%H:%M:%S.%fZ'), timestamp)`,
        end_time: `strftime(last_at, '%Y-%m-%dT%H:%M:%S.%fZ')`,
        provider: `'anthropic'`,
        request_model: 'model',
        response_model: 'model',
        service_tier: 'u.service_tier',
        conversation_id: 'session',
        response_id: 'msg_id',
        tag_tenant: 'project',
        tag_task: 'session',
        tags_json: `json_object('claude_code.sidechain', sidechain)::VARCHAR`,
      },
      numbers: {
        start_time: 'epoch_us(first_at)',
        end_time: 'epoch_us(last_at)',
        input_tokens: 'u.input_tokens',
        output_tokens: 'u.output_tokens',
        cache_read_tokens: 'u.cache_read_input_tokens',
        cache_write_tokens: 'u.cache_creation_input_tokens',
        cache_write_5m_tokens: 'u.cache_creation.ephemeral_5m_input_tokens',
        cache_write_1h_tokens: 'u.cache_creation.ephemeral_1h_input_tokens',
      },
    });
    return calls.result(rows);
  } finally {
    await calls.close();
  }
}
