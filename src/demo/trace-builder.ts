/**
 * Builds one demo run (one trace) as OTLP/JSON span objects, the way the Collector file exporter
 * writes them: hex ids, int64 as decimal strings, zero fields omitted, `status` always present.
 * Tags go on the root `invoke_agent` span only; children inherit them at ingest. Every chat call is
 * also recorded with its exact cost (the generator's ground truth) and its UTC day (the invoice).
 */
import type { Prng } from './prng.js';
import { callCostFemto, DEMO_MODELS, type CallTokens, type DemoModel } from './prices.js';

export const NAMESPACE = 'acme';
export const SERVICE_NAME = 'inbox-triage-agent';

type AnyValue = { stringValue: string } | { intValue: string };
export interface OtlpAttribute {
  key: string;
  value: AnyValue;
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  status: Record<string, never>;
}

export interface ChatCall {
  model: DemoModel;
  tokens: CallTokens;
  day: string;
  costFemto: bigint;
}

export interface DemoRun {
  traceId: string;
  tenant: string | undefined;
  startMs: number;
  /** Each span already serialised as OTLP/JSON (compact in memory). */
  spans: string[];
  calls: ChatCall[];
  costFemto: bigint;
}

/** Input share of each harness layer; the rest of the input is memory. */
export interface LayerShares {
  prompt: [number, number];
  tool: [number, number];
}

const KIND_INTERNAL = 1;
const KIND_CLIENT = 3;

function str(key: string, value: string): OtlpAttribute {
  return { key, value: { stringValue: value } };
}
function int(key: string, value: number): OtlpAttribute {
  return { key, value: { intValue: String(value) } };
}
function nanos(ms: number): string {
  return `${BigInt(ms) * 1_000_000n}`;
}

export interface RunTags {
  tenant: string | undefined;
  user: string | undefined;
  task: string;
  route: string;
  tier: string;
}

export class TraceBuilder {
  private readonly traceId: string;
  private readonly rootId: string;
  private readonly children: OtlpSpan[] = [];
  private readonly calls: ChatCall[] = [];
  private clockMs: number;

  constructor(
    private readonly rng: Prng,
    private readonly startMs: number,
    private readonly tags: RunTags,
  ) {
    this.traceId = rng.hex(16);
    this.rootId = rng.hex(8);
    this.clockMs = startMs + rng.int(5, 40);
  }

  /** A chat inference span: total input `totalInput` of which `hit` is read from and `write` written to the cache. */
  chat(model: DemoModel, call: { totalInput: number; hit: number; write: number; output: number; layers: LayerShares }): void {
    const facts = DEMO_MODELS[model];
    const cacheRead = Math.floor(call.totalInput * call.hit);
    const cacheWrite = facts.provider === 'openai' ? 0 : Math.floor(call.totalInput * call.write);
    if (cacheRead + cacheWrite > call.totalInput) throw new Error(`demo call reads and writes more than its input (${call.hit} + ${call.write})`);
    const tokens: CallTokens = {
      input: call.totalInput - cacheRead - cacheWrite,
      cache_read: cacheRead,
      cache_write_5m: cacheWrite,
      output: call.output,
    };
    const promptTokens = Math.round(call.totalInput * this.rng.between(...call.layers.prompt));
    const toolTokens = Math.round(call.totalInput * this.rng.between(...call.layers.tool));
    const memoryTokens = call.totalInput - promptTokens - toolTokens;
    const durationMs = 400 + Math.round(call.output / 0.09) + this.rng.int(0, 900);
    const start = this.clockMs;
    const attributes = [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', facts.provider),
      str('gen_ai.request.model', model),
      str('gen_ai.response.model', facts.responseModel),
      str('gen_ai.response.id', `${facts.provider === 'openai' ? 'chatcmpl-' : 'msg_'}${this.rng.hex(12)}`),
      int('gen_ai.usage.input_tokens', call.totalInput),
      int('gen_ai.usage.cache_read.input_tokens', cacheRead),
      ...(facts.provider === 'openai' ? [] : [int('gen_ai.usage.cache_creation.input_tokens', cacheWrite)]),
      int('gen_ai.usage.output_tokens', call.output),
      int(`${NAMESPACE}.prompt_tokens`, promptTokens),
      int(`${NAMESPACE}.tool_tokens`, toolTokens),
      int(`${NAMESPACE}.memory_tokens`, memoryTokens),
    ];
    this.children.push(this.span(`chat ${model}`, KIND_CLIENT, start, start + durationMs, attributes));
    this.clockMs = start + durationMs + this.rng.int(2, 30);
    this.calls.push({ model, tokens, day: new Date(start).toISOString().slice(0, 10), costFemto: callCostFemto(model, tokens) });
  }

  tool(name: string, argumentsJson: string): void {
    const start = this.clockMs;
    const end = start + this.rng.int(120, 1500);
    this.children.push(
      this.span(`execute_tool ${name}`, KIND_INTERNAL, start, end, [
        str('gen_ai.operation.name', 'execute_tool'),
        str('gen_ai.tool.name', name),
        str('gen_ai.tool.call.id', `toolu_${this.rng.hex(12)}`),
        str('gen_ai.tool.call.arguments', argumentsJson),
      ]),
    );
    this.clockMs = end + this.rng.int(2, 30);
  }

  /** The root `invoke_agent` span (tags, and the children's aggregated usage, as harnesses emit it). */
  finish(): DemoRun {
    const t = this.tags;
    const totalInput = this.calls.reduce((s, c) => s + c.tokens.input + c.tokens.cache_read + c.tokens.cache_write_5m, 0);
    const totalOutput = this.calls.reduce((s, c) => s + c.tokens.output, 0);
    const tagAttributes = [
      ...(t.tenant === undefined ? [] : [str(`${NAMESPACE}.tenant_id`, t.tenant)]),
      ...(t.user === undefined ? [] : [str(`${NAMESPACE}.user_id`, t.user)]),
      str(`${NAMESPACE}.task_id`, t.task),
      str(`${NAMESPACE}.route`, t.route),
      str(`${NAMESPACE}.tier`, t.tier),
    ];
    const root: OtlpSpan = {
      traceId: this.traceId,
      spanId: this.rootId,
      name: `invoke_agent ${t.route}`,
      kind: KIND_INTERNAL,
      startTimeUnixNano: nanos(this.startMs),
      endTimeUnixNano: nanos(this.clockMs),
      attributes: [
        str('gen_ai.operation.name', 'invoke_agent'),
        str('gen_ai.agent.name', SERVICE_NAME),
        int('gen_ai.usage.input_tokens', totalInput),
        int('gen_ai.usage.output_tokens', totalOutput),
        ...tagAttributes,
      ],
      status: {},
    };
    return {
      traceId: this.traceId,
      tenant: t.tenant,
      startMs: this.startMs,
      spans: [root, ...this.children].map((span) => JSON.stringify(span)),
      calls: this.calls,
      costFemto: this.calls.reduce((s, c) => s + c.costFemto, 0n),
    };
  }

  private span(name: string, kind: number, startMs: number, endMs: number, attributes: OtlpAttribute[]): OtlpSpan {
    return {
      traceId: this.traceId,
      spanId: this.rng.hex(8),
      parentSpanId: this.rootId,
      name,
      kind,
      startTimeUnixNano: nanos(startMs),
      endTimeUnixNano: nanos(endMs),
      attributes,
      status: {},
    };
  }
}
