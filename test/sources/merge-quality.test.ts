// Multi-source merge (a LiteLLM gateway log and an SDK span of the same call, matched by provider
// response id) and `costattr quality`. Figures by hand: the call is 32 uncached + 20000 cache read +
// 1000 cache write + 180 output on Sonnet 4.5 = $0.012546; the SDK span alone (21032 input, no
// cache counts) would price at 21032 × $3/MTok + 180 × $15/MTok = $0.065796.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { otlpLine, sid, tid, writeLines } from '../ingest/otlp-builder.js';
import { generateClaudeLogs } from './claude-code-gen.js';

const LITELLM = join(ROOT, 'fixtures/sources/litellm-spendlogs.jsonl');
const CALL_USD = 32 * 3e-6 + 20000 * 0.3e-6 + 1000 * 3.75e-6 + 180 * 15e-6;
const MINI_USD = 200 * 0.4e-6 + 1000 * 0.1e-6 + 300 * 1.6e-6;
const HAIKU_USD = 800 * 1e-6 + 40 * 5e-6;

function sdkSpans(dir: string): string {
  return writeLines(dir, 'sdk.jsonl', [
    otlpLine({
      scope: '@opentelemetry/instrumentation-anthropic',
      spans: [
        { trace: tid(1), span: sid(1), name: 'invoke_agent triage', attrs: { 'gen_ai.operation.name': 'invoke_agent', 'acme.tenant_id': 'acme', 'acme.route': 'triage' } },
        {
          trace: tid(1), span: sid(2), parent: sid(1), name: 'chat claude-sonnet-4-5', start: '1767607200000000000', attrs: {
            'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5-20250929',
            'gen_ai.usage.input_tokens': 21032, 'gen_ai.usage.output_tokens': 180, 'gen_ai.response.id': 'msg_01LiteSonnet',
          },
        },
      ],
    }),
  ]);
}

async function byTenant(db: Database): Promise<Record<string, number>> {
  await installPriceBook(db, await loadPriceBook([]));
  const rows = await db.all<{ tenant: string | null; cost: string }>(`SELECT tenant, sum(cost_usd)::VARCHAR AS cost FROM priced_spans GROUP BY 1`);
  return Object.fromEntries(rows.map((r) => [r.tenant ?? '__unattributed__', Number(r.cost)]));
}

describe('multi-source merge by provider response id', () => {
  for (const order of ['sdk first', 'gateway first'] as const) {
    it(`counts the call once, priced from the record with cache detail, tenant from the SDK trace (${order})`, async () => {
      const dir = tempDir('costattr-merge-');
      const db = await Database.open();
      try {
        const sdk = sdkSpans(dir);
        const files = order === 'sdk first' ? [sdk, LITELLM] : [LITELLM, sdk];
        // LiteLLM tenants only from a `tenant:` tag, so its record of the call has none of its own
        for (const file of files) await ingestSpanFiles(db, [file], { mapping: { tenant: 'tag:tenant:' } });
        const copies = await db.all<{ source: string; is_inference: boolean; tenant: string | null; route: string | null }>(
          `SELECT source, is_inference, tenant, route FROM spans WHERE response_id IN ('msg_01LiteSonnet') ORDER BY source`,
        );
        expect(copies).toEqual([
          { source: 'litellm', is_inference: true, tenant: 'acme', route: 'triage' },
          { source: 'otlp', is_inference: false, tenant: 'acme', route: 'triage' },
        ]);
        const costs = await byTenant(db);
        expect(costs.acme).toBeCloseTo(CALL_USD, 12);
        expect(costs.initech).toBeCloseTo(HAIKU_USD, 12);
        expect(costs.__unattributed__).toBeCloseTo(MINI_USD, 12);
      } finally {
        db.close();
      }
    });
  }
});

describe('costattr quality', () => {
  it('reports per source: records, duplicates by rule, conventions, missing tags, unpriced and attributable share', async () => {
    const dir = tempDir('costattr-quality-');
    const logs = generateClaudeLogs(dir, { seed: 3, growingOutput: true, projects: 1, sessionsPerProject: 1, messagesPerSession: 6 });
    const sdk = sdkSpans(dir);
    const unpriced = writeLines(dir, 'unpriced.jsonl', [
      otlpLine({ spans: [{ trace: tid(9), span: sid(9), attrs: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'mystery-model-1', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 } }] }),
    ]);
    const db = join(dir, 'q.duckdb');
    for (const files of [[sdk, unpriced, logs.root], [LITELLM, '--map', 'tenant=tag:tenant:'], [sdk]]) {
      const run = await runCli(['ingest', ...files, '--db', db, '--quiet']);
      expect(run.code, run.stderr).toBe(0);
    }
    const run = await runCli(['quality', '--db', db, '--format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { sources: Array<Record<string, unknown>>; totals: Record<string, unknown> };
    const bySource = new Map(out.sources.map((s) => [s.source, s]));

    const truth = [...logs.cells.values()];
    const calls = truth.reduce((n, c) => n + c.calls, 0);
    const claude = bySource.get('claude-code');
    expect(claude).toMatchObject({ files: 1, inference_spans: calls, conventions: { exclusive: calls }, ignored: { synthetic_model: 1 }, rejected: 0 });
    const claudeDupes = (claude?.duplicates ?? {}) as Record<string, number>;
    // every assistant line beyond the first of its call is a snapshot or a sidechain replay
    const records = Number(claude?.records);
    expect(claudeDupes.message_request).toBe(records - calls - 1);
    expect(claude?.missing_tags).toEqual({ tenant: 0, user_id: calls, task: 0, route: calls });

    // the SDK file ingested twice: 2 spans dropped by the span-id rule; its chat span merged away
    const otlp = bySource.get('otlp');
    expect(otlp?.duplicates).toEqual({ span_id: 2, response_id: 1 });
    expect(otlp).toMatchObject({ unpriced_spans: 1, unpriced_models: ['mystery-model-1'], inference_spans: 1 });

    const litellm = bySource.get('litellm');
    expect(litellm).toMatchObject({ records: 4, inference_spans: 3, conventions: { inclusive: 2, no_cache_counts: 1 } });
    expect(litellm?.cost_usd).toBeCloseTo(CALL_USD + MINI_USD + HAIKU_USD, 6);
    expect(litellm?.attributable_usd).toBeCloseTo(CALL_USD + HAIKU_USD, 6);
    expect(litellm?.attributable_share).toBeCloseTo((CALL_USD + HAIKU_USD) / (CALL_USD + MINI_USD + HAIKU_USD), 6);
    expect(out.totals.lower_bound).toBe(true);
    expect(out.totals.unpriced_spans).toBe(1);

    const table = await runCli(['quality', '--db', db]);
    expect(table.stdout).toContain('lower bound');
    expect(table.stdout).toContain('litellm reported $0.01 itself');
  });
});
