// The demo generator: deterministic output, the guide's segment figures, and a ground truth that
// agrees with the spans it wrote (re-priced here from the raw counters with the test's own prices).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SEED, generateDemo, type GeneratedDemo } from '../../src/demo/generate.js';
import { tempDir } from '../helpers/cli.js';

/** List prices, femto-USD per token (= USD per MTok × 1e9), written out by hand from litellm-model-prices.json. */
const FEMTO_PER_TOKEN: Record<string, { input: bigint; read: bigint; write: bigint; output: bigint }> = {
  'claude-sonnet-4-5': { input: 3_000_000_000n, read: 300_000_000n, write: 3_750_000_000n, output: 15_000_000_000n },
  'claude-haiku-4-5': { input: 1_000_000_000n, read: 100_000_000n, write: 1_250_000_000n, output: 5_000_000_000n },
  'claude-opus-4-6': { input: 5_000_000_000n, read: 500_000_000n, write: 6_250_000_000n, output: 25_000_000_000n },
  'gpt-4.1-mini': { input: 400_000_000n, read: 100_000_000n, write: 0n, output: 1_600_000_000n },
};

interface Attr { key: string; value: { stringValue?: string; intValue?: string } }
interface Span { traceId: string; spanId: string; parentSpanId?: string; name: string; startTimeUnixNano: string; attributes: Attr[] }

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function usd6(femto: bigint): string {
  const micro = (femto + 500_000_000n) / 1_000_000_000n;
  return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, '0')}`;
}

let demo: GeneratedDemo;
let lines: string[];
const dirs: string[] = [];

beforeAll(() => {
  const dir = tempDir('costattr-demo-gen-');
  dirs.push(dir);
  demo = generateDemo({ seed: DEFAULT_SEED, outDir: dir });
  lines = readFileSync(demo.spansFile, 'utf8').trimEnd().split('\n');
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('demo generator', () => {
  it('writes byte-identical files for the same seed, different spans for another', () => {
    const again = tempDir('costattr-demo-gen-');
    const other = tempDir('costattr-demo-gen-');
    dirs.push(again, other);
    generateDemo({ seed: DEFAULT_SEED, outDir: again });
    generateDemo({ seed: 7, outDir: other });
    const files = readdirSync(demo.dir).sort();
    expect(files).toEqual(readdirSync(again).sort());
    expect(files.length).toBe(6);
    for (const file of files) expect(sha(join(again, file)), file).toBe(sha(join(demo.dir, file)));
    expect(sha(join(other, 'spans.jsonl'))).not.toBe(sha(demo.spansFile));
  });

  it('hits the guide\'s segment figures within 1%', () => {
    const expected = { healthy: [34, 145_000, 14_600], power_user: [4, 22_000, 11_400], runaway: [2, 13_000, 8_000] } as const;
    for (const s of demo.truth.segments) {
      const [tenants, revenue, spend] = expected[s.segment];
      expect(s.tenants).toBe(tenants);
      expect(s.revenue_usd).toBe(revenue);
      expect(Math.abs(Number(s.cost_usd) - spend) / spend, s.segment).toBeLessThan(0.01);
    }
    const spend = Number(demo.truth.totals.span_cost_usd);
    expect(Math.abs(spend - 34_000) / 34_000).toBeLessThan(0.01);
    expect(demo.truth.totals.revenue_usd).toBe(180_000);
    expect(1 - spend / 180_000).toBeCloseTo(0.81, 2);
    const unattributedShare = Number(demo.truth.unattributed.cost_usd) / spend;
    expect(unattributedShare).toBeGreaterThan(0.002);
    expect(unattributedShare).toBeLessThan(0.004);
    // each tenant is on the right side of the 75% line, so segments can be read back from the data
    for (const t of demo.truth.tenants) {
      const margin = 1 - Number(t.cost_usd) / t.revenue_usd;
      if (t.segment === 'healthy') expect(margin, t.tenant).toBeGreaterThanOrEqual(0.75);
      else expect(margin, t.tenant).toBeLessThan(0.75);
      expect(t.loop_traces > 0, t.tenant).toBe(t.segment === 'runaway');
    }
  });

  it('writes Collector-style OTLP/JSON lines with tags only on the root and layers summing to the input', () => {
    expect(demo.truth.totals.spans).toBeLessThanOrEqual(150_000);
    const tenantOfTrace = new Map<string, string | undefined>();
    const chats: Array<{ traceId: string; model: string; a: Map<string, number> }> = [];
    let spans = 0;
    for (const line of lines) {
      const doc = JSON.parse(line) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Span[] }> }> };
      const batch = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      expect(batch.length).toBeLessThanOrEqual(500);
      spans += batch.length;
      for (const span of batch) {
        expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(span.startTimeUnixNano).toMatch(/^\d+$/);
        const str = new Map(span.attributes.filter((a) => a.value.stringValue !== undefined).map((a) => [a.key, a.value.stringValue]));
        const int = new Map(span.attributes.filter((a) => a.value.intValue !== undefined).map((a) => [a.key, Number(a.value.intValue)]));
        const tagged = span.attributes.some((a) => a.key.startsWith('acme.') && !a.key.endsWith('_tokens'));
        expect(tagged, span.name).toBe(span.parentSpanId === undefined);
        if (span.parentSpanId === undefined) tenantOfTrace.set(span.traceId, str.get('acme.tenant_id'));
        if (str.get('gen_ai.operation.name') === 'chat') {
          const input = int.get('gen_ai.usage.input_tokens') ?? -1;
          expect((int.get('acme.prompt_tokens') ?? 0) + (int.get('acme.tool_tokens') ?? 0) + (int.get('acme.memory_tokens') ?? 0)).toBe(input);
          expect(input).toBeLessThan(200_000); // below Sonnet's long-context threshold
          expect((int.get('gen_ai.usage.cache_read.input_tokens') ?? 0) + (int.get('gen_ai.usage.cache_creation.input_tokens') ?? 0)).toBeLessThanOrEqual(input);
          chats.push({ traceId: span.traceId, model: str.get('gen_ai.request.model') ?? '', a: int });
        }
      }
    }
    expect(spans).toBe(demo.truth.totals.spans);

    // re-price every chat span from its counters (inclusive input convention) and attribute by root tag
    const byTenant = new Map<string, bigint>();
    let read = 0;
    let input = 0;
    for (const c of chats) {
      const p = FEMTO_PER_TOKEN[c.model];
      if (!p) throw new Error(`unexpected model ${c.model}`);
      const total = c.a.get('gen_ai.usage.input_tokens') ?? 0;
      const cacheRead = c.a.get('gen_ai.usage.cache_read.input_tokens') ?? 0;
      const cacheWrite = c.a.get('gen_ai.usage.cache_creation.input_tokens') ?? 0;
      const cost = p.input * BigInt(total - cacheRead - cacheWrite) + p.read * BigInt(cacheRead) + p.write * BigInt(cacheWrite) + p.output * BigInt(c.a.get('gen_ai.usage.output_tokens') ?? 0);
      const tenant = tenantOfTrace.get(c.traceId) ?? '__unattributed__';
      byTenant.set(tenant, (byTenant.get(tenant) ?? 0n) + cost);
      read += cacheRead;
      input += total;
    }
    for (const t of demo.truth.tenants) expect(usd6(byTenant.get(t.tenant) ?? 0n), t.tenant).toBe(t.cost_usd);
    expect(usd6(byTenant.get('__unattributed__') ?? 0n)).toBe(demo.truth.unattributed.cost_usd);
    expect(read / input).toBeGreaterThan(0.6); // cache-heavy workload (healthy calls ~75%, loops lower)
  });

  it('bills the providers for the traced tokens plus about 1.5% untraced traffic', () => {
    const spend = Number(demo.truth.totals.span_cost_usd);
    const untraced = Number(demo.truth.totals.untraced_usd);
    expect(untraced / spend).toBeGreaterThan(0.008);
    expect(untraced / spend).toBeLessThan(0.022);
    const costCsv = readFileSync(join(demo.dir, 'claude_api_cost_2026_10.csv'), 'utf8').trimEnd().split('\n');
    expect(costCsv[0]).toBe('usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed');
    const openaiCsv = readFileSync(join(demo.dir, 'openai_cost_2026-10-01_2026-11-01.csv'), 'utf8').trimEnd().split('\n');
    const anthropicUsd = costCsv.slice(1).reduce((s, l) => s + Number(l.split(',')[7]), 0);
    const openaiUsd = openaiCsv.slice(1).reduce((s, l) => s + Number(l.split(',')[4]), 0);
    expect(anthropicUsd + openaiUsd).toBeCloseTo(Number(demo.truth.totals.invoice_usd), 2);
    expect(new Set(costCsv.slice(1).map((l) => l.split(',')[1]))).toEqual(new Set(['Claude Sonnet 4.5', 'Claude Haiku 4.5', 'Claude Opus 4.6']));
    expect(openaiCsv.length).toBeGreaterThan(1);
  });
});
