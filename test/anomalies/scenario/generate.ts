/**
 * A labelled, seeded anomaly scenario (separate from `costattr demo`): four weeks of clean
 * multi-tenant agent traffic as canonical `spans` rows, with each anomaly kind injected at a known
 * tenant/route/window, and clean look-alikes that must stay quiet: a legitimately long session
 * (bounded memory), a planned model change on a low-volume route, a weekend dip, and traces that
 * call one tool many times with genuinely different arguments.
 *
 * Clean traffic is deliberately steady (a few percent day-to-day noise): it is the control.
 */
import type { AnomalyKind } from '../../../src/analysis/anomalies/index.js';
import { Prng } from '../../../src/demo/prng.js';

export const START_DAY = '2026-09-07'; // a Monday: ISO weeks line up with scenario weeks
export const DAYS = 28;

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

/** What was injected, where: the ground truth the tests check findings against. */
export interface Injection {
  kind: AnomalyKind;
  tenant: string | null;
  route: string | null;
  /** First affected day, `YYYY-MM-DD`; the detector's window must start here. */
  startDay: string;
  /** Day after the last affected day. */
  endDay: string;
  /** The injected traces, when the injection is made of whole traces. */
  traceIds: string[];
}

/** A clean look-alike: no finding may name its tenant/route in its window. */
export interface Control {
  name: string;
  tenant: string | null;
  route: string | null;
  startDay: string;
  endDay: string;
}

export interface Scenario {
  spans: SpanRow[];
  injections: Injection[];
  controls: Control[];
}

export const MODELS = { sonnet: 'claude-sonnet-4-5', opus: 'claude-opus-4-5', haiku: 'claude-haiku-4-5' } as const;

const ROUTES = [
  { route: '/triage', weight: 0.35, prompt: 6000, model: MODELS.sonnet },
  { route: '/summary', weight: 0.25, prompt: 5000, model: MODELS.sonnet },
  { route: '/report', weight: 0.2, prompt: 8000, model: MODELS.sonnet },
  { route: '/search', weight: 0.2, prompt: 4000, model: MODELS.haiku },
] as const;
type Route = (typeof ROUTES)[number] | { route: string; weight: number; prompt: number; model: string };

export const INJECTED = {
  loopTenant: 'loopco',
  loopFromDay: 10,
  escalationTenant: 'pricier',
  escalationFromDay: 15,
  spikeTenant: 'spiky',
  spikeDay: 17,
  runawayTenant: 't04',
  runawayRoute: '/summary',
  runawayDay: 12,
  stormRoute: '/search',
  stormDay: 22,
  bloatRoute: '/report',
  bloatFromDay: 14,
  longSessionTenant: 'longtalk',
  lowVolumeRoute: '/legal',
  lowVolumeTenant: 't05',
  plannedChangeDay: 10,
  weekendTenant: 'weekendco',
} as const;

const NORMAL_TENANTS = ['t01', 't02', 't03', 't04', 't05', 't06', INJECTED.loopTenant, INJECTED.spikeTenant, INJECTED.weekendTenant, INJECTED.longSessionTenant];
const TRACES_PER_DAY = 16;

/** The demo's mulberry32 source: the same seed, the same sequence. */
function prng(seed: number): () => number {
  const source = new Prng(seed);
  return () => source.next();
}

export function dayString(day: number): string {
  const d = new Date(`${START_DAY}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + day);
  return d.toISOString().slice(0, 10);
}

function timestamp(day: number, seconds: number): string {
  const d = new Date(`${START_DAY}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + day);
  d.setUTCSeconds(d.getUTCSeconds() + Math.round(seconds));
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

class Builder {
  readonly spans: SpanRow[] = [];
  constructor(readonly rand: () => number) {}

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

  private base(traceId: string, parent: string | null, tenant: string, route: string, day: number, at: number): SpanRow {
    return {
      trace_id: traceId, span_id: this.hex(16), parent_span_id: parent, ingest_id: 1, source: 'scenario',
      name: '', operation: '', start_time: timestamp(day, at), end_time: timestamp(day, at + 1),
      is_inference: false, provider: null, request_model: null, response_model: null, service_tier: 'standard',
      input_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 0,
      reasoning_tokens: 0, reported_input_tokens: null, input_convention: 'inclusive', has_cache_counts: false,
      tag_tenant: null, tag_route: null, tenant, user_id: `${tenant}-u${Math.floor(this.rand() * 5)}`, route,
      prompt_tokens: null, tool_tokens: null, memory_tokens: null, tool_name: null, tool_arguments: null, conversation_id: null,
    };
  }

  root(traceId: string, tenant: string, route: string, day: number, at: number): SpanRow {
    const row = { ...this.base(traceId, null, tenant, route, day, at), name: 'invoke_agent triage-agent', operation: 'invoke_agent', tag_tenant: tenant, tag_route: route };
    this.spans.push(row);
    return row;
  }

  chat(root: SpanRow, day: number, at: number, call: { model: string; prompt: number; tool: number; memory: number; hitRate: number; output: number; conversation?: string }): void {
    const total = call.prompt + call.tool + call.memory;
    const cacheRead = Math.round(total * call.hitRate);
    const cacheWrite = Math.round(total * Math.min(0.03 + (call.hitRate < 0.5 ? 0.5 : 0), 1 - call.hitRate));
    this.spans.push({
      ...this.base(root.trace_id, root.span_id, root.tenant ?? '', root.route ?? '', day, at),
      user_id: root.user_id,
      name: `chat ${call.model}`, operation: 'chat', is_inference: true, provider: 'anthropic',
      request_model: call.model, response_model: call.model,
      input_tokens: total - cacheRead - cacheWrite, cache_read_tokens: cacheRead, cache_write_5m_tokens: cacheWrite,
      output_tokens: call.output, reported_input_tokens: total, has_cache_counts: true,
      prompt_tokens: call.prompt, tool_tokens: call.tool, memory_tokens: call.memory, conversation_id: call.conversation ?? null,
    });
  }

  tool(root: SpanRow, day: number, at: number, name: string, args: string): void {
    this.spans.push({
      ...this.base(root.trace_id, root.span_id, root.tenant ?? '', root.route ?? '', day, at),
      user_id: root.user_id, name: `execute_tool ${name}`, operation: 'execute_tool', tool_name: name, tool_arguments: args,
    });
  }
}

interface TrafficDay {
  day: number;
  tenant: string;
  route: Route;
  model: string;
  promptScale: number;
  hitRate: () => number;
}

/** One ordinary agent run: 2–3 chat turns (memory grows a little per turn), 0–2 tool calls. */
function cleanTrace(b: Builder, t: TrafficDay, at: number): SpanRow {
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
function batchLookupTrace(b: Builder, t: TrafficDay, at: number): void {
  const root = cleanTrace(b, t, at);
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
  for (let i = 0; i < 6; i++) b.tool(root, t.day, at + 10 + i, 'lookup_contact', JSON.stringify({ name: names[i], fields: ['email'] }));
}

/** The loop bug: the agent re-calls search_inbox with the same query (fresh request id, shuffled keys). */
function loopTrace(b: Builder, t: TrafficDay, at: number): string {
  const root = b.root(b.hex(32), t.tenant, t.route.route, t.day, at);
  const iterations = 8 + Math.floor(b.rand() * 7);
  for (let i = 0; i < iterations; i++) {
    const args = b.rand() < 0.5
      ? `{"query": "unpaid invoices", "folder": "INBOX", "request_id": "${b.uuid()}", "sent_at": "${timestamp(t.day, at + i).replace(' ', 'T')}Z"}`
      : `{"request_id":"${b.uuid()}","folder":"INBOX","query":"unpaid  invoices","sent_at":"${timestamp(t.day, at + i).replace(' ', 'T')}Z"}`;
    b.tool(root, t.day, at + i * 2, 'search_inbox', args);
    b.chat(root, t.day, at + i * 2 + 1, { model: t.model, prompt: Math.round(t.route.prompt * b.between(0.9, 1.1)), tool: 1500, memory: 1200, hitRate: t.hitRate(), output: 1100 });
  }
  return root.trace_id;
}

/** A conversation of many turns, one trace per turn; memory either bounded (summarised) or running away. */
function conversation(b: Builder, t: TrafficDay, at: number, turns: number, memoryAt: (turn: number) => number): string[] {
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

export function generateScenario(seed = 42): Scenario {
  const b = new Builder(prng(seed));
  const healthy = () => b.between(0.75, 0.88);
  const storm = () => b.between(0.05, 0.2);
  const loopTraces: string[] = [];
  const runawayTraces: string[] = [];
  for (let day = 0; day < DAYS; day++) {
    const weekend = day % 7 >= 5;
    for (const tenant of [...NORMAL_TENANTS, INJECTED.escalationTenant]) {
      let count = TRACES_PER_DAY * b.between(0.96, 1.04);
      if (tenant === INJECTED.escalationTenant) count = 40;
      if (tenant === INJECTED.weekendTenant && weekend) count *= 0.25;
      if (tenant === INJECTED.spikeTenant && day === INJECTED.spikeDay) count *= 5;
      for (let i = 0; i < Math.round(count); i++) {
        const route: Route = tenant === INJECTED.escalationTenant ? ROUTES[0] : pickRoute(b);
        const escalated = tenant === INJECTED.escalationTenant && day >= INJECTED.escalationFromDay;
        const traffic: TrafficDay = {
          day, tenant, route,
          model: escalated ? MODELS.opus : route.model,
          promptScale: route.route === INJECTED.bloatRoute && day >= INJECTED.bloatFromDay ? 1.35 : 1,
          hitRate: route.route === INJECTED.stormRoute && day === INJECTED.stormDay ? storm : healthy,
        };
        const at = b.between(8 * 3600, 20 * 3600);
        if (tenant === INJECTED.loopTenant && day >= INJECTED.loopFromDay && route.route === '/triage' && b.rand() < 0.8) loopTraces.push(loopTrace(b, traffic, at));
        else if (b.rand() < 0.05) batchLookupTrace(b, traffic, at);
        else cleanTrace(b, traffic, at);
      }
    }
    // a low-volume route with a planned model change (sonnet → opus), two runs a day
    const legal: Route = { route: INJECTED.lowVolumeRoute, weight: 0, prompt: 7000, model: MODELS.sonnet };
    for (let i = 0; i < 2; i++) {
      cleanTrace(b, { day, tenant: INJECTED.lowVolumeTenant, route: legal, model: day >= INJECTED.plannedChangeDay ? MODELS.opus : MODELS.sonnet, promptScale: 1, hitRate: healthy }, b.between(9 * 3600, 17 * 3600));
    }
  }
  const summary = ROUTES[1];
  // legitimately long sessions, one a day: 40 turns, memory summarised every 5 turns (bounded)
  for (let day = 0; day < DAYS; day++) {
    conversation(b, { day, tenant: INJECTED.longSessionTenant, route: summary, model: summary.model, promptScale: 1, hitRate: healthy }, 9 * 3600, 40, (turn) => 1100 + 350 * (turn % 5));
  }
  // memory runaway: three sessions whose history is never trimmed
  for (let s = 0; s < 3; s++) {
    runawayTraces.push(...conversation(b, { day: INJECTED.runawayDay, tenant: INJECTED.runawayTenant, route: summary, model: summary.model, promptScale: 1, hitRate: healthy }, (10 + s * 2) * 3600, 25, (turn) => 1000 + 1500 * turn));
  }
  return { spans: b.spans, injections: injections(loopTraces, runawayTraces), controls: controls() };
}

function pickRoute(b: Builder): Route {
  let r = b.rand();
  for (const route of ROUTES) {
    if (r < route.weight) return route;
    r -= route.weight;
  }
  return ROUTES[ROUTES.length - 1] as Route;
}

function injections(loopTraces: string[], runawayTraces: string[]): Injection[] {
  const end = dayString(DAYS);
  return [
    { kind: 'tool_loop', tenant: INJECTED.loopTenant, route: '/triage', startDay: dayString(INJECTED.loopFromDay), endDay: end, traceIds: loopTraces },
    { kind: 'prompt_bloat', tenant: null, route: INJECTED.bloatRoute, startDay: dayString(INJECTED.bloatFromDay), endDay: end, traceIds: [] },
    { kind: 'memory_runaway', tenant: INJECTED.runawayTenant, route: INJECTED.runawayRoute, startDay: dayString(INJECTED.runawayDay), endDay: dayString(INJECTED.runawayDay + 1), traceIds: runawayTraces },
    { kind: 'cache_miss_storm', tenant: null, route: INJECTED.stormRoute, startDay: dayString(INJECTED.stormDay), endDay: dayString(INJECTED.stormDay + 1), traceIds: [] },
    { kind: 'model_escalation', tenant: INJECTED.escalationTenant, route: '/triage', startDay: dayString(INJECTED.escalationFromDay), endDay: end, traceIds: [] },
    { kind: 'spend_spike', tenant: INJECTED.spikeTenant, route: null, startDay: dayString(INJECTED.spikeDay), endDay: dayString(INJECTED.spikeDay + 1), traceIds: [] },
  ];
}

function controls(): Control[] {
  const start = dayString(0);
  const end = dayString(DAYS);
  return [
    { name: 'long session with bounded memory', tenant: INJECTED.longSessionTenant, route: null, startDay: start, endDay: end },
    { name: 'planned model change on a low-volume route', tenant: null, route: INJECTED.lowVolumeRoute, startDay: start, endDay: end },
    { name: 'weekend dip', tenant: INJECTED.weekendTenant, route: null, startDay: start, endDay: end },
  ];
}
