/**
 * Column mapping for flat span tables: canonical column ← source column. Defaults are the
 * canonical names (docs/data-model.md) and common aliases; `--map canonical=source,…` or a
 * mapping JSON file overrides them. The tag names among them (tenant, user_id, …) also pick the
 * fields of record-shaped sources (../field-spec.ts).
 */
import { readFileSync } from 'node:fs';
import { CostattrError } from '../../../errors.js';
import type { RawColumn } from '../../spans/raw-table.js';

/** Canonical flat column → the raw column it fills. */
export const FLAT_COLUMNS: Readonly<Record<string, RawColumn>> = {
  trace_id: 'trace_id',
  span_id: 'span_id',
  parent_span_id: 'parent_span_id',
  scope_name: 'scope_name',
  service_name: 'service_name',
  name: 'name',
  operation: 'operation',
  start_time: 'start_time',
  end_time: 'end_time',
  provider: 'provider',
  request_model: 'request_model',
  response_model: 'response_model',
  service_tier: 'service_tier',
  input_tokens: 'input_tokens',
  output_tokens: 'output_tokens',
  cache_read_tokens: 'cache_read_tokens',
  cache_write_tokens: 'cache_write_tokens',
  cache_write_5m_tokens: 'cache_write_5m_tokens',
  cache_write_1h_tokens: 'cache_write_1h_tokens',
  reasoning_tokens: 'reasoning_tokens',
  tool_name: 'tool_name',
  tool_arguments: 'tool_arguments',
  conversation_id: 'conversation_id',
  response_id: 'response_id',
  tenant: 'tag_tenant',
  user_id: 'tag_user_id',
  task: 'tag_task',
  route: 'tag_route',
  tier: 'tag_tier',
  effort: 'tag_effort',
  prompt_tokens: 'prompt_tokens',
  tool_tokens: 'tool_tokens',
  memory_tokens: 'memory_tokens',
  tags_json: 'tags_json',
};

/** Aliases tried (after the canonical name itself) when no explicit mapping names a source column. */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  trace_id: ['traceId', 'trace'],
  span_id: ['spanId', 'id', 'observation_id'],
  parent_span_id: ['parentSpanId', 'parent_id', 'parentId', 'parentObservationId', 'parent_observation_id'],
  scope_name: ['scope', 'instrumentation_scope'],
  service_name: ['service', 'serviceName', 'service.name'],
  name: ['span_name', 'spanName'],
  operation: ['operation_name', 'gen_ai.operation.name'],
  start_time: ['startTime', 'start', 'timestamp'],
  end_time: ['endTime', 'end'],
  provider: ['gen_ai.provider.name', 'gen_ai.system', 'system', 'custom_llm_provider'],
  request_model: ['model', 'gen_ai.request.model', 'requestModel'],
  response_model: ['gen_ai.response.model', 'responseModel'],
  service_tier: ['serviceTier', 'gen_ai.request.service_tier'],
  input_tokens: ['inputTokens', 'gen_ai.usage.input_tokens'],
  output_tokens: ['outputTokens', 'completion_tokens', 'gen_ai.usage.output_tokens'],
  cache_read_tokens: ['cache_read_input_tokens', 'cacheReadTokens', 'cached_tokens', 'gen_ai.usage.cache_read.input_tokens'],
  cache_write_tokens: [
    'cache_creation_input_tokens',
    'cache_write_input_tokens',
    'cacheWriteTokens',
    'gen_ai.usage.cache_creation.input_tokens',
    'gen_ai.usage.cache_write.input_tokens',
  ],
  cache_write_5m_tokens: ['ephemeral_5m_input_tokens'],
  cache_write_1h_tokens: ['ephemeral_1h_input_tokens'],
  reasoning_tokens: ['reasoningTokens', 'gen_ai.usage.reasoning.output_tokens'],
  tool_name: ['gen_ai.tool.name', 'toolName'],
  tool_arguments: ['gen_ai.tool.call.arguments'],
  conversation_id: ['session_id', 'sessionId', 'gen_ai.conversation.id'],
  response_id: ['gen_ai.response.id', 'request_id', 'requestId'],
  tenant: ['tenant_id', 'tenantId'],
  user_id: ['userId', 'user'],
  task: ['task_id', 'taskId'],
  route: [],
  tier: ['plan'],
  effort: [],
  prompt_tokens: [],
  tool_tokens: [],
  memory_tokens: [],
  tags_json: ['tags', 'metadata'],
};

/** Parse `canonical=source,canonical=source`. */
export function parseColumnMapping(text: string): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      throw new CostattrError('BAD_USAGE', `--map expects canonical=source pairs, got "${pair}"`);
    }
    mapping[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return checkMapping(mapping, '--map');
}

/** A JSON object file of canonical → source column names. */
export function readMappingFile(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read the column mapping: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CostattrError('BAD_INPUT', `${path}: expected a JSON object of canonical column → source column`);
  }
  const mapping: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new CostattrError('BAD_INPUT', `${path}: field ${key}: expected a column name string`);
    mapping[key] = value;
  }
  return checkMapping(mapping, path);
}

function checkMapping(mapping: Record<string, string>, origin: string): Record<string, string> {
  for (const key of Object.keys(mapping)) {
    if (!(key in FLAT_COLUMNS)) {
      throw new CostattrError('BAD_USAGE', `${origin}: unknown canonical column "${key}"`, {
        hint: `canonical columns: ${Object.keys(FLAT_COLUMNS).join(', ')}`,
      });
    }
  }
  return mapping;
}

/** Resolve canonical column → source column for a table with `sourceColumns`. */
export function resolveMapping(
  file: string,
  sourceColumns: readonly string[],
  mapping: Record<string, string>,
): Map<string, string> {
  const exact = new Set(sourceColumns);
  const lower = new Map(sourceColumns.map((c) => [c.toLowerCase(), c]));
  const resolved = new Map<string, string>();
  for (const canonical of Object.keys(FLAT_COLUMNS)) {
    const explicit = mapping[canonical];
    if (explicit !== undefined) {
      if (!exact.has(explicit)) {
        throw new CostattrError('BAD_INPUT', `${file}: mapped column "${explicit}" (for ${canonical}) is not in the file`, {
          hint: `columns: ${sourceColumns.join(', ')}`,
        });
      }
      resolved.set(canonical, explicit);
      continue;
    }
    for (const candidate of [canonical, ...(ALIASES[canonical] ?? [])]) {
      const found = exact.has(candidate) ? candidate : lower.get(candidate.toLowerCase());
      if (found !== undefined) {
        resolved.set(canonical, found);
        break;
      }
    }
  }
  return resolved;
}

/**
 * Refuse a table in which no column (by name, alias or mapping) holds the input tokens: every span
 * would load with a silent zero. (Output tokens may be absent: some exports count input only.)
 */
export function requireInputTokenColumn(file: string, resolved: ReadonlyMap<string, string>, sourceColumns: readonly string[]): void {
  if (resolved.has('input_tokens')) return;
  const tried = ['input_tokens', ...(ALIASES.input_tokens ?? [])].join(', ');
  throw new CostattrError('BAD_INPUT', `${file}: no input_tokens column (looked for ${tried}); the file has columns ${sourceColumns.join(', ')}`, {
    hint: 'name the column that holds the input tokens with --map input_tokens=<column>',
  });
}

/** Raw column → the source column that fills it, for a table of `rows` rows with `sourceColumns` (refused without input tokens). */
export function mapFlatColumns(file: string, sourceColumns: readonly string[], mapping: Record<string, string>, rows: number): Map<RawColumn, string> {
  const resolved = resolveMapping(file, sourceColumns, mapping);
  if (rows > 0) requireInputTokenColumn(file, resolved, sourceColumns);
  const raw = new Map<RawColumn, string>();
  for (const [canonical, source] of resolved) {
    const column = FLAT_COLUMNS[canonical];
    if (column !== undefined) raw.set(column, source);
  }
  return raw;
}
