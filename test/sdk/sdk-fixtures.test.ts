// costattr against spans made by the real openai / @anthropic-ai/sdk clients under the real OTel
// instrumentations (fixtures/sdk, made by `node fixtures/sdk/generate.mjs`; never regenerated here).
// Expected figures come from fixtures/sdk/expected.json, whose costs this file re-derives from the chosen
// usage and the quoted LiteLLM list prices with BigInt arithmetic before comparing with the CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

type TokenClass = 'input' | 'cache_read' | 'cache_write_5m' | 'cache_write_1h' | 'output';
const TOKEN_CLASSES: readonly TokenClass[] = ['input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output'];

interface ExpectedCall {
  id: string;
  run: string;
  trace_id: string;
  span_id: string;
  scope: string;
  request_model: string;
  served_model: string;
  model: string;
  tenant: string | null;
  recorded_attributes: Record<string, string | number>;
  classes: Record<TokenClass, number>;
  priced: boolean;
  long_context: boolean;
  litellm_key: string | null;
  rates_used: Partial<Record<TokenClass, { litellm_key: string; usd_per_token: string }>> | null;
  cost_usd: number | null;
  cost_usd_exact: string | null;
}

interface ExpectedRow {
  tenant?: string;
  model?: string;
  cost_usd: number;
  cost_usd_exact: string;
  runs: number;
  spans: number;
  unpriced_spans: number;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  cache_hit_rate: number | null;
}

interface Manifest {
  namespace: string;
  spans: {
    files: Array<{ path: string; lines: number; span_records: number }>;
    span_records: number;
    unique_spans: number;
    traces: number;
    inference_spans: number;
    by_operation: Record<string, number>;
    request_models: string[];
    response_models: string[];
  };
  prices: { quoted: Record<string, Record<string, string>> };
  calls: ExpectedCall[];
  tenants: ExpectedRow[];
  models: ExpectedRow[];
  totals: { cost_usd: number; cost_usd_exact: string; unattributed_usd: number; unpriced_spans: number; priced_share: number };
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: unknown;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
}
interface OtlpRequest {
  resourceSpans: Array<{ scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}

const SPANS_DIR = 'fixtures/sdk/spans';
const manifest = JSON.parse(readFileSync(join(ROOT, 'fixtures/sdk/expected.json'), 'utf8')) as Manifest;
const NS = manifest.namespace;

function readLines(path: string): string[] {
  return readFileSync(join(ROOT, path), 'utf8').split('\n').filter((l) => l.length > 0);
}

function spansOf(line: string): Array<OtlpSpan & { scope: string }> {
  const request = JSON.parse(line) as OtlpRequest;
  return request.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, scope: ss.scope.name }))));
}

function attr(span: OtlpSpan, key: string): OtlpValue | undefined {
  return span.attributes.find((a) => a.key === key)?.value;
}

function plain(value: OtlpValue | undefined): string | number | undefined {
  if (value?.stringValue !== undefined) return value.stringValue;
  if (value?.intValue !== undefined) return Number(value.intValue);
  return value?.doubleValue;
}

/** "0.000003" / "1.375e-7" → BigInt units of 1e-15 USD; throws when not exact at that scale. */
function femto(decimal: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(decimal);
  if (!m) throw new Error(`not a decimal: ${decimal}`);
  const fraction = m[2] ?? '';
  const exponent = Number(m[3] ?? 0) - fraction.length + 15;
  const digits = BigInt((m[1] ?? '') + fraction);
  if (exponent >= 0) return digits * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  if (digits % divisor !== 0n) throw new Error(`${decimal} is finer than 1e-15`);
  return digits / divisor;
}

/** Femto-dollars → USD rounded to 6 decimals half up (amounts here are never negative). */
function usd6(amount: bigint): number {
  return Number((amount + 500_000_000n) / 1_000_000_000n) / 1e6;
}

const allLines = manifest.spans.files.flatMap((f) => readLines(f.path));
const allSpans = allLines.flatMap(spansOf);

describe('committed SDK fixtures', () => {
  it('match the manifest inventory: files, lines, span records, unique spans, operations, models', () => {
    for (const file of manifest.spans.files) {
      const lines = readLines(file.path);
      expect(lines, file.path).toHaveLength(file.lines);
      expect(lines.flatMap(spansOf), file.path).toHaveLength(file.span_records);
    }
    const unique = new Map(allSpans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
    expect(allSpans).toHaveLength(manifest.spans.span_records);
    expect(unique.size).toBe(manifest.spans.unique_spans);
    expect(new Set(allSpans.map((s) => s.traceId)).size).toBe(manifest.spans.traces);

    const operations: Record<string, number> = {};
    for (const s of unique.values()) {
      const op = attr(s, 'gen_ai.operation.name')?.stringValue ?? '(none)';
      operations[op] = (operations[op] ?? 0) + 1;
    }
    expect(operations).toEqual(manifest.spans.by_operation);
    const inference = [...unique.values()].filter((s) => ['chat', 'embeddings'].includes(attr(s, 'gen_ai.operation.name')?.stringValue ?? ''));
    expect(inference).toHaveLength(manifest.spans.inference_spans);
    expect(inference).toHaveLength(manifest.calls.length);
    expect([...new Set(inference.map((s) => attr(s, 'gen_ai.request.model')?.stringValue))].sort()).toEqual(manifest.spans.request_models);
    expect([...new Set(inference.map((s) => attr(s, 'gen_ai.response.model')?.stringValue))].sort()).toEqual(manifest.spans.response_models);
  });

  it('use lowercase hex ids; the SDK serializer writes int64 as numbers, the Collector re-export as strings', () => {
    for (const s of allSpans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      if (s.parentSpanId !== undefined) expect(s.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    }
    const [sdkFile, collectorFile] = manifest.spans.files;
    const intKinds = (path: string): Set<string> =>
      new Set(readLines(path).flatMap(spansOf).flatMap((s) => s.attributes.filter((a) => a.value.intValue !== undefined).map((a) => typeof a.value.intValue)));
    expect(intKinds(sdkFile?.path ?? '')).toEqual(new Set(['number']));
    expect(intKinds(collectorFile?.path ?? '')).toEqual(new Set(['string']));
  });

  it('carry tenant tags only on root invoke_agent spans, and a tenant-less run', () => {
    const tagged = allSpans.filter((s) => s.attributes.some((a) => a.key.startsWith(`${NS}.`) && !a.key.endsWith('_tokens')));
    expect(tagged.length).toBeGreaterThan(0);
    for (const s of tagged) {
      expect(s.parentSpanId, s.name).toBeUndefined();
      expect(s.name).toMatch(/^invoke_agent /);
    }
    const roots = allSpans.filter((s) => s.parentSpanId === undefined);
    expect(roots.some((s) => attr(s, `${NS}.tenant_id`) === undefined)).toBe(true);
    expect(manifest.calls.some((c) => c.tenant === null)).toBe(true);
  });

  it('hold the usage attributes the manifest says each instrumentation recorded', () => {
    for (const call of manifest.calls) {
      const span = allSpans.find((s) => s.traceId === call.trace_id && s.spanId === call.span_id);
      expect(span, call.id).toBeDefined();
      if (!span) continue;
      expect(span.scope).toBe(call.scope);
      for (const [key, value] of Object.entries(call.recorded_attributes)) expect(plain(attr(span, key)), `${call.id} ${key}`).toBe(value);
    }
  });

  it('price every call as token classes × quoted list rates, and conserve totals', () => {
    let total = 0n;
    const byTenant = new Map<string, bigint>();
    for (const call of manifest.calls) {
      if (!call.priced) {
        expect(call.cost_usd).toBeNull();
        continue;
      }
      const quoted = manifest.prices.quoted[call.litellm_key ?? ''];
      expect(quoted, call.id).toBeDefined();
      let cost = 0n;
      for (const cls of TOKEN_CLASSES) {
        const tokens = call.classes[cls];
        if (tokens === 0) continue;
        const rate = call.rates_used?.[cls];
        expect(rate, `${call.id} ${cls}`).toBeDefined();
        if (!rate) continue;
        expect(quoted?.[rate.litellm_key], `${call.id} ${rate.litellm_key}`).toBe(rate.usd_per_token);
        expect(rate.litellm_key.endsWith('_above_200k_tokens')).toBe(call.long_context);
        cost += femto(rate.usd_per_token) * BigInt(tokens);
      }
      expect(cost, call.id).toBe(femto(call.cost_usd_exact ?? ''));
      total += cost;
      const tenant = call.tenant ?? '__unattributed__';
      byTenant.set(tenant, (byTenant.get(tenant) ?? 0n) + cost);
    }
    expect(total).toBe(femto(manifest.totals.cost_usd_exact));
    for (const row of manifest.tenants) expect(byTenant.get(row.tenant ?? '') ?? 0n, row.tenant).toBe(femto(row.cost_usd_exact));
    expect(usd6(total)).toBe(manifest.totals.cost_usd);
  });
});

interface CostsJson {
  by: string[];
  rows: Array<Record<string, string | number | null>>;
  totals: { cost_usd: number; unattributed_usd: number; unpriced_spans: number; priced_share: number };
}

async function costs(by: string, spans: readonly string[] = [SPANS_DIR]): Promise<CostsJson> {
  const result = await runCli(['costs', ...spans.flatMap((file) => ['--spans', file]), '--namespace', NS, '--by', by, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as CostsJson;
}

async function sql<T>(query: string): Promise<T[]> {
  const result = await runCli(['sql', query, '--spans', SPANS_DIR, '--namespace', NS, '--format', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T[];
}

function expectRows(actual: CostsJson, dim: 'tenant' | 'model', expected: readonly ExpectedRow[]): void {
  expect(actual.rows.map((r) => r[dim]).sort()).toEqual(expected.map((r) => r[dim]).sort());
  for (const want of expected) {
    const key = want[dim];
    const row = actual.rows.find((r) => r[dim] === key);
    expect(row, key).toBeDefined();
    expect({
      cost_usd: row?.cost_usd,
      runs: row?.runs,
      spans: row?.spans,
      input_tokens: row?.input_tokens,
      cache_read_tokens: row?.cache_read_tokens,
      cache_write_tokens: row?.cache_write_tokens,
      output_tokens: row?.output_tokens,
      cache_hit_rate: row?.cache_hit_rate,
    }, `${dim} ${key}`).toEqual({
      cost_usd: want.cost_usd,
      runs: want.runs,
      spans: want.spans,
      input_tokens: want.input_tokens,
      cache_read_tokens: want.cache_read_tokens,
      cache_write_tokens: want.cache_write_tokens,
      output_tokens: want.output_tokens,
      cache_hit_rate: want.cache_hit_rate,
    });
  }
}

interface LayerTotals {
  cost: bigint;
  input: number;
  cache_read: number;
  cache_write: number;
  output: number;
}

/**
 * The README's layer rule, applied by hand: the input is one sequence laid out by layer (prompt, tool,
 * memory, rest unknown) and by class (cache read, cache write 5m, 1h, then uncached); each overlap is
 * priced at its class's rate; output is the `response` layer.
 */
function expectedLayers(): Map<string, LayerTotals> {
  const layers = new Map<string, LayerTotals>();
  const add = (layer: string, cls: TokenClass, tokens: number, rate: bigint): void => {
    if (tokens === 0) return;
    const t = layers.get(layer) ?? { cost: 0n, input: 0, cache_read: 0, cache_write: 0, output: 0 };
    t.cost += rate * BigInt(tokens);
    if (cls === 'input') t.input += tokens;
    else if (cls === 'cache_read') t.cache_read += tokens;
    else if (cls === 'output') t.output += tokens;
    else t.cache_write += tokens;
    layers.set(layer, t);
  };
  for (const call of manifest.calls) {
    const rate = (cls: TokenClass): bigint => (call.priced ? femto(call.rates_used?.[cls]?.usd_per_token ?? '0') : 0n);
    const counters = call.recorded_attributes;
    const sizes = ['prompt', 'tool', 'memory'].map((l) => Number(counters[`${NS}.${l}_tokens`] ?? 0));
    const totalInput = call.classes.input + call.classes.cache_read + call.classes.cache_write_5m + call.classes.cache_write_1h;
    const layerSpans: Array<[string, number, number]> = [];
    let at = 0;
    for (const [i, layer] of ['prompt', 'tool', 'memory'].entries()) {
      const size = Math.min(sizes[i] ?? 0, totalInput - at);
      layerSpans.push([layer, at, at + size]);
      at += size;
    }
    layerSpans.push(['unknown', at, totalInput]);
    let from = 0;
    for (const cls of ['cache_read', 'cache_write_5m', 'cache_write_1h', 'input'] as const) {
      const to = from + call.classes[cls];
      for (const [layer, lo, hi] of layerSpans) add(layer, cls, Math.max(0, Math.min(hi, to) - Math.max(lo, from)), rate(cls));
      from = to;
    }
    add('response', 'output', call.classes.output, rate('output'));
  }
  return layers;
}

function expectTotals(actual: CostsJson): void {
  expect(actual.totals).toEqual({
    cost_usd: manifest.totals.cost_usd,
    unattributed_usd: manifest.totals.unattributed_usd,
    unpriced_spans: manifest.totals.unpriced_spans,
    priced_share: manifest.totals.priced_share,
  });
}

describe('costattr costs over the SDK fixtures', () => {
  it('normalises every inference span into the expected disjoint classes and resolved tenant', async () => {
    const rows = await sql<Record<string, string | number | null>>(
      `SELECT trace_id, span_id, input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
              output_tokens, tenant, input_convention FROM spans WHERE is_inference ORDER BY trace_id, span_id`,
    );
    expect(rows).toHaveLength(manifest.calls.length);
    for (const call of manifest.calls) {
      const row = rows.find((r) => r.trace_id === call.trace_id && r.span_id === call.span_id);
      expect(row, `call ${call.id} (${call.scope})`).toBeDefined();
      expect({
        input: Number(row?.input_tokens),
        cache_read: Number(row?.cache_read_tokens),
        cache_write_5m: Number(row?.cache_write_5m_tokens),
        cache_write_1h: Number(row?.cache_write_1h_tokens),
        output: Number(row?.output_tokens),
        tenant: row?.tenant ?? null,
      }, `call ${call.id} (${call.scope}, convention ${String(row?.input_convention)})`).toEqual({
        input: call.classes.input,
        cache_read: call.classes.cache_read,
        cache_write_5m: call.classes.cache_write_5m,
        cache_write_1h: call.classes.cache_write_1h,
        output: call.classes.output,
        tenant: call.tenant,
      });
    }
  });

  it('prices every span exactly: canonical model, long-context tier, unpriced model flagged', async () => {
    const rows = await sql<Record<string, string | boolean | null>>(
      `SELECT span_id, model, priced, long_context, cost_usd::VARCHAR AS cost FROM priced_spans ORDER BY span_id`,
    );
    expect(rows).toHaveLength(manifest.calls.length);
    for (const call of manifest.calls) {
      const row = rows.find((r) => r.span_id === call.span_id);
      expect({ model: row?.model, priced: row?.priced, long_context: row?.long_context, cost: row?.cost ? femto(String(row.cost)) : null }, `call ${call.id}`).toEqual({
        model: call.model,
        priced: call.priced,
        long_context: call.long_context,
        cost: call.priced ? femto(call.cost_usd_exact ?? '') : 0n,
      });
    }
  });

  it('--by tenant: every tenant and __unattributed__ to the micro-dollar, tokens per class, totals', async () => {
    const result = await costs('tenant');
    expect(result.by).toEqual(['tenant']);
    expectRows(result, 'tenant', manifest.tenants);
    expectTotals(result);
  });

  it('--by model: canonical models (dated snapshots folded), the unpriced model with its tokens', async () => {
    const result = await costs('model');
    expectRows(result, 'model', manifest.models);
    expectTotals(result);
  });

  it('--by layer: harness counters split Anthropic input (cached prefix first), OpenAI input stays unknown', async () => {
    const want = expectedLayers();
    const result = await costs('layer');
    expect(result.rows.map((r) => r.layer).sort()).toEqual([...want.keys()].sort());
    for (const [layer, w] of want) {
      const row = result.rows.find((r) => r.layer === layer);
      expect({ cost_usd: row?.cost_usd, input: row?.input_tokens, cache_read: row?.cache_read_tokens, cache_write: row?.cache_write_tokens, output: row?.output_tokens }, layer)
        .toEqual({ cost_usd: usd6(w.cost), input: w.input, cache_read: w.cache_read, cache_write: w.cache_write, output: w.output });
    }
    expectTotals(result);
  });

  it('counts a batch exported twice (same file, and again through a Collector) once', async () => {
    const stored = await sql<{ n: number | string }>('SELECT count(*) AS n FROM spans');
    expect(Number(stored[0]?.n)).toBe(manifest.spans.unique_spans);
    expect(manifest.spans.span_records).toBeGreaterThan(manifest.spans.unique_spans);

    // the Collector re-export alone carries exactly the duplicated run
    const retried = await costs('tenant', [manifest.spans.files[1]?.path ?? '']);
    const retriedCalls = manifest.calls.filter((c) => c.trace_id === manifest.calls[0]?.trace_id);
    const retriedCost = retriedCalls.reduce((n, c) => n + femto(c.cost_usd_exact ?? '0'), 0n);
    expect(retried.rows.map((r) => [r.tenant, r.cost_usd])).toEqual([[retriedCalls[0]?.tenant, usd6(retriedCost)]]);
  });
});
