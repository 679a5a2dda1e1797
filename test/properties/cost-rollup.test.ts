// Property: the stored cost roll-up always equals a recomputation from the raw spans. Over random
// sequences of ingests into one database — overlapping traces (a re-ingest, spans joining runs stored
// earlier, parents arriving later), unknown models, spans on and off quarter hours — some priced
// with a --pricing override (a price-book change): after every ingest the stored `cost_rollup` is
// exactly the roll-up of the priced spans, a read with the ingest's book uses it, a read with
// another book does not, nor does one with spans read beside the database; after the last, `costs`,
// margins (with tool loops), `report monthly` (cohorts, cache economics, drivers, model mix, spend
// per day) and `reconcile` (against invoice lines made from the spans) answer the same from the
// stored roll-ups as from the spans; audit's top traces are the costliest of the priced spans.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { costliestTraces, rollupSelect, storedRollupIsCurrent, storedRollupSelect } from '../../src/analysis/cost-rollup.js';
import { settleRead } from '../../src/analysis/read-memo.js';
import { auditTenant } from '../../src/analysis/audit.js';
import { attributeCosts } from '../../src/analysis/costs.js';
import type { Dimension } from '../../src/analysis/dimensions.js';
import { tenantMargins } from '../../src/analysis/margins.js';
import type { Period } from '../../src/analysis/period.js';
import { baseRelation, type SpanFilter } from '../../src/analysis/span-filter.js';
import { reconcile } from '../../src/analysis/reconcile.js';
import { toolCallRollupSelect } from '../../src/analysis/tool-calls.js';
import { DUCKDB } from '../../src/db/dialect.js';
import { monthlyReport } from '../../src/analysis/report/monthly.js';
import { withWorkspace } from '../../src/app/workspace.js';
import type { Database } from '../../src/db/database.js';
import { tempDir } from '../helpers/cli.js';

const dir = tempDir('costattr-rollup-');
const quiet = (): void => undefined;

/** An override that changes Haiku's rates: the same spans, other prices. */
const override = join(dir, 'haiku-discount.json');
writeFileSync(override, JSON.stringify({
  provider: 'anthropic',
  models: [{ model: 'claude-haiku-4-5', aliases: [], prices: [{ effective_from: '2025-01-01', tier: 'standard', per_mtok: { input: '0.5', cache_read: '0.05', cache_write_5m: '0.625', cache_write_1h: '1', output: '2.5' } }] }],
}));

const MODELS = ['claude-haiku-4-5', 'claude-sonnet-4-5', 'gpt-4o-mini', 'no-such-model'];
const TENANTS = ['acme', 'globex', null];

const spanArb = fc.record({
  trace: fc.integer({ min: 1, max: 12 }),
  span: fc.integer({ min: 1, max: 40 }),
  parent: fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
  model: fc.constantFrom(...MODELS),
  tenant: fc.constantFrom(...TENANTS),
  route: fc.constantFrom('chat', 'search'),
  // minutes after 2026-01-01 00:00 UTC, over three days: quarter hours and the minutes between them
  minute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  input: fc.integer({ min: 0, max: 300_000 }),
  cacheRead: fc.integer({ min: 0, max: 50_000 }),
  output: fc.integer({ min: 0, max: 5_000 }),
});
/** A run of calls of one tool in one trace (a loop from 5 calls), arguments that normalise alike or not. */
const toolBurstArb = fc.record({
  trace: fc.integer({ min: 1, max: 12 }),
  tool: fc.constantFrom('search', 'fetch'),
  args: fc.constantFrom('{"q": 1}', '{"Q":22 }', '{"p":1}'),
  calls: fc.constantFrom(4, 5, 6),
  tenant: fc.constantFrom(...TENANTS),
  minute: fc.integer({ min: 0, max: 3 * 24 * 60 }),
});
const ingestArb = fc.record({
  spans: fc.array(spanArb, { minLength: 1, maxLength: 12 }),
  tools: fc.array(toolBurstArb, { minLength: 1, maxLength: 3 }),
  discounted: fc.boolean(),
});

let files = 0;
type GeneratedSpan = typeof spanArb extends fc.Arbitrary<infer T> ? T : never;
type ToolBurst = typeof toolBurstArb extends fc.Arbitrary<infer T> ? T : never;

function toolSpans(bursts: readonly ToolBurst[]): string[] {
  return bursts.flatMap((b, i) => Array.from({ length: b.calls }, (_, k) => JSON.stringify({
    trace_id: `t${b.trace}`, span_id: `tool-${b.trace}-${b.minute}-${i}-${k}`, operation: 'execute_tool',
    start_time: new Date(Date.UTC(2026, 0, 1) + (b.minute + k * 7) * 60_000).toISOString(),
    tool_name: b.tool, tool_arguments: b.args, ...(b.tenant === null ? {} : { tenant: b.tenant }),
  })));
}

function writeSpans(spans: readonly GeneratedSpan[], bursts: readonly ToolBurst[]): string {
  const file = join(dir, `spans-${files++}.jsonl`);
  writeFileSync(file, [...spans.map((s) => JSON.stringify({
    trace_id: `t${s.trace}`, span_id: `s${s.trace}-${s.span}`, ...(s.parent === null ? {} : { parent_span_id: `s${s.trace}-${s.parent}` }),
    operation: 'chat', provider: s.model.startsWith('gpt') ? 'openai' : 'anthropic', request_model: s.model,
    start_time: new Date(Date.UTC(2026, 0, 1) + s.minute * 60_000).toISOString(),
    input_tokens: s.input, cache_read_input_tokens: s.cacheRead, output_tokens: s.output,
    ...(s.tenant === null ? {} : { tenant: s.tenant }), route: s.route,
  })), ...toolSpans(bursts)].join('\n') + '\n');
  return file;
}

/** Rows that differ, both ways, between each stored roll-up and its recomputation from the (priced) spans; and runs not numbered once each. */
async function rollupDifferences(db: Database): Promise<number> {
  const row = await db.one<{ n: string }>(
    `WITH cost AS (${storedRollupSelect('priced_spans')}), run AS (${rollupSelect('cost', 'run_rollup')}), tool AS (${toolCallRollupSelect('spans', 'runs', DUCKDB)})
     SELECT ((SELECT count(*) FROM ((FROM cost_rollup EXCEPT ALL FROM cost) UNION ALL (FROM cost EXCEPT ALL FROM cost_rollup)))
           + (SELECT count(*) FROM ((FROM run_rollup EXCEPT ALL FROM run) UNION ALL (FROM run EXCEPT ALL FROM run_rollup)))
           + (SELECT count(*) FROM ((FROM tool_call_rollup EXCEPT ALL FROM tool) UNION ALL (FROM tool EXCEPT ALL FROM tool_call_rollup)))
           + (SELECT count(DISTINCT trace_id) FROM spans) - (SELECT count(DISTINCT run) FROM runs)
           + (SELECT count(*) FROM runs) - (SELECT count(DISTINCT trace_id) FROM runs))::VARCHAR AS n`,
  );
  return Number(row?.n);
}

/**
 * The `n` costliest traces of the filter's priced spans, then by trace id (ties at $0 are common
 * here), straight from the spans; with `ties`, also every trace as costly as the last, sorted by id.
 */
async function costliestByHand(db: Database, filter: SpanFilter, n: number, { ties } = { ties: false }): Promise<string[]> {
  const base = baseRelation(filter);
  const traces = `SELECT trace_id, sum(cost_usd) AS cost FROM (${base.sql}) GROUP BY trace_id`;
  const sql = ties
    ? `WITH t AS (${traces}) SELECT trace_id FROM t WHERE cost >= (SELECT min(cost) FROM (SELECT cost FROM t ORDER BY cost DESC LIMIT ${n})) ORDER BY trace_id`
    : `${traces} ORDER BY cost DESC, trace_id LIMIT ${n}`;
  return (await db.all<{ trace_id: string }>(sql, base.params)).map((r) => r.trace_id);
}

const PERIODS: Period[] = [
  { since: undefined, until: undefined, timezone: 'UTC' },
  { since: '2026-01-02', until: '2026-01-03', timezone: 'UTC' },
  { since: '2026-01-01T10:07', until: '2026-01-02T13:52', timezone: 'UTC' },
  { since: '2026-01-01', until: '2026-01-03', timezone: 'Asia/Kolkata' },
];
const GROUPINGS: Dimension[][] = [['tenant'], ['route', 'model'], ['day'], ['tenant', 'week'], ['layer'], ['model', 'layer']];

/**
 * Invoice lines and revenue for the reads (TEMP tables over the read-only database): one cost line per
 * provider, model, day and class the spans priced, some of them billed 10% over, and two tenants' revenue.
 */
async function addInvoicesAndRevenue(db: Database): Promise<void> {
  await db.exec(`CREATE TEMP TABLE invoice_lines AS SELECT * FROM main.invoice_lines WHERE false;
    INSERT INTO invoice_lines (ingest_id, provider, kind, day, model, token_class, quantity, amount_usd, tier, long_context, source_file, source_row)
    SELECT 1, provider, 'cost', day, model, token_class, tokens, usd * CASE WHEN (day - DATE '2026-01-01') % 2 = 0 THEN 1.1 ELSE 1 END,
           'standard', false, 'invoice.csv', row_number() OVER ()
    FROM (SELECT provider, model, CAST(start_time AS DATE) AS day, k.token_class,
                 sum(CASE k.token_class WHEN 'input' THEN input_tokens WHEN 'cache_read' THEN cache_read_tokens ELSE output_tokens END) AS tokens,
                 sum(CASE k.token_class WHEN 'input' THEN cost_input WHEN 'cache_read' THEN cost_cache_read ELSE cost_output END) AS usd
          FROM priced_spans CROSS JOIN (SELECT unnest(['input', 'cache_read', 'output']) AS token_class) k
          WHERE priced AND provider = 'anthropic' GROUP BY ALL);
    INSERT INTO invoice_lines (ingest_id, provider, kind, day, model, token_class, quantity, amount_usd, tier, long_context, source_file, source_row)
    VALUES (1, 'openai', 'cost', DATE '2026-01-02', 'gpt-4o-mini', 'input', 1000, 0.5, 'standard', false, 'invoice.csv', 0);
    CREATE TEMP TABLE revenue (tenant VARCHAR, month VARCHAR, revenue_usd DECIMAL(18,6), plan VARCHAR, ceiling_usd DECIMAL(18,6), markup DECIMAL(18,6));
    INSERT INTO revenue VALUES ('acme', '2026-01', 0, 'free', NULL, NULL), ('globex', '2026-01', 0.5, 'bundled', NULL, NULL)`);
}

/**
 * Every costs answer, the monthly report and reconcile for the read's spans; `fromSpans` hides the
 * stored roll-ups behind a copy of the spans.
 */
async function answers(db: Database, fromSpans: boolean): Promise<unknown[]> {
  if (fromSpans) {
    await db.exec('CREATE OR REPLACE TEMP TABLE spans AS SELECT * FROM main.spans');
    // the read kept its answers from when it opened: forget them, now that the roll-ups are hidden
    settleRead(db);
    expect(await storedRollupIsCurrent(db), 'a copy of the spans hides the stored roll-ups').toBe(false);
  }
  const all: unknown[] = [];
  // each grouping over the whole data and over one of the other periods, in turn
  for (const [i, by] of GROUPINGS.entries()) {
    for (const period of [PERIODS[0]!, PERIODS[1 + (i % (PERIODS.length - 1))]!]) all.push(await attributeCosts(db, { by, filter: { period } }));
  }
  all.push(await tenantMargins(db, { month: '2026-01' })); // with the tool loops, which the reports show only as a segment
  for (const timezone of ['UTC', 'Asia/Kolkata']) all.push(await monthlyReport(db, { month: '2026-01', timezone, budget: null }));
  for (const period of [PERIODS[2], { since: '2026-01-01', until: '2026-02-01', timezone: 'UTC' }]) {
    if (period !== undefined) all.push(await reconcile(db, { period, tolerance: 0.02 }));
  }
  return all;
}

describe('stored cost roll-up', () => {
  it('equals the roll-up of the priced spans after every ingest, and costs answers the same from it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(ingestArb, { minLength: 1, maxLength: 4 }), async (ingests) => {
        const db = join(dir, `db-${files}.duckdb`);
        for (const [i, ingest] of ingests.entries()) {
          const pricing = ingest.discounted ? [override] : [];
          const spanFile = writeSpans(ingest.spans, ingest.tools);
          await withWorkspace({ access: 'write', db, spans: [spanFile], spanOptions: { skipInvalid: true }, pricing, note: quiet }, async () => undefined);
          await withWorkspace({ access: 'read', db, pricing, note: quiet }, async ({ db: read }) => {
            expect(await storedRollupIsCurrent(read), 'a read with the ingest\'s book uses the stored roll-up').toBe(true);
            expect(await rollupDifferences(read)).toBe(0);
            if (i < ingests.length - 1) return; // the answers once per sequence: the roll-up itself is checked after every ingest
            await addInvoicesAndRevenue(read);
            for (const [i, period] of PERIODS.entries()) {
              for (const tenant of ['acme', '__unattributed__']) {
                const filter = { period, tenant };
                if (i % 2 === (tenant === 'acme' ? 0 : 1)) { // whole audits: acme over everything and off quarter hours, the tenant-less over a day and in Kolkata
                  const audited = await auditTenant(read, filter);
                  expect(audited.topTraces.map((t) => t.trace_id), `top traces of ${tenant} over ${JSON.stringify(period)}`).toEqual(await costliestByHand(read, filter, 10));
                }
                for (const n of [1, 2, 10]) {
                  expect((await costliestTraces(read, filter, n)).sort(), `the ${n} costliest and their ties`).toEqual(await costliestByHand(read, filter, n, { ties: true }));
                }
              }
            }
            const stored = await answers(read, false);
            expect(await answers(read, true)).toEqual(stored);
          });
          await withWorkspace({ access: 'read', db, pricing: ingest.discounted ? [] : [override], note: quiet }, async ({ db: read }) => {
            expect(await storedRollupIsCurrent(read), 'a read with another book re-prices the spans').toBe(false);
          });
          await withWorkspace({ access: 'read', db, spans: [spanFile], spanOptions: { skipInvalid: true }, pricing, note: quiet }, async ({ db: read }) => {
            expect(await storedRollupIsCurrent(read), 'spans read beside the database hide the stored roll-ups').toBe(false);
          });
        }
      }),
      { numRuns: 4 },
    );
  });
});
