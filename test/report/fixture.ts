// Report test data: spans inserted by hand into a database (in memory or a file for the CLI), with
// the columns the reports read (tags, outcome tags in tags_json, tool calls), revenue loaded through
// the real revenue ingest, and the real price book. Expected figures are computed in each test.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { loadRevenueCsv } from '../../src/ingest/revenue/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const SONNET = 'claude-sonnet-4-5'; // $3 input, $0.30 cache read, $15 output per MTok
export const MINI = 'gpt-4.1-mini'; // $0.40 input, $1.60 output per MTok

export interface Span {
  trace: string;
  span?: string;
  start: string;
  tenant?: string | null;
  route?: string | null;
  model?: string;
  provider?: string;
  input?: number;
  cacheRead?: number;
  output?: number;
  /** `<ns>.outcome` of the run. */
  outcome?: string;
  /** An execute_tool span (no tokens) calling this tool. */
  tool?: { name: string; args: string };
}

let counter = 0;

export async function insertSpans(db: Database, spans: readonly Span[]): Promise<void> {
  for (const s of spans) {
    const model = s.model ?? SONNET;
    await db.exec(
      `INSERT INTO spans (trace_id, span_id, ingest_id, source, name, operation, start_time, end_time, is_inference, provider,
         request_model, response_model, service_tier, input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
         output_tokens, reasoning_tokens, input_convention, has_cache_counts, tenant, route, tool_name, tool_arguments, tags_json)
       VALUES ($trace, $span, 1, 'test', $name, $op, CAST($start AS TIMESTAMP), CAST($start AS TIMESTAMP), $inference, $provider,
         $model, $model, 'standard', $input, $cr, 0, 0, $output, 0, 'exclusive', true, $tenant, $route, $tool, $args, $tags)`,
      {
        trace: s.trace,
        span: s.span ?? `s${++counter}`,
        name: s.tool ? `execute_tool ${s.tool.name}` : `chat ${model}`,
        op: s.tool ? 'execute_tool' : 'chat',
        start: s.start,
        inference: !s.tool,
        provider: s.provider ?? (model.startsWith('gpt') ? 'openai' : 'anthropic'),
        model: s.tool ? null : model,
        input: s.input ?? 0,
        cr: s.cacheRead ?? 0,
        output: s.output ?? 0,
        tenant: s.tenant ?? null,
        route: s.route ?? null,
        tool: s.tool?.name ?? null,
        args: s.tool?.args ?? null,
        tags: s.outcome === undefined ? null : JSON.stringify({ outcome: s.outcome }),
      },
    );
  }
}

/** A database with the spans, the price book and (optionally) revenue rows `tenant,month,revenue_usd,plan`. */
export async function openReportDb(spans: readonly Span[], revenue: string[] = [], path?: string): Promise<Database> {
  const db = await Database.open({ path });
  await insertSpans(db, spans);
  if (revenue.length > 0) {
    const file = join(tempDir('costattr-report-'), 'revenue.csv');
    writeFileSync(file, ['tenant,month,revenue_usd,plan', ...revenue].join('\n') + '\n');
    await loadRevenueCsv(db, file);
  }
  await installPriceBook(db, await loadPriceBook([]));
  return db;
}

/** USD of a token count at a per-MTok price, exact to the micro-dollar for the prices used here. */
export function usd(tokens: number, perMtok: number): number {
  return Math.round(tokens * perMtok) / 1e6;
}

/** Input tokens per call in the fixtures: under the 200k long-context band. */
export const CALL = 100_000;

/** October 2026 in progress (data up to Oct 10): acme (seen since September), beta, and the hostile tenant on a hostile route. */
export function monthlySpans(): Span[] {
  const out: Span[] = [{ trace: 'sep', start: '2026-09-30 12:00:00', tenant: 'acme', route: 'triage', input: CALL }];
  for (let d = 1; d <= 10; d++) {
    for (let c = 0; c < d; c++) out.push({ trace: `a-${d}-${c}`, start: `2026-10-${String(d).padStart(2, '0')} 08:00:00`, tenant: 'acme', route: 'triage', input: CALL });
  }
  out.push({ trace: 'cached', start: '2026-10-01 09:00:00', tenant: 'acme', route: 'triage', cacheRead: 190_000 });
  out.push({ trace: 'b', start: '2026-10-01 10:00:00', tenant: 'beta', route: 'draft', output: 100_000 });
  out.push({ trace: 'h', start: '2026-10-02 10:00:00', tenant: HOSTILE, route: '<b>x</b>', input: CALL });
  return out;
}

export const MONTHLY_REVENUE = ['acme,2026-10,100,bundled', 'beta,2026-10,2,pass_through'];
