// Langfuse exports as Langfuse serves them (fixtures/sources/langfuse, shaped after the public API
// reference: TraceWithFullDetails, the UI trace export, an observations list page): one span per
// observation with the trace's fields inherited, reasoning and cache inclusion decided per record
// from its own `total`, and the provider inferred from the model. Tokens and dollars by hand
// ($/MTok: Gemini 2.5 Flash 0.3 / 0.03 cache read / 2.5 output; GPT-4.1 mini 0.4 / 0.1 / 1.6;
// Sonnet 4.5 3 / 0.3 / 3.75 write / 15; Haiku 4.5 1 / 5; text-embedding-3-small 0.02).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { classes, costOfSpan, openMemoryDb, spansById } from '../ingest/otlp-builder.js';

const FIXTURES = join(ROOT, 'fixtures/sources/langfuse');
let db: Database;
beforeEach(async () => {
  db = await openMemoryDb();
});
afterEach(() => db.close());

const costOf = (spanId: string): Promise<number> => costOfSpan(db, spanId);

const tags = (row: { tags_json: string | null } | undefined): Record<string, unknown> => JSON.parse(row?.tags_json ?? '{}') as Record<string, unknown>;

describe('Langfuse trace documents (GET /api/public/traces/{id})', () => {
  it('loads each observation with the trace id, user, session and metadata it inherits', async () => {
    const report = await ingestSpanFiles(db, [join(FIXTURES, 'trace-api.json')]);
    expect(report.files[0]).toMatchObject({ format: 'langfuse', recordsRead: 3, loaded: 3, rejected: 0 });
    const spans = await spansById(db);
    expect(spans.get('lf-api-gemini')).toMatchObject({
      trace_id: 'lf-api-trace', parent_span_id: 'lf-api-root', user_id: 'u-9', task: 'sess-9', tenant: 'globex', route: 'summarise-long', tier: 'paid',
    });
    // the observation's own metadata wins over the trace's
    expect(spans.get('lf-api-openai')).toMatchObject({ tenant: 'globex-eu', route: 'summarise' });
  });

  it('counts Gemini reasoning once: input + output = total says output already holds it', async () => {
    await ingestSpanFiles(db, [join(FIXTURES, 'trace-api.json')]);
    const gemini = (await spansById(db)).get('lf-api-gemini');
    // 1000 + 1500 = 2500 = total: the 1000 reasoning tokens are inside the 1500 output (not 2500)
    expect(classes(gemini)).toEqual([1000, 0, 0, 0, 1500]);
    expect(gemini?.reasoning_tokens).toBe('1000');
    expect(tags(gemini)).toMatchObject({ usage_rules: { reasoning: 'in_output' }, source_cost_usd: 0.00405 });
    expect(await costOf('lf-api-gemini')).toBeCloseTo(1000 * 0.3e-6 + 1500 * 2.5e-6, 12); // $0.00405, Langfuse's own figure
  });

  it('adds OpenAI reasoning kept in its own bucket: 200 + 1000 + 200 + 100 = total', async () => {
    await ingestSpanFiles(db, [join(FIXTURES, 'trace-api.json')]);
    const openai = (await spansById(db)).get('lf-api-openai');
    expect(classes(openai)).toEqual([200, 1000, 0, 0, 300]);
    expect(tags(openai)).toMatchObject({ usage_rules: { reasoning: 'added', cache: 'separate' } });
    expect(await costOf('lf-api-openai')).toBeCloseTo(200 * 0.4e-6 + 1000 * 0.1e-6 + 300 * 1.6e-6, 12); // $0.00066
  });

  it('infers the provider from a vendor/ prefix and from the price book, and says so', async () => {
    await ingestSpanFiles(db, [join(FIXTURES, 'trace-api.json')]);
    const spans = await spansById(db);
    expect(spans.get('lf-api-openai')).toMatchObject({ provider: 'openai' });
    expect(tags(spans.get('lf-api-openai'))).toMatchObject({ provider_inferred: 'model_prefix' });
    expect(spans.get('lf-api-gemini')).toMatchObject({ provider: 'google' });
    expect(tags(spans.get('lf-api-gemini'))).toMatchObject({ provider_inferred: 'price_book' });
    expect(spans.get('lf-api-root')).toMatchObject({ provider: null, is_inference: false });
  });
});

describe('Langfuse UI trace export ({"trace", "observations"})', () => {
  it('reads a Vertex resource path and an input that includes its cached tokens', async () => {
    await ingestSpanFiles(db, [join(FIXTURES, 'trace-ui-export.json')]);
    const spans = await spansById(db);
    const vertex = spans.get('lf-ui-vertex');
    // 5000 + 100 = 5100 = total: the 4000 cached tokens are inside the 5000 input
    expect(classes(vertex)).toEqual([1000, 4000, 0, 0, 100]);
    expect(vertex).toMatchObject({ provider: 'google', tenant: 'acme', route: 'triage', user_id: 'u-3', task: 'sess-3' });
    expect(tags(vertex)).toMatchObject({ provider_inferred: 'resource_path', usage_rules: { cache: 'in_input' } });
    expect(await costOf('lf-ui-vertex')).toBeCloseTo(1000 * 0.3e-6 + 4000 * 0.03e-6 + 100 * 2.5e-6, 12);
    const claude = spans.get('lf-ui-claude');
    expect(classes(claude)).toEqual([32, 20000, 1000, 0, 180]);
    expect(claude).toMatchObject({ provider: 'anthropic', route: 'triage-escalate' });
    expect(await costOf('lf-ui-claude')).toBeCloseTo(32 * 3e-6 + 20000 * 0.3e-6 + 1000 * 3.75e-6 + 180 * 15e-6, 12); // $0.012546
  });
});

describe('Langfuse list pages ({"data", "meta"})', () => {
  it('loads an observations page; a Bedrock id names its provider', async () => {
    await ingestSpanFiles(db, [join(FIXTURES, 'observations-page.json')]);
    const spans = await spansById(db);
    const haiku = spans.get('lf-page-haiku');
    expect(classes(haiku)).toEqual([800, 0, 0, 0, 40]);
    expect(haiku).toMatchObject({ provider: 'anthropic', tenant: 'initech' });
    expect(tags(haiku)).toMatchObject({ provider_inferred: 'bedrock_id' });
    expect(await costOf('lf-page-haiku')).toBeCloseTo(800 * 1e-6 + 40 * 5e-6, 12);
    expect(spans.get('lf-page-embed')).toMatchObject({ operation: 'embeddings', provider: 'openai' });
    expect(await costOf('lf-page-embed')).toBeCloseTo(5000 * 0.02e-6, 12);
  });

  it('refuses a trace list page (observation ids only), naming the shape and what to export', async () => {
    const file = join(tempDir('costattr-lf-'), 'traces.json');
    writeFileSync(file, JSON.stringify({
      data: [{ id: 't-1', timestamp: '2026-01-10T08:00:00.000Z', name: 'x', htmlPath: '/project/p/traces/t-1', observations: ['o-1', 'o-2'], scores: [], totalCost: 0.1, latency: 1 }],
      meta: { page: 1, limit: 50, totalItems: 1, totalPages: 1 },
    }));
    const err = await ingestSpanFiles(db, [file]).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: 2, message: `${file}:1: field observations: a Langfuse trace list (GET /api/public/traces): its observations are ids, without usage` });
    expect((err as { hint: string }).hint).toMatch(/GET \/api\/public\/observations/);
  });
});

describe('Langfuse spans against their provider invoices', () => {
  it('meet the Anthropic Console cost export line by line (nothing untraced)', async () => {
    const { ingestInvoiceFiles } = await import('../../src/ingest/invoices/index.js');
    const { reconcileLines } = await import('../../src/analysis/reconcile-lines.js');
    const invoice = join(tempDir('costattr-lf-inv-'), 'anthropic-cost.csv');
    // the Sonnet 4.5 observation at list price: 32 × $3, 20000 × $0.30, 1000 × $3.75, 180 × $15 per MTok
    writeFileSync(invoice, [
      'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed,api_key_id,api_key_status',
      '2026-01-09,Claude Sonnet 4.5,Default,prod,message,≤ 200k,input_no_cache,0.000096,0.000096,token,global,,apikey_01A,active',
      '2026-01-09,Claude Sonnet 4.5,Default,prod,message,≤ 200k,input_cache_read,0.006,0.006,token,global,,apikey_01A,active',
      '2026-01-09,Claude Sonnet 4.5,Default,prod,message,≤ 200k,input_cache_write_5m,0.00375,0.00375,token,global,,apikey_01A,active',
      '2026-01-09,Claude Sonnet 4.5,Default,prod,message,≤ 200k,output,0.0027,0.0027,token,global,,apikey_01A,active',
    ].join('\n') + '\n');
    await ingestSpanFiles(db, [join(FIXTURES, 'trace-ui-export.json')]);
    await ingestInvoiceFiles(db, [invoice]);
    await installPriceBook(db, await loadPriceBook([]));
    const lines = await reconcileLines(db, { since: '2026-01-09', until: '2026-01-10', timezone: 'UTC' });
    expect(lines.map((l) => [l.provider, l.model, l.token_class, l.invoice_usd, l.span_usd, l.cause])).toEqual([
      ['anthropic', 'claude-sonnet-4-5', 'cache_read', 0.006, 0.006, 'match'],
      ['anthropic', 'claude-sonnet-4-5', 'cache_write_5m', 0.00375, 0.00375, 'match'],
      ['anthropic', 'claude-sonnet-4-5', 'input', 0.000096, 0.000096, 'match'],
      ['anthropic', 'claude-sonnet-4-5', 'output', 0.0027, 0.0027, 'match'],
    ]);
  });
});
