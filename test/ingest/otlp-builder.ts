// Hand-built OTLP/JSON lines for the ingest tests, shaped like the Collector file exporter writes them:
// intValue as a decimal string, no parentSpanId on roots, kind omitted, status {}.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPriceBook, loadPriceBook } from '../../src/pricebook/index.js';
import { Database } from '../../src/db/database.js';

export type AttrValue = string | number | boolean | { double: number } | { raw: unknown };

export interface SpanSpec {
  trace: string;
  span: string;
  parent?: string;
  name?: string;
  attrs?: Record<string, AttrValue>;
  start?: string;
}

export interface ResourceSpec {
  scope?: string;
  resource?: Record<string, AttrValue>;
  spans: SpanSpec[];
}

function anyValue(v: AttrValue): unknown {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return { intValue: String(v) };
  if ('double' in v) return { doubleValue: v.double };
  return v.raw;
}

function attributes(attrs: Record<string, AttrValue> = {}): unknown[] {
  return Object.entries(attrs).map(([key, value]) => ({ key, value: anyValue(value) }));
}

export function otlpRequest(...groups: ResourceSpec[]): Record<string, unknown> {
  return {
    resourceSpans: groups.map((g) => ({
      resource: { attributes: attributes({ 'service.name': 'agent', ...g.resource }) },
      scopeSpans: [
        {
          scope: { name: g.scope ?? 'handmade', version: '1.0.0' },
          spans: g.spans.map((s) => ({
            traceId: s.trace,
            spanId: s.span,
            ...(s.parent ? { parentSpanId: s.parent } : {}),
            name: s.name ?? 'chat gpt-4o',
            startTimeUnixNano: s.start ?? '1767225600000000000',
            endTimeUnixNano: '1767225601000000000',
            attributes: attributes(s.attrs),
            status: {},
          })),
        },
      ],
    })),
  };
}

export function otlpLine(...groups: ResourceSpec[]): string {
  return JSON.stringify(otlpRequest(...groups));
}

export function writeLines(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
  return path;
}

export const openMemoryDb = (): Promise<Database> => Database.open();

/** One loaded span's cost at the built-in price book (installed here), as a number. */
export async function costOfSpan(db: Database, spanId: string): Promise<number> {
  await installPriceBook(db, await loadPriceBook([]));
  const row = await db.one<{ cost: string }>(`SELECT cost_usd::VARCHAR AS cost FROM priced_spans WHERE span_id = $id`, { id: spanId });
  return Number(row?.cost);
}

/** 32-hex trace ids and 16-hex span ids from short labels. */
export const tid = (n: number): string => n.toString(16).padStart(32, '0');
export const sid = (n: number): string => n.toString(16).padStart(16, '0');

export interface SpanRow {
  span_id: string;
  operation: string | null;
  is_inference: boolean;
  provider: string | null;
  request_model: string | null;
  response_model: string | null;
  service_tier: string;
  input_tokens: string;
  cache_read_tokens: string;
  cache_write_5m_tokens: string;
  cache_write_1h_tokens: string;
  output_tokens: string;
  reasoning_tokens: string;
  reported_input_tokens: string | null;
  input_convention: string;
  has_cache_counts: boolean;
  tenant: string | null;
  user_id: string | null;
  task: string | null;
  route: string | null;
  tier: string | null;
  effort: string | null;
  tag_tenant: string | null;
  prompt_tokens: string | null;
  tags_json: string | null;
  start_time: string | null;
  trace_id: string;
  parent_span_id: string | null;
}

export async function spansById(db: Database): Promise<Map<string, SpanRow>> {
  const rows = await db.all<SpanRow & Record<string, unknown>>('SELECT * FROM spans ORDER BY trace_id, span_id');
  return new Map(rows.map((r) => [r.span_id, r]));
}

/** The five disjoint classes of a span as numbers: [input, cache_read, write_5m, write_1h, output]. */
export function classes(row: SpanRow | undefined): number[] {
  if (!row) throw new Error('span not found');
  return [row.input_tokens, row.cache_read_tokens, row.cache_write_5m_tokens, row.cache_write_1h_tokens, row.output_tokens].map(Number);
}
