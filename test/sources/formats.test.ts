// LiteLLM spend logs, Langfuse observation exports and OpenInference attributes: each record's
// disjoint token classes, convention and tags, and the priced cost, worked out by hand from the
// fixtures' counters and the list prices ($/MTok: Sonnet 4.5 3 / 0.3 / 3.75 / 6 / 15, Haiku 4.5
// 1 / 0.1 / 1.25 / 2 / 5, GPT-4.1 mini 0.4 / 0.1 / - / - / 1.6; input / cache read / write 5m / write 1h / output).
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { classes, costOfSpan, openMemoryDb, otlpLine, sid, spansById, tid, writeLines } from '../ingest/otlp-builder.js';

const FIXTURES = join(ROOT, 'fixtures/sources');
let db: Database;
beforeEach(async () => {
  db = await openMemoryDb();
});
afterEach(() => db.close());

const costOf = (spanId: string): Promise<number> => costOfSpan(db, spanId);

describe('LiteLLM spend logs', () => {
  it('reads prompt_tokens as inclusive, cache counts from metadata, tags from team/end_user/request tags', async () => {
    const report = await ingestSpanFiles(db, [join(FIXTURES, 'litellm-spendlogs.jsonl')]);
    expect(report.files[0]?.format).toBe('litellm');
    expect(report.recordsRead).toBe(4);
    const spans = await spansById(db);
    // 21032 prompt = 32 uncached + 20000 read + 1000 written
    const sonnet = spans.get('msg_01litesonnet');
    expect(classes(sonnet)).toEqual([32, 20000, 1000, 0, 180]);
    expect(sonnet).toMatchObject({ input_convention: 'inclusive', tenant: 'team-a', user_id: 'customer-7', task: 'sess-1', route: 'triage', trace_id: 'sess-1' });
    expect(JSON.parse(sonnet?.tags_json ?? '{}')).toMatchObject({ source_cost_usd: 0.012546 });
    // usage_object: 1200 prompt incl. 1000 cached; 300 completion incl. 100 reasoning; team from metadata, user from `user`
    const mini = spans.get('chatcmpl-litemini');
    expect(classes(mini)).toEqual([200, 1000, 0, 0, 300]);
    expect(mini).toMatchObject({ reasoning_tokens: '100', tenant: 'team-b', user_id: 'internal-9', route: null });
    // LiteLLM's own response cache answered: no provider call, never priced
    expect(spans.get('chatcmpl-litehit')).toMatchObject({ is_inference: false, input_tokens: '0' });
    // no cache detail at all; a `tenant:` request tag beats team_id and spend_logs_metadata
    const haiku = spans.get('msg_01litehaiku');
    expect(haiku).toMatchObject({ input_convention: 'no_cache_counts', tenant: 'initech', route: 'summarise', user_id: 'customer-9' });
    expect(await costOf('msg_01litesonnet')).toBeCloseTo(32 * 3e-6 + 20000 * 0.3e-6 + 1000 * 3.75e-6 + 180 * 15e-6, 12);
    expect(await costOf('chatcmpl-litemini')).toBeCloseTo(200 * 0.4e-6 + 1000 * 0.1e-6 + 300 * 1.6e-6, 12);
    expect(await costOf('msg_01litehaiku')).toBeCloseTo(800 * 1e-6 + 40 * 5e-6, 12);
  });

  it('reads the CSV export (JSON cells) into the same spans, and --map replaces a default', async () => {
    await ingestSpanFiles(db, [join(FIXTURES, 'litellm-spendlogs.csv')], { mapping: { tenant: 'end_user', route: 'metadata.spend_logs_metadata.route' } });
    const spans = await spansById(db);
    expect(classes(spans.get('msg_01litesonnet'))).toEqual([32, 20000, 1000, 0, 180]);
    expect(classes(spans.get('chatcmpl-litemini'))).toEqual([200, 1000, 0, 0, 300]);
    expect(spans.get('chatcmpl-litehit')?.is_inference).toBe(false);
    expect(spans.get('msg_01litesonnet')).toMatchObject({ tenant: 'customer-7', route: null });
    expect(spans.get('msg_01litehaiku')).toMatchObject({ tenant: 'customer-9', route: 'summarise' });
    expect(spans.get('chatcmpl-litemini')?.tenant).toBeNull();
  });
});

describe('Langfuse observation exports', () => {
  it('reads disjoint usageDetails, the trace user and tags inherited from the root observation', async () => {
    const report = await ingestSpanFiles(db, [join(FIXTURES, 'langfuse-observations.jsonl'), join(FIXTURES, 'langfuse-blob-export.csv')]);
    expect(report.files.map((f) => f.format)).toEqual(['langfuse', 'langfuse']);
    const spans = await spansById(db);
    const gen1 = spans.get('obs-gen-1');
    expect(classes(gen1)).toEqual([32, 20000, 1000, 0, 180]);
    expect(gen1).toMatchObject({ input_convention: 'exclusive', tenant: 'acme', user_id: 'u-1', route: 'triage', parent_span_id: 'obs-root' });
    // output 200 + reasoning 100 (disjoint buckets) = 300 output, of which 100 reasoning
    expect(classes(spans.get('obs-gen-2'))).toEqual([200, 1000, 0, 0, 300]);
    expect(spans.get('obs-gen-2')?.reasoning_tokens).toBe('100');
    expect(spans.get('obs-root')).toMatchObject({ operation: 'invoke_agent', is_inference: false });
    expect(spans.get('obs-tool')).toMatchObject({ operation: 'execute_tool', is_inference: false });
    // snake_case blob export: a 1-hour cache write key
    expect(classes(spans.get('obs-blob-1'))).toEqual([10, 0, 0, 100, 5]);
    expect(spans.get('obs-blob-1')).toMatchObject({ tenant: 'umbrella', route: 'classify' });
    expect(JSON.parse(gen1?.tags_json ?? '{}')).toEqual({ source_cost_usd: 0.012546, provider_inferred: 'price_book', usage_rules: { cache: 'separate' } });
    expect(await costOf('obs-blob-1')).toBeCloseTo(10 * 1e-6 + 100 * 2e-6 + 5 * 5e-6, 12);
    expect(await costOf('obs-gen-2')).toBeCloseTo(200 * 0.4e-6 + 1000 * 0.1e-6 + 300 * 1.6e-6, 12);
  });
});

describe('OpenInference attributes in OTLP spans', () => {
  it('reads llm.token_count.* (prompt includes its cache details), llm.model_name, llm.provider and the span kind', async () => {
    const dir = tempDir('costattr-oi-');
    const file = writeLines(dir, 'openinference.jsonl', [
      otlpLine({
        scope: 'openinference.instrumentation.anthropic',
        spans: [
          { trace: tid(1), span: sid(1), name: 'Agent', attrs: { 'openinference.span.kind': 'AGENT', 'llm.token_count.prompt': 9999, 'acme.tenant_id': 'acme' } },
          {
            trace: tid(1), span: sid(2), parent: sid(1), name: 'Messages', attrs: {
              'openinference.span.kind': 'LLM', 'llm.provider': 'anthropic', 'llm.system': 'anthropic',
              'llm.model_name': 'claude-sonnet-4-5-20250929', 'llm.token_count.prompt': 5300,
              'llm.token_count.prompt_details.cache_read': 5000, 'llm.token_count.prompt_details.cache_write': 200,
              'llm.token_count.completion': 70,
            },
          },
        ],
      }),
    ]);
    await ingestSpanFiles(db, [file]);
    const spans = await spansById(db);
    const llm = spans.get(sid(2));
    // 5300 prompt = 100 uncached + 5000 read + 200 written
    expect(classes(llm)).toEqual([100, 5000, 200, 0, 70]);
    expect(llm).toMatchObject({ operation: 'chat', provider: 'anthropic', response_model: 'claude-sonnet-4-5-20250929', input_convention: 'inclusive', tenant: 'acme' });
    // the AGENT span's aggregated count is never priced
    expect(spans.get(sid(1))).toMatchObject({ operation: 'invoke_agent', is_inference: false, input_tokens: '0' });
    expect(await costOf(sid(2))).toBeCloseTo(100 * 3e-6 + 5000 * 0.3e-6 + 200 * 3.75e-6 + 70 * 15e-6, 12);
  });
});
