// A span that names a model but carries no token counter costattr reads (a vendor's own metrics
// attribute, as Braintrust's `braintrust.metrics`) would price silently at $0: the ingest counts it
// and names the counter-like attributes it saw, and `quality` shows it beside the calls that really
// got a price. Dollars by hand: GPT-4o mini $0.15 / $0.60 per MTok → 1000 in + 100 out = $0.00021.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assessQuality } from '../../src/analysis/quality.js';
import type { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { openMemoryDb, otlpLine, sid, tid, writeLines } from '../ingest/otlp-builder.js';

let db: Database;
beforeEach(async () => {
  db = await openMemoryDb();
});
afterEach(() => db.close());

function spans(dir: string): string {
  return writeLines(dir, 'braintrust.jsonl', [
    otlpLine({
      scope: 'braintrust',
      spans: [
        {
          trace: tid(1), span: sid(1), name: 'Chat Completion', attrs: {
            'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'acme.tenant_id': 'acme',
            'braintrust.metrics': '{"prompt_tokens":1200,"completion_tokens":80,"tokens":1280}', 'braintrust.span_attributes': '{"type":"llm"}',
          },
        },
        {
          trace: tid(2), span: sid(2), name: 'chat gpt-4o-mini', attrs: {
            'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini', 'acme.tenant_id': 'acme',
            'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100,
          },
        },
        // a tool span naming no model is not a call at all
        { trace: tid(2), span: sid(3), parent: sid(2), name: 'execute_tool search', attrs: { 'gen_ai.operation.name': 'execute_tool' } },
      ],
    }),
  ]);
}

it('counts the span, names braintrust.metrics, and keeps it out of the priced calls', async () => {
  const report = await ingestSpanFiles(db, [spans(tempDir('costattr-unc-'))]);
  expect(report.uncounted).toEqual({ spans: 1, attributes: ['braintrust.metrics'] });
  await installPriceBook(db, await loadPriceBook([]));
  const otlp = (await assessQuality(db)).sources.find((s) => s.source === 'otlp');
  expect(otlp).toMatchObject({ inference_spans: 2, priced_calls: 1, uncounted_spans: 1, uncounted_attributes: ['braintrust.metrics'] });
  expect(otlp?.cost_usd).toBeCloseTo(1000 * 0.15e-6 + 100 * 0.6e-6, 12);
});

it('warns at ingest and shows the calls without counters in `quality`', async () => {
  const dir = tempDir('costattr-unc-');
  const db = `${dir}/x.duckdb`;
  const ingest = await runCli(['ingest', spans(dir), '--db', db]);
  expect(ingest.code).toBe(0);
  expect(ingest.stderr).toContain('warning: 1 spans name a model but carry no token counter costattr reads (counter-like attributes seen: braintrust.metrics)');
  const quality = await runCli(['quality', '--db', db, '--format', 'json']);
  const otlp = (JSON.parse(quality.stdout) as { sources: Array<Record<string, unknown>> }).sources[0];
  expect(otlp).toMatchObject({ priced_calls: 1, uncounted_spans: 1, uncounted_attributes: ['braintrust.metrics'] });
});
