/**
 * Which OTLP attribute feeds which raw column, with the spellings real instrumentations emit
 * (current semconv first, then the older names: gen_ai.system, prompt/completion tokens, the
 * underscore cache spellings of OpenLLMetry, the guide's cached_read/cached_write tokens, and
 * OpenInference's `llm.*` names, whose prompt count includes its cache details).
 * A lower rank wins when a span carries several spellings of the same thing.
 */
import type { RawColumn } from '../../spans/raw-table.js';

export interface AttributeTarget {
  column: RawColumn;
  rank: number;
}

const SPELLINGS: ReadonlyArray<readonly [RawColumn, readonly string[]]> = [
  ['operation', ['gen_ai.operation.name']],
  ['request_type', ['llm.request.type', 'openinference.span.kind']],
  ['provider', ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system']],
  ['request_model', ['gen_ai.request.model']],
  ['response_model', ['gen_ai.response.model', 'llm.model_name']],
  [
    'service_tier',
    [
      'gen_ai.openai.response.service_tier',
      'openai.response.service_tier',
      'gen_ai.response.service_tier',
      'gen_ai.openai.request.service_tier',
      'openai.request.service_tier',
      'gen_ai.request.service_tier',
    ],
  ],
  ['input_tokens', ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt']],
  ['output_tokens', ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion']],
  [
    'cache_read_tokens',
    [
      'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_read_input_tokens',
      'gen_ai.usage.cached_read_tokens',
      'gen_ai.usage.input_tokens.cached',
      'llm.token_count.prompt_details.cache_read',
    ],
  ],
  [
    'cache_write_tokens',
    [
      'gen_ai.usage.cache_write.input_tokens',
      'gen_ai.usage.cache_creation.input_tokens',
      'gen_ai.usage.cache_creation_input_tokens',
      'gen_ai.usage.cache_write_input_tokens',
      'gen_ai.usage.cached_write_tokens',
      'llm.token_count.prompt_details.cache_write',
    ],
  ],
  [
    'cache_write_5m_tokens',
    [
      'gen_ai.usage.cache_creation.ephemeral_5m_input_tokens',
      'gen_ai.usage.cache_write.ephemeral_5m_input_tokens',
      'anthropic.usage.cache_creation.ephemeral_5m_input_tokens',
    ],
  ],
  [
    'cache_write_1h_tokens',
    [
      'gen_ai.usage.cache_creation.ephemeral_1h_input_tokens',
      'gen_ai.usage.cache_write.ephemeral_1h_input_tokens',
      'anthropic.usage.cache_creation.ephemeral_1h_input_tokens',
    ],
  ],
  [
    'reasoning_tokens',
    [
      'gen_ai.usage.reasoning.output_tokens',
      'gen_ai.usage.reasoning_tokens',
      'llm.usage.reasoning_tokens',
      'llm.token_count.completion_details.reasoning',
    ],
  ],
  ['tool_name', ['gen_ai.tool.name']],
  ['tool_arguments', ['gen_ai.tool.call.arguments']],
  ['conversation_id', ['gen_ai.conversation.id']],
  ['response_id', ['gen_ai.response.id']],
  ['service_name', ['service.name']],
];

export const ATTRIBUTE_TARGETS: ReadonlyMap<string, AttributeTarget> = new Map(
  SPELLINGS.flatMap(([column, keys]) => keys.map((key, rank) => [key, { column, rank }] as const)),
);

/**
 * First key segments that belong to OpenTelemetry or vendor conventions: never a custom tag
 * namespace. Attributes under any other first segment are kept (grouped) as namespace candidates.
 */
export const STANDARD_PREFIXES: ReadonlySet<string> = new Set([
  'gen_ai', 'llm', 'traceloop', 'openai', 'anthropic', 'ai', 'openinference', 'langfuse', 'mcp',
  'http', 'server', 'client', 'url', 'net', 'network', 'peer', 'error', 'exception', 'service',
  'telemetry', 'process', 'host', 'os', 'container', 'k8s', 'cloud', 'deployment', 'db', 'rpc',
  'messaging', 'code', 'thread', 'user_agent', 'otel', 'session', 'user', 'enduser', 'faas', 'aws',
  'gcp', 'azure', 'az', 'browser', 'device', 'webengine', 'vcs', 'cicd', 'log', 'event', 'span',
  'input', 'output', 'metadata', 'tag', 'signalfx', 'sentry',
]);

/** Keys under a namespace whose presence marks it as the tag namespace. */
export const NAMESPACE_MARKERS: ReadonlySet<string> = new Set(['tenant_id', 'user_id', 'task_id', 'route']);
