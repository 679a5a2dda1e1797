// Property tests for the invariants every report rests on: conservation (tenants + __unattributed__ =
// total; spans + __untraced__ = invoice), dedupe idempotence, order independence and byte-identical
// output, and non-negative token classes whatever the convention. One in-memory DuckDB for the file,
// emptied between runs; expected dollars are computed here from token counts × list prices.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeCosts, type CostsResult } from '../../src/analysis/costs.js';
import { reconcile } from '../../src/analysis/reconcile.js';
import { Database } from '../../src/db/database.js';
import { UNATTRIBUTED } from '../../src/db/schema.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { costsJson, costsTable } from '../../src/render/costs.js';
import { renderCsv } from '../../src/render/csv.js';
import { renderJson } from '../../src/render/json.js';
import { renderMarkdown } from '../../src/render/md.js';
import { tempDir } from '../helpers/cli.js';

// claude-haiku-4-5 list prices: $1 / Mtok input, $5 / Mtok output → whole micro-dollars per token
const INPUT_MICRO = 1n;
const OUTPUT_MICRO = 5n;
const MODEL = 'claude-haiku-4-5';
const PERIOD = { since: '2026-10-01', until: '2026-11-01', timezone: 'UTC' };
const RUNS = 8;

/** Tenants include text that must stay data: quotes, SQL comment and statement marks, `$`, newlines, Unicode. */
const TENANTS = ['acme', "o'brien", 'x"; DROP TABLE spans; --', '$1 $tenant', 'ünï\u00e7ødé 🚀', 'line\nbreak', '=cmd|"/c calc"!A1'];

interface GenCall {
  input: number;
  output: number;
  day: number;
}
interface GenTrace {
  tenant: string | null;
  calls: GenCall[];
}

const callArb = fc.record({ input: fc.integer({ min: 0, max: 200_000 }), output: fc.integer({ min: 0, max: 50_000 }), day: fc.integer({ min: 1, max: 3 }) });
const traceArb = fc.record({ tenant: fc.option(fc.constantFrom(...TENANTS), { nil: null }), calls: fc.array(callArb, { minLength: 1, maxLength: 4 }) });
const tracesArb = fc.array(traceArb, { minLength: 1, maxLength: 8 });

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Flat JSON lines: per trace an agent root carrying the tenant tag, and untagged model calls under it (they inherit it). */
function spanLines(traces: readonly GenTrace[]): string[] {
  const lines: string[] = [];
  traces.forEach((trace, t) => {
    const traceId = hex(t + 1, 32);
    lines.push(JSON.stringify({
      trace_id: traceId, span_id: hex(t * 100 + 1, 16), name: 'invoke_agent', operation: 'invoke_agent',
      start_time: '2026-10-01T00:00:00Z', tenant: trace.tenant,
    }));
    trace.calls.forEach((call, c) => {
      lines.push(JSON.stringify({
        trace_id: traceId, span_id: hex(t * 100 + c + 2, 16), parent_span_id: hex(t * 100 + 1, 16), name: `chat ${MODEL}`, operation: 'chat',
        start_time: `2026-10-0${call.day}T12:00:00Z`, provider: 'anthropic', request_model: MODEL, input_tokens: call.input, output_tokens: call.output,
      }));
    });
  });
  return lines;
}

const microOf = (call: GenCall) => BigInt(call.input) * INPUT_MICRO + BigInt(call.output) * OUTPUT_MICRO;
const usd = (micro: bigint) => Number(micro) / 1e6;

let db: Database;
const dir = tempDir('costattr-props-');
let fileNo = 0;

function writeLines(lines: readonly string[], ext = 'jsonl'): string {
  const path = join(dir, `f${fileNo++}.${ext}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function reset(): Promise<void> {
  await db.exec('DELETE FROM spans; DELETE FROM ingests; DELETE FROM ingest_drops; DELETE FROM invoice_lines');
}

async function costsByTenant(): Promise<CostsResult> {
  return attributeCosts(db, { by: ['tenant'], filter: { period: PERIOD } });
}

/** Every rendering of the costs result a user can ask for, as bytes. */
function renderings(result: CostsResult): string {
  return [renderJson(costsJson(result)), renderCsv(costsTable(result, { summary: false })), renderMarkdown(costsTable(result, { summary: true }))].join('\u0000');
}

beforeAll(async () => {
  db = await Database.open();
  await installPriceBook(db, await loadPriceBook([]));
});
afterAll(() => db.close());

describe('invariants', () => {
  it('conservation: tenant rows + __unattributed__ = total = Σ tokens × list price', async () => {
    await fc.assert(fc.asyncProperty(tracesArb, async (traces) => {
      await reset();
      await ingestSpanFiles(db, [writeLines(spanLines(traces))], { namespace: 'acme' });
      const result = await costsByTenant();
      const total = traces.reduce((sum, t) => sum + t.calls.reduce((s, c) => s + microOf(c), 0n), 0n);
      const untagged = traces.filter((t) => t.tenant === null).reduce((sum, t) => sum + t.calls.reduce((s, c) => s + microOf(c), 0n), 0n);
      expect(result.totals.cost_usd).toBeCloseTo(usd(total), 6);
      expect(result.totals.unattributed_usd).toBeCloseTo(usd(untagged), 6);
      const rowSum = result.rows.reduce((s, r) => s + Math.round(r.cost_usd * 1e6), 0);
      expect(rowSum).toBe(Number(total));
      const bucket = result.rows.find((r) => r.values[0] === UNATTRIBUTED);
      expect(Math.round((bucket?.cost_usd ?? 0) * 1e6)).toBe(Number(untagged));
      for (const tenant of new Set(traces.map((t) => t.tenant))) {
        if (tenant === null) continue;
        const expected = traces.filter((t) => t.tenant === tenant).reduce((sum, t) => sum + t.calls.reduce((s, c) => s + microOf(c), 0n), 0n);
        const row = result.rows.find((r) => r.values[0] === tenant);
        expect(Math.round((row?.cost_usd ?? 0) * 1e6), tenant).toBe(Number(expected));
      }
    }), { numRuns: RUNS });
  });

  it('conservation: spans + __untraced__ = invoice', async () => {
    const billedArb = fc.array(fc.record({ day: fc.integer({ min: 1, max: 3 }), input: fc.integer({ min: 0, max: 500_000 }), output: fc.integer({ min: 0, max: 100_000 }) }), { minLength: 1, maxLength: 3 });
    await fc.assert(fc.asyncProperty(tracesArb, billedArb, async (traces, billed) => {
      await reset();
      await ingestSpanFiles(db, [writeLines(spanLines(traces))], { namespace: 'acme' });
      const header = 'usage_date_utc,model_version,api_key,workspace,usage_type,context_window,usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens';
      const rows = billed.map((b) => `2026-10-0${b.day},claude-haiku-4-5-20251001,key,Default,standard,≤ 200k,${b.input},0,0,0,${b.output}`);
      await ingestInvoiceFiles(db, [writeLines([header, ...rows], 'csv')]);
      const { report } = await reconcile(db, { period: PERIOD });
      const invoiced = billed.reduce((s, b) => s + BigInt(b.input) * INPUT_MICRO + BigInt(b.output) * OUTPUT_MICRO, 0n);
      expect(Math.round(report.invoice_usd * 1e6)).toBe(Number(invoiced));
      expect(Math.round(report.span_usd * 1e6) + Math.round(report.untraced_usd * 1e6)).toBe(Number(invoiced));
    }), { numRuns: RUNS });
  });

  it('dedupe: ingesting the same file twice changes nothing', async () => {
    await fc.assert(fc.asyncProperty(tracesArb, async (traces) => {
      await reset();
      const file = writeLines(spanLines(traces));
      const first = await ingestSpanFiles(db, [file], { namespace: 'acme' });
      const before = renderings(await costsByTenant());
      const second = await ingestSpanFiles(db, [file], { namespace: 'acme' });
      expect(second.loaded).toBe(0);
      expect(second.duplicates).toBe(first.loaded);
      expect(renderings(await costsByTenant())).toBe(before);
      const count = await db.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM spans');
      expect(Number(count?.n)).toBe(first.loaded);
    }), { numRuns: RUNS });
  });

  it('order independence and determinism: shuffled lines give byte-identical JSON, CSV and Markdown', async () => {
    await fc.assert(fc.asyncProperty(tracesArb.chain((traces) => fc.tuple(fc.constant(traces), fc.shuffledSubarray(spanLines(traces), { minLength: spanLines(traces).length }))),
      async ([traces, shuffled]) => {
        await reset();
        await ingestSpanFiles(db, [writeLines(spanLines(traces))], { namespace: 'acme' });
        const ordered = renderings(await costsByTenant());
        expect(renderings(await costsByTenant())).toBe(ordered);
        await reset();
        await ingestSpanFiles(db, [writeLines(shuffled)], { namespace: 'acme' });
        expect(renderings(await costsByTenant())).toBe(ordered);
      }), { numRuns: RUNS });
  });

  it('no token class goes negative after convention normalisation, and loaded + rejected = read', async () => {
    const countsArb = fc.record({
      input: fc.integer({ min: 0, max: 10_000 }), cache_read: fc.integer({ min: 0, max: 10_000 }),
      cache_write: fc.integer({ min: 0, max: 10_000 }), output: fc.integer({ min: 0, max: 10_000 }),
    });
    const conventionArb = fc.constantFrom('auto' as const, 'inclusive' as const, 'exclusive' as const);
    await fc.assert(fc.asyncProperty(fc.array(countsArb, { minLength: 1, maxLength: 10 }), conventionArb, async (calls, convention) => {
      await reset();
      const lines = calls.map((c, i) => JSON.stringify({
        trace_id: hex(i + 1, 32), span_id: hex(i + 1, 16), name: 'chat', operation: 'chat', start_time: '2026-10-02T00:00:00Z',
        provider: 'anthropic', request_model: MODEL, input_tokens: c.input, cache_read_tokens: c.cache_read, cache_write_tokens: c.cache_write, output_tokens: c.output,
      }));
      const report = await ingestSpanFiles(db, [writeLines(lines)], { convention, skipInvalid: true });
      expect(report.loaded + report.rejected + report.duplicates).toBe(report.recordsRead);
      const negative = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM spans WHERE least(input_tokens, cache_read_tokens,
        cache_write_5m_tokens, cache_write_1h_tokens, output_tokens, reasoning_tokens) < 0`);
      expect(Number(negative?.n)).toBe(0);
      // every stored call keeps its total input: uncached + cache classes = what the source meant
      const rows = await db.all<{ span_id: string; total: string; convention: string }>(`SELECT span_id,
        (input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens)::VARCHAR AS total, input_convention AS convention FROM spans`);
      for (const row of rows) {
        const call = calls[parseInt(row.span_id, 16) - 1];
        if (!call) throw new Error(`unexpected span ${row.span_id}`);
        const expected = row.convention === 'exclusive' ? call.input + call.cache_read + call.cache_write : call.input;
        expect(Number(row.total), `${row.convention} ${JSON.stringify(call)}`).toBe(expected);
      }
    }), { numRuns: RUNS });
  });
});
