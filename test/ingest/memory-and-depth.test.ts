// The ingest's default memory budget from the machine's RAM, and the tag walk's depth limit: a span
// inherits from an ancestor at most 64 steps up (by hand: depth 64 reaches the root, depth 65 does not).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { ingestBudget } from '../../src/ingest/spans/memory.js';
import { openMemoryDb } from './otlp-builder.js';

const MB = 1000 * 1000;

describe('ingest memory budget', () => {
  it('is a quarter of RAM between 256 MB and 400 MB', () => {
    expect(ingestBudget(512 * MB)).toBe(256 * MB);
    expect(ingestBudget(1200 * MB)).toBe(300 * MB);
    expect(ingestBudget(24_000 * MB)).toBe(400 * MB);
  });
});

describe('tag walk depth', () => {
  it('inherits through 64 steps and no further, and a self-parent keeps its own tags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'costattr-depth-'));
    const path = join(dir, 'chain.parquet');
    const db = await openMemoryDb();
    try {
      // one chain s0 ← s1 ← … ← s70; s0 holds the tenant, s3 the route; x names itself as parent
      await db.exec(`COPY (
        SELECT 't' AS trace_id, 's' || i AS span_id, CASE WHEN i > 0 THEN 's' || (i - 1) END AS parent_span_id, 1 AS input_tokens,
          CASE WHEN i = 0 THEN 'acme' END AS tenant, CASE WHEN i = 3 THEN '/r' END AS route
        FROM range(71) r(i)
        UNION ALL SELECT 't', 'x', 'x', 1, NULL, NULL) TO '${path}' (FORMAT parquet)`);
      await ingestSpanFiles(db, [path], {});
      const rows = await db.all<{ span_id: string; tenant: string | null; route: string | null }>(`SELECT span_id, tenant, route FROM spans`);
      const byId = new Map(rows.map((r) => [r.span_id, r]));
      expect(byId.get('s64')).toMatchObject({ tenant: 'acme', route: '/r' });
      expect(byId.get('s65')).toMatchObject({ tenant: null, route: '/r' });
      expect(byId.get('s67')).toMatchObject({ tenant: null, route: '/r' });
      expect(byId.get('s68')).toMatchObject({ tenant: null, route: null });
      expect(byId.get('x')).toMatchObject({ tenant: null, route: null });
      expect(rows.filter((r) => r.tenant === 'acme')).toHaveLength(65);
    } finally {
      db.close();
    }
  });
});
