// Property: no analysis answers with an empty or all-$0 result for a scope the data does not hold.
// Over generated option combinations (any period around the data, any tenant — real, misspelt or
// tenant-less — and any dimensions), the workspace either refuses (exit 2, saying what the data
// covers) or the answer holds spend, and then exactly the spend computed here from the stored spans.
// Data: the shared inbox fixture (spans on 2026-10-06…08 and 10-13…15 only; a gap in between).
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditTenant } from '../../src/analysis/audit.js';
import { attributeCosts } from '../../src/analysis/costs.js';
import { DIMENSIONS, type Dimension } from '../../src/analysis/dimensions.js';
import type { Period } from '../../src/analysis/period.js';
import { withWorkspace, type WorkspaceSpec } from '../../src/app/workspace.js';
import { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { ROOT, tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-silent-');
const db = join(dir, 'inbox.duckdb');
const TENANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', '__unattributed__', 'acmee', 'nobody'];
/** Stored spend per tenant and UTC day (micro-dollars), computed once from the priced spans. */
let spend: Map<string, number>;

beforeAll(async () => {
  const handle = await Database.open({ path: db });
  try {
    await ingestSpanFiles(handle, [join(ROOT, 'test/e2e/fixtures/inbox/spans.otlp.jsonl')], {});
  } finally {
    handle.close();
  }
  spend = await withWorkspace(spec(undefined), async ({ db: open }) => {
    const rows = await open.all<{ tenant: string; day: string; micro: number }>(
      `SELECT coalesce(tenant, '__unattributed__') AS tenant, strftime(start_time, '%Y-%m-%d') AS day, (sum(cost_usd) * 1000000)::DOUBLE AS micro
       FROM priced_spans GROUP BY ALL`,
    );
    return new Map(rows.map((r) => [`${r.tenant}|${r.day}`, r.micro]));
  });
});

function spec(scope: WorkspaceSpec['scope']): WorkspaceSpec {
  return { access: 'read', db, scope, note: () => undefined };
}

/** Micro-dollars stored in [since, until) for a tenant (or all). */
function expected(period: Period, tenant?: string): number {
  let total = 0;
  for (const [key, micro] of spend) {
    const [who, day] = key.split('|') as [string, string];
    if ((tenant === undefined || who === tenant) && day >= (period.since ?? '') && day < (period.until ?? '9999')) total += micro;
  }
  return Math.round(total);
}

/** A day from 2026-09-28 to 2026-10-28: around, inside and between the fixture's days. */
const day = fc.integer({ min: 0, max: 30 }).map((n) => new Date(Date.UTC(2026, 8, 28 + n)).toISOString().slice(0, 10));
const period = fc.tuple(day, day).filter(([a, b]) => a < b).map(([since, until]): Period => ({ since, until, timezone: 'UTC' }));

async function refusedOr<T>(work: () => Promise<T>): Promise<T | 'refused'> {
  try {
    return await work();
  } catch (err) {
    expect(err).toBeInstanceOf(CostattrError);
    expect((err as CostattrError).exitCode).toBe(2);
    return 'refused';
  }
}

describe('no silent $0', () => {
  it('costs: refused when the period holds no spans, else the rows carry exactly the stored spend', async () => {
    await fc.assert(fc.asyncProperty(period, fc.subarray([...DIMENSIONS], { minLength: 1, maxLength: 2 }), async (p, by) => {
      const result = await refusedOr(() => withWorkspace(spec({ period: p }), ({ db: open }) => attributeCosts(open, { by: by as Dimension[], filter: { period: p } })));
      const want = expected(p);
      if (result === 'refused') {
        expect(want).toBe(0);
        return;
      }
      expect(result.rows.length).toBeGreaterThan(0);
      expect(Math.abs(Math.round(result.totals.cost_usd * 1e6) - want)).toBeLessThanOrEqual(1);
      expect(want).toBeGreaterThan(0);
    }), { numRuns: 15 });
  });

  it('audit: refused for an unknown tenant or a period without its spans, else its stored spend', async () => {
    await fc.assert(fc.asyncProperty(period, fc.constantFrom(...TENANTS), async (p, tenant) => {
      const named = [{ field: 'tenant' as const, value: tenant, flag: '--tenant' }];
      const result = await refusedOr(() => withWorkspace(spec({ period: p, named }), ({ db: open }) => auditTenant(open, { tenant, period: p })));
      const want = expected(p, tenant);
      if (result === 'refused') {
        expect(want).toBe(0);
        return;
      }
      expect(Math.abs(Math.round(result.summary.cost_usd * 1e6) - want)).toBeLessThanOrEqual(1);
      expect(want).toBeGreaterThan(0);
    }), { numRuns: 15 });
  });
});
