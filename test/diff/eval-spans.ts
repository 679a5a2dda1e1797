// Writes a small eval run as OTLP/JSON lines (Collector file-exporter framing, span-formats.md §2a):
// one trace per run, an `invoke_agent` root tagged with the route, and `chat` children carrying
// usage (inclusive input, as the semantic conventions say) and the harness's layer counters.
import { writeFileSync } from 'node:fs';

export const MODEL = 'evalbot-1';
export const NAMESPACE = 'acme';

/** One model call: the input's layers, the cached part of the input, and the output. */
export interface EvalCall {
  prompt: number;
  tool: number;
  memory: number;
  cacheRead: number;
  output: number;
}

export interface EvalRun {
  route: string;
  calls: EvalCall[];
}

/** USD per million tokens, as a price-book file writes them. */
export interface Rates {
  input: number;
  cache_read: number;
  output: number;
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** `seed` makes trace ids and timestamps differ between two runs of the same eval. */
export function writeEval(path: string, runs: readonly EvalRun[], seed: number): void {
  const startNs = BigInt(Date.UTC(2026, 9, 1 + seed)) * 1_000_000n;
  const lines = runs.map((run, r) => {
    const traceId = hex(seed, 8) + hex(r + 1, 24);
    const rootId = hex(r + 1, 12) + '0000';
    const at = (offset: number) => String(startNs + BigInt(r * 60 + offset) * 1_000_000_000n);
    const root = {
      traceId, spanId: rootId, name: 'invoke_agent triage', kind: 1, startTimeUnixNano: at(0), endTimeUnixNano: at(30),
      attributes: [str('gen_ai.operation.name', 'invoke_agent'), str(`${NAMESPACE}.route`, run.route), str(`${NAMESPACE}.tenant_id`, 'tenant-a')],
      status: {},
    };
    const calls = run.calls.map((call, c) => ({
      traceId, spanId: hex(r + 1, 12) + hex(c + 1, 4), parentSpanId: rootId, name: `chat ${MODEL}`, kind: 3,
      startTimeUnixNano: at(c + 1), endTimeUnixNano: at(c + 2),
      attributes: [
        str('gen_ai.operation.name', 'chat'), str('gen_ai.provider.name', 'acme-ai'), str('gen_ai.request.model', MODEL),
        int('gen_ai.usage.input_tokens', call.prompt + call.tool + call.memory),
        int('gen_ai.usage.cache_read.input_tokens', call.cacheRead),
        int('gen_ai.usage.output_tokens', call.output),
        int(`${NAMESPACE}.prompt_tokens`, call.prompt), int(`${NAMESPACE}.tool_tokens`, call.tool), int(`${NAMESPACE}.memory_tokens`, call.memory),
      ],
      status: {},
    }));
    const request = { resourceSpans: [{ resource: { attributes: [str('service.name', 'eval')] }, scopeSpans: [{ scope: { name: 'eval-harness' }, spans: [root, ...calls] }] }] };
    return JSON.stringify(request);
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** A price-book override defining the eval's model at the given rates (per MTok). */
export function writePricing(path: string, rates: Rates): void {
  const perMtok = { input: String(rates.input), cache_read: String(rates.cache_read), cache_write_5m: String(rates.input), cache_write_1h: String(rates.input), output: String(rates.output) };
  writeFileSync(path, JSON.stringify({ provider: 'acme-ai', models: [{ model: MODEL, prices: [{ effective_from: '2025-01-01', per_mtok: perMtok }] }] }));
}

/** The cost of one call, by hand: uncached input, cached input and output at their rates. */
export function callCost(call: EvalCall, rates: Rates): number {
  const input = call.prompt + call.tool + call.memory;
  return ((input - call.cacheRead) * rates.input + call.cacheRead * rates.cache_read + call.output * rates.output) / 1e6;
}

export function runCost(run: EvalRun, rates: Rates): number {
  return run.calls.reduce((sum, call) => sum + callCost(call, rates), 0);
}

/** quantile_cont (linear interpolation between closest ranks), computed independently for the tests. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const low = sorted[lo] ?? 0;
  const high = sorted[Math.min(lo + 1, sorted.length - 1)] ?? low;
  return low + (high - low) * (h - lo);
}

export const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;
