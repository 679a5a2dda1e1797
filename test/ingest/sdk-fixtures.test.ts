// The spans the real openai / @anthropic-ai/sdk clients produced under the real instrumentations
// (fixtures/sdk, made by another generator): each call's token classes and tags must match the
// usage the fake API returned, as recorded in fixtures/sdk/expected.json.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';

const EXPECTED = resolve('fixtures/sdk/expected.json');

interface ExpectedCall {
  span_id: string;
  tenant: string | null;
  user: string | null;
  route: string | null;
  classes: { input: number; cache_read: number; cache_write_5m: number; cache_write_1h: number; output: number; reasoning: number | null };
}
interface Expected {
  spans: { span_records: number; unique_spans: number; duplicate_records: number; inference_spans: number; files: Array<{ path: string }> };
  calls: ExpectedCall[];
}

describe.runIf(existsSync(EXPECTED))('real SDK fixtures', () => {
  it('ingests every call with the classes and tags the fake API was told to return', async () => {
    const expected = JSON.parse(readFileSync(EXPECTED, 'utf8')) as Expected;
    const db = await Database.open();
    try {
      const report = await ingestSpanFiles(db, expected.spans.files.map((f) => resolve(f.path)), { namespace: 'acme' });
      expect([report.recordsRead, report.loaded, report.duplicates, report.rejected]).toEqual([
        expected.spans.span_records, expected.spans.unique_spans, expected.spans.duplicate_records, 0,
      ]);
      const inference = await db.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM spans WHERE is_inference');
      expect(Number(inference?.n)).toBe(expected.spans.inference_spans);
      for (const call of expected.calls) {
        const row = await db.one<Record<string, string | null>>(
          `SELECT input_tokens::VARCHAR AS i, cache_read_tokens::VARCHAR AS r, cache_write_5m_tokens::VARCHAR AS w5,
                  cache_write_1h_tokens::VARCHAR AS w1, output_tokens::VARCHAR AS o, reasoning_tokens::VARCHAR AS rz,
                  tenant, user_id, route
           FROM spans WHERE span_id = $span AND is_inference`,
          { span: call.span_id },
        );
        const c = call.classes;
        expect({ span: call.span_id, ...row }).toEqual({
          span: call.span_id,
          i: String(c.input), r: String(c.cache_read), w5: String(c.cache_write_5m), w1: String(c.cache_write_1h),
          o: String(c.output), rz: String(c.reasoning ?? 0),
          tenant: call.tenant, user_id: call.user, route: call.route,
        });
      }
    } finally {
      db.close();
    }
  });
});
