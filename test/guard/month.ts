// A replayed month made to order: per tenant, a list of (minute, requests) bursts of identical calls,
// appended in bulk (test/helpers/spans.ts) so a month of traffic loads in milliseconds.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { insertSpanRows, spanRow } from '../helpers/spans.js';

export interface Burst {
  tenant: string;
  /** `2026-10-05 12:00` (UTC); requests are spaced one second apart from :00. */
  minute: string;
  requests: number;
  model?: string;
  route?: string;
  input?: number;
  output?: number;
}

export interface FlatSpan {
  trace_id: string;
  span_id: string;
  start_time: string;
  tenant: string;
  route: string;
  response_model: string;
  provider: string;
  operation: string;
  input_tokens: number;
  output_tokens: number;
}

/** The default call: 1,000 input + 100 output tokens of claude-sonnet-4-5 = 1000 × $3/M + 100 × $15/M = $0.0045. */
export const CALL = { model: 'claude-sonnet-4-5', input: 1000, output: 100 };

export function expand(bursts: readonly Burst[]): FlatSpan[] {
  let n = 0;
  return bursts.flatMap((b) => Array.from({ length: b.requests }, (_, i) => {
    n += 1;
    const sec = i % 60;
    const extraMin = Math.floor(i / 60);
    const [date, hm] = b.minute.split(' ') as [string, string];
    const [h, m] = hm.split(':').map(Number) as [number, number];
    const total = h * 60 + m + extraMin;
    const time = `${date}T${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}:${String(sec).padStart(2, '0')}Z`;
    return {
      trace_id: `t${String(n).padStart(7, '0')}`,
      span_id: `s${String(n).padStart(7, '0')}`,
      start_time: time,
      tenant: b.tenant,
      route: b.route ?? 'triage',
      response_model: b.model ?? CALL.model,
      provider: 'anthropic',
      operation: 'chat',
      input_tokens: b.input ?? CALL.input,
      output_tokens: b.output ?? CALL.output,
    };
  }));
}

/** `days` consecutive days from `first` (`2026-10-01`), as `YYYY-MM-DD`. */
export function daysFrom(first: string, days: number): string[] {
  const start = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString().slice(0, 10));
}

export async function openMonth(bursts: readonly Burst[]): Promise<Database> {
  const db = await Database.open();
  await insertSpanRows(db, expand(bursts).map((s) => spanRow({
    trace_id: s.trace_id, span_id: s.span_id, operation: s.operation, start_time: s.start_time, provider: s.provider,
    request_model: s.response_model, response_model: s.response_model, input_tokens: s.input_tokens, output_tokens: s.output_tokens,
    tenant: s.tenant, route: s.route,
  })));
  await installPriceBook(db, await loadPriceBook([]));
  return db;
}

/** The same month as a flat JSONL span file, for the CLI. */
export function writeMonth(dir: string, bursts: readonly Burst[]): string {
  const file = join(dir, 'spans.jsonl');
  writeFileSync(file, expand(bursts).map((s) => JSON.stringify(s)).join('\n') + '\n');
  return file;
}
