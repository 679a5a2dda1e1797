// Report test data: spans written by test/helpers/spans.ts into a database (in memory or a file for the CLI), with
// the columns the reports read (tags, outcome tags in tags_json, tool calls), revenue loaded through
// the real revenue ingest, and the real price book. Expected figures are computed in each test.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { loadRevenueCsv } from '../../src/ingest/revenue/index.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

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
  await insertSpanRows(db, spans.map((s) => {
    const model = s.model ?? SONNET;
    return spanRow({
      trace_id: s.trace,
      span_id: s.span ?? `s${++counter}`,
      name: s.tool ? `execute_tool ${s.tool.name}` : `chat ${model}`,
      operation: s.tool ? 'execute_tool' : 'chat',
      start_time: s.start,
      end_time: s.start,
      is_inference: !s.tool,
      provider: s.provider ?? (model.startsWith('gpt') ? 'openai' : 'anthropic'),
      request_model: s.tool ? null : model,
      response_model: s.tool ? null : model,
      input_tokens: s.input ?? 0,
      cache_read_tokens: s.cacheRead ?? 0,
      output_tokens: s.output ?? 0,
      tenant: s.tenant ?? null,
      route: s.route ?? null,
      tool_name: s.tool?.name ?? null,
      tool_arguments: s.tool?.args ?? null,
      tags_json: s.outcome === undefined ? null : JSON.stringify({ outcome: s.outcome }),
    });
  }));
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

const ANTHROPIC_COST_HEADER = 'usage_date_utc,model,workspace,api_key,usage_type,context_window,token_type,cost_usd,list_price_usd,cost_type,inference_geo,speed';
const OPENAI_COST_HEADER = 'start_time,end_time,start_time_iso,end_time_iso,amount_value,amount_currency,quantity,quantity_unit,line_item,user_id,api_key_id,project_id,organization_id,project_name,organization_name,user_email,api_source';

/**
 * October's invoices for `monthlySpans()` plus `INVOICE_EXTRA_SPANS`, as the providers export them
 * (Anthropic Console cost CSV, OpenAI cost CSV). Against the spans, by hand:
 *   - every Sonnet input day bills what the spans price to ($0.30 per 100k-token call), except
 *     Oct 3: +$1.00 with no token counts (billed traffic with no spans: untraced), and
 *     Oct 5: −$0.50 (the spans carry more than was billed: quantity, unexplained);
 *   - Oct 1 cache reads ($0.057) and beta's output ($1.50) match;
 *   - Oct 12 bills $2.00 of input on a day without spans (untraced);
 *   - OpenAI bills Oct 2: 1M gpt-4.1-mini input tokens, $0.40 — the span's exactly.
 */
export function octoberInvoices(dir: string): string[] {
  const sonnet = (day: number, tokenType: string, usd: number) =>
    `2026-10-${String(day).padStart(2, '0')},Claude Sonnet 4.5,Default,key,message,≤ 200k,${tokenType},${usd.toFixed(6)},${usd.toFixed(6)},token,global,`;
  const inputCalls = (d: number) => d + (d === 2 ? 1 : 0) + (d === 4 ? 1 : 0); // acme's d calls, the hostile tenant's, the tenant-less one
  const anthropic = [ANTHROPIC_COST_HEADER];
  for (let d = 1; d <= 10; d++) anthropic.push(sonnet(d, 'input_no_cache', inputCalls(d) * 0.3 + (d === 3 ? 1 : 0) - (d === 5 ? 0.5 : 0)));
  anthropic.push(sonnet(1, 'input_cache_read', 0.057), sonnet(1, 'output', 1.5), sonnet(12, 'input_no_cache', 2));
  const openai = [OPENAI_COST_HEADER, '1790899200,1790985600,2026-10-02T00:00:00+00:00,2026-10-03T00:00:00+00:00,0.400000,usd,1000000,tokens,"gpt-4.1-mini-2025-04-14, input",,key,proj,org,agent,Acme,,api'];
  const files = [join(dir, 'claude_api_cost_2026_10.csv'), join(dir, 'openai_cost_2026-10-01_2026-11-01.csv')];
  writeFileSync(files[0] as string, anthropic.join('\n') + '\n');
  writeFileSync(files[1] as string, openai.join('\n') + '\n');
  return files;
}

/** Spans the invoices above also bill: a tenant-less Sonnet call (Oct 4) and beta's gpt-4.1-mini call (Oct 2). */
export const INVOICE_EXTRA_SPANS: Span[] = [
  { trace: 'u', start: '2026-10-04 11:00:00', tenant: null, route: 'webhook', input: CALL },
  { trace: 'm', start: '2026-10-02 11:00:00', tenant: 'beta', route: 'draft', model: MINI, input: 1_000_000 },
];
