/**
 * The span rows a scenario is made of (canonical `spans` columns) and the agent runs that make them:
 * an ordinary run, a batch lookup (one tool, different arguments), a loop (one tool, the same
 * arguments), and a multi-turn conversation with bounded or runaway memory.
 */
import { Prng } from '../../../src/demo/prng.js';

export const START_DAY = '2026-09-07'; // a Monday: ISO weeks line up with scenario weeks

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  ingest_id: number;
  source: string;
  name: string;
  operation: string;
  start_time: string;
  end_time: string;
  is_inference: boolean;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  service_tier: string;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  reported_input_tokens: number | null;
  input_convention: string;
  has_cache_counts: boolean;
  tag_tenant: string | null;
  tag_route: string | null;
  tenant: string | null;
  user_id: string | null;
  route: string | null;
  prompt_tokens: number | null;
  tool_tokens: number | null;
  memory_tokens: number | null;
  tool_name: string | null;
  tool_arguments: string | null;
  conversation_id: string | null;
}

export const MODELS = {
  sonnet: 'claude-sonnet-4-5',
  opus: 'claude-opus-4-5',
  haiku: 'claude-haiku-4-5',
  /** 3× Sonnet 4.5's input price, 5× its output price. */
  opusOld: 'claude-opus-4-1',
  /** An OpenAI pair 22–40× apart (output, input). */
  mini: 'gpt-5-mini',
  flagship: 'gpt-5.5',
} as const;

export function providerOf(model: string): string {
  return model.startsWith('gpt') ? 'openai' : 'anthropic';
}

export function dayString(day: number): string {
  const d = new Date(`${START_DAY}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + day);
  return d.toISOString().slice(0, 10);
}

export function isWeekend(day: number): boolean {
  return day % 7 >= 5;
}

function timestamp(day: number, seconds: number): string {
  const d = new Date(`${START_DAY}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + day);
  d.setUTCSeconds(d.getUTCSeconds() + Math.round(seconds));
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

export interface Route {
  route: string;
  weight: number;
  prompt: number;
  model: string;
}

export interface Call {
  model: string;
  prompt: number;
  tool: number;
  memory: number;
  hitRate: number;
  output: number;
  conversation?: string;
}

export class Builder {
  readonly spans: SpanRow[] = [];
  readonly rand: () => number;

  constructor(seed: number) {
    // the demo's mulberry32 source: the same seed, the same sequence
    const source = new Prng(seed);
    this.rand = () => source.next();
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.rand() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rand();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)] as T;
  }

  /** A Poisson count (Knuth): low-volume traffic has days with none and days with several. */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.rand();
    while (p > limit) {
      k++;
      p *= this.rand();
    }
    return k;
  }

  private base(traceId: string, parent: string | null, tenant: string | null, route: string, day: number, at: number): SpanRow {
    return {
      trace_id: traceId, span_id: this.hex(16), parent_span_id: parent, ingest_id: 1, source: 'scenario',
      name: '', operation: '', start_time: timestamp(day, at), end_time: timestamp(day, at + 1),
      is_inference: false, provider: null, request_model: null, response_model: null, service_tier: 'standard',
      input_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 0,
      reasoning_tokens: 0, reported_input_tokens: null, input_convention: 'inclusive', has_cache_counts: false,
      tag_tenant: null, tag_route: null, tenant, user_id: tenant === null ? null : `${tenant}-u${Math.floor(this.rand() * 5)}`, route,
      prompt_tokens: null, tool_tokens: null, memory_tokens: null, tool_name: null, tool_arguments: null, conversation_id: null,
    };
  }

  root(traceId: string, tenant: string | null, route: string, day: number, at: number): SpanRow {
    const row = { ...this.base(traceId, null, tenant, route, day, at), name: 'invoke_agent triage-agent', operation: 'invoke_agent', tag_tenant: tenant, tag_route: route };
    this.spans.push(row);
    return row;
  }

  chat(root: SpanRow, day: number, at: number, call: Call): void {
    const total = call.prompt + call.tool + call.memory;
    const cacheRead = Math.round(total * call.hitRate);
    const cacheWrite = Math.round(total * Math.min(0.03 + (call.hitRate < 0.5 ? 0.5 : 0), 1 - call.hitRate));
    this.spans.push({
      ...this.base(root.trace_id, root.span_id, root.tenant, root.route ?? '', day, at),
      user_id: root.user_id,
      name: `chat ${call.model}`, operation: 'chat', is_inference: true, provider: providerOf(call.model),
      request_model: call.model, response_model: call.model,
      input_tokens: total - cacheRead - cacheWrite, cache_read_tokens: cacheRead, cache_write_5m_tokens: cacheWrite,
      output_tokens: call.output, reported_input_tokens: total, has_cache_counts: true,
      prompt_tokens: call.prompt, tool_tokens: call.tool, memory_tokens: call.memory, conversation_id: call.conversation ?? null,
    });
  }

  tool(root: SpanRow, day: number, at: number, name: string, args: string): void {
    this.spans.push({
      ...this.base(root.trace_id, root.span_id, root.tenant, root.route ?? '', day, at),
      user_id: root.user_id, name: `execute_tool ${name}`, operation: 'execute_tool', tool_name: name, tool_arguments: args,
    });
  }
}

export interface TrafficDay {
  day: number;
  tenant: string | null;
  route: Route;
  model: string;
  promptScale: number;
  hitRate: () => number;
}

/** One ordinary agent run: 2–3 chat turns (memory grows a little per turn), 0–2 tool calls. */
export function cleanTrace(b: Builder, t: TrafficDay, at: number): SpanRow {
  const root = b.root(b.hex(32), t.tenant, t.route.route, t.day, at);
  const turns = 2 + Math.floor(b.rand() * 2);
  const memoryBase = b.between(800, 1500);
  for (let turn = 0; turn < turns; turn++) {
    b.chat(root, t.day, at + 1 + turn * 3, {
      model: t.model,
      prompt: Math.round(t.route.prompt * t.promptScale * b.between(0.9, 1.1)),
      tool: Math.round(b.between(300, 700)),
      memory: Math.round(memoryBase + 500 * turn),
      hitRate: t.hitRate(),
      output: Math.round(b.between(900, 1300)),
    });
    if (turn < turns - 1 && b.rand() < 0.6) b.tool(root, t.day, at + 2 + turn * 3, b.pick(['get_email', 'classify', 'draft_reply']), JSON.stringify({ id: b.uuid(), mode: b.pick(['fast', 'full']) }));
  }
  return root;
}

/** Look-alike: six lookups of the same tool, each with different arguments (not a loop). */
export function batchLookupTrace(b: Builder, t: TrafficDay, at: number): void {
  const root = cleanTrace(b, t, at);
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
  for (let i = 0; i < 6; i++) b.tool(root, t.day, at + 10 + i, 'lookup_contact', JSON.stringify({ name: names[i], fields: ['email'] }));
}

/** The loop bug: the agent re-calls `tool` with the same query (fresh request id, shuffled keys). */
export function loopTrace(b: Builder, t: TrafficDay, at: number, tool = 'search_inbox'): string {
  const root = b.root(b.hex(32), t.tenant, t.route.route, t.day, at);
  const iterations = 8 + Math.floor(b.rand() * 7);
  for (let i = 0; i < iterations; i++) {
    const sentAt = `${timestamp(t.day, at + i).replace(' ', 'T')}Z`;
    const args = b.rand() < 0.5
      ? `{"query": "unpaid invoices", "folder": "INBOX", "request_id": "${b.uuid()}", "sent_at": "${sentAt}"}`
      : `{"request_id":"${b.uuid()}","folder":"INBOX","query":"unpaid  invoices","sent_at":"${sentAt}"}`;
    b.tool(root, t.day, at + i * 2, tool, args);
    b.chat(root, t.day, at + i * 2 + 1, { model: t.model, prompt: Math.round(t.route.prompt * b.between(0.9, 1.1)), tool: 1500, memory: 1200, hitRate: t.hitRate(), output: 1100 });
  }
  return root.trace_id;
}

/** A conversation of many turns, one trace per turn; memory either bounded (summarised) or running away. */
export function conversation(b: Builder, t: TrafficDay, at: number, turns: number, memoryAt: (turn: number) => number): string[] {
  const id = `conv-${b.hex(12)}`;
  const traces: string[] = [];
  for (let turn = 0; turn < turns; turn++) {
    const root = b.root(b.hex(32), t.tenant, t.route.route, t.day, at + turn * 60);
    traces.push(root.trace_id);
    b.chat(root, t.day, at + turn * 60 + 1, {
      model: t.model, prompt: Math.round(t.route.prompt * b.between(0.9, 1.1)), tool: 400, memory: Math.round(memoryAt(turn)),
      hitRate: t.hitRate(), output: 1000, conversation: id,
    });
  }
  return traces;
}
