/**
 * `costattr snapshot`: a small, stable JSON baseline of an eval run for the CI cost gate.
 *
 * It holds the per-route figures (runs, cost per run mean/p50/p95, tokens per layer per run, cache
 * hit rate, model mix), totals, provenance (span count, date range, price book fingerprint, label,
 * costattr version), and what `diff` needs to price it again with another book: the token usage
 * of every run per route × model × service tier × long-context band × token class (`usage`), and
 * the per-token rates it was priced with per model × tier × band (`rates`). Runs are kept (not only
 * sums) so that p50/p95 can be repriced exactly; they are numbered in trace-id order, ids dropped.
 *
 * Each model × tier × band is priced at one rate: the one in effect for its latest span of the
 * window (an eval run rarely straddles a price change; `costs` remains the exact effective-dated view).
 * Output is byte-stable: keys sorted, rows sorted, money rounded to 6 decimals, no wall-clock time.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../db/database.js';
import { TOKEN_CLASSES, UNATTRIBUTED, type TokenClass } from '../db/schema.js';
import { num } from '../db/values.js';
import { badInput, CostattrError, parseJsonDocument } from '../errors.js';
import type { PriceBook } from '../pricebook/index.js';
import { ratesLookup, summarizeUsage, type RateRow, type UsageMetrics, type UsageRow } from './run-usage.js';
import { baseRelation, type BaseRelation, type SpanFilter } from './span-filter.js';

export const SNAPSHOT_FORMAT = 1;

export interface PriceBookFingerprint {
  /** `sha256:` + 16 hex digits of the book's content (models, aliases, rows; not file paths). */
  hash: string;
  /** The latest `effective_from` in the book: the date of its newest price. */
  date: string | null;
}

export interface SnapshotProvenance {
  label: string | null;
  costattr_version: string;
  /** Inference spans (the ones that carry cost) in the window. */
  spans: number;
  runs: number;
  first_span: string | null;
  last_span: string | null;
  price_book: PriceBookFingerprint;
}

export const USAGE_COLUMNS = ['run', 'route', 'model', 'tier', 'long_context', 'spans', ...TOKEN_CLASSES, 'prompt', 'tool', 'memory'] as const;
type UsageCell = string | number | boolean | null;

export interface Snapshot {
  costattr_snapshot: typeof SNAPSHOT_FORMAT;
  provenance: SnapshotProvenance;
  routes: Record<string, UsageMetrics>;
  totals: UsageMetrics;
  rates: RateRow[];
  usage: { columns: string[]; rows: UsageCell[][] };
}

export interface SnapshotSpec {
  filter: SpanFilter;
  label: string | undefined;
  version: string;
  book: PriceBook;
}

export async function takeSnapshot(db: Database, spec: SnapshotSpec): Promise<Snapshot> {
  const base = baseRelation(spec.filter);
  const usage = await usageRows(db, base);
  const rates = await rateRows(db, base);
  const facts = await db.one(
    `WITH base AS (${base.sql})
     SELECT count(*) AS spans,
            strftime(min(start_time), '%Y-%m-%dT%H:%M:%S.%fZ') AS first_span,
            strftime(max(start_time), '%Y-%m-%dT%H:%M:%S.%fZ') AS last_span
     FROM base`,
    base.params,
  );
  if (usage.length === 0) {
    throw new CostattrError('BAD_INPUT', 'no inference spans to snapshot: the eval exported no model calls in this window', {
      hint: 'check the span files (--spans), --since/--until, and that model calls carry gen_ai.* usage attributes',
    });
  }
  const summary = summarizeUsage(usage, ratesLookup(rates));
  return {
    costattr_snapshot: SNAPSHOT_FORMAT,
    provenance: {
      label: spec.label ?? null,
      costattr_version: spec.version,
      spans: num(facts?.spans),
      runs: summary.totals.runs,
      first_span: (facts?.first_span as string | null | undefined) ?? null,
      last_span: (facts?.last_span as string | null | undefined) ?? null,
      price_book: priceBookFingerprint(spec.book),
    },
    routes: summary.routes,
    totals: summary.totals,
    rates,
    usage: { columns: [...USAGE_COLUMNS], rows: usage.map((row) => USAGE_COLUMNS.map((column) => row[column])) },
  };
}

async function usageRows(db: Database, base: BaseRelation): Promise<UsageRow[]> {
  const rows = await db.all(
    `WITH base AS (${base.sql}),
     runs AS (SELECT trace_id, row_number() OVER (ORDER BY trace_id) - 1 AS run FROM (SELECT DISTINCT trace_id FROM base))
     SELECT r.run, coalesce(b.route, $unattributed) AS route, b.model, b.service_tier AS tier, b.long_context,
            count(*) AS spans,
            ${TOKEN_CLASSES.map((cls) => `sum(b.${cls}_tokens) AS ${cls}`).join(', ')},
            sum(b.prompt_tokens) AS prompt, sum(b.tool_tokens) AS tool, sum(b.memory_tokens) AS memory
     FROM base b JOIN runs r USING (trace_id)
     GROUP BY ALL
     ORDER BY r.run, route, b.model, tier, b.long_context`,
    { ...base.params, unattributed: UNATTRIBUTED },
  );
  const orNull = (value: unknown) => (value === null || value === undefined ? null : num(value));
  return rows.map((row) => ({
    run: num(row.run),
    route: String(row.route),
    model: String(row.model),
    tier: String(row.tier),
    long_context: row.long_context === true,
    spans: num(row.spans),
    ...(Object.fromEntries(TOKEN_CLASSES.map((cls) => [cls, num(row[cls])])) as Record<TokenClass, number>),
    prompt: orNull(row.prompt),
    tool: orNull(row.tool),
    memory: orNull(row.memory),
  }));
}

async function rateRows(db: Database, base: BaseRelation): Promise<RateRow[]> {
  const rows = await db.all(
    `WITH base AS (${base.sql})
     SELECT model, service_tier AS tier, long_context,
            ${TOKEN_CLASSES.map((cls) => `CAST(first(rate_${cls} ORDER BY start_time DESC, trace_id, span_id) AS VARCHAR) AS ${cls}`).join(', ')}
     FROM base WHERE priced
     GROUP BY ALL
     ORDER BY model, tier, long_context`,
    base.params,
  );
  return rows.map((row) => ({
    model: String(row.model),
    tier: String(row.tier),
    long_context: row.long_context === true,
    ...(Object.fromEntries(TOKEN_CLASSES.map((cls) => [cls, trimDecimal(String(row[cls]))])) as Record<TokenClass, string>),
  }));
}

/** "0.000003000000000" → "0.000003", "2.000" → "2". */
function trimDecimal(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/** A content hash of the loaded book (what prices, not where the files were) and its newest date. */
export function priceBookFingerprint(book: PriceBook): PriceBookFingerprint {
  const models = [...book.models]
    .map((m) => ({ provider: m.provider, model: m.model, aliases: [...m.aliases].sort() }))
    .sort((a, b) => a.model.localeCompare(b.model));
  const rows = book.rows
    .map(({ source: _source, ...row }) => row)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const hash = createHash('sha256').update(stableJson({ models, rows })).digest('hex').slice(0, 16);
  const dates = book.rows.map((row) => row.effectiveFrom).sort();
  return { hash: `sha256:${hash}`, date: dates.at(-1) ?? null };
}

/**
 * Stable JSON: object keys sorted at every level, two-space indent, arrays of scalars on one line
 * (so a usage row is one line and a snapshot diffs well in git).
 */
export function stableJson(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) return `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
    return `[\n${value.map((item) => `${inner}${stableJson(item, inner)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stableJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function formatSnapshot(snapshot: Snapshot): string {
  return `${stableJson(snapshot)}\n`;
}

/** Whether a file's first bytes look like a snapshot (its sorted keys put the marker first). */
export function looksLikeSnapshot(head: string): boolean {
  return /^\uFEFF?\s*\{\s*"costattr_snapshot"\s*:/.test(head);
}

/** The parts of a snapshot file `diff` uses, validated: provenance, rates and per-run usage. */
export interface LoadedSnapshot {
  provenance: SnapshotProvenance;
  rates: RateRow[];
  usage: UsageRow[];
}

/** A snapshot just taken, in the form `diff` reads (as if written and read back). */
export function loadedFromSnapshot(snapshot: Snapshot): LoadedSnapshot {
  return {
    provenance: snapshot.provenance,
    rates: snapshot.rates,
    usage: snapshot.usage.rows.map((cells) => Object.fromEntries(USAGE_COLUMNS.map((column, i) => [column, cells[i]])) as unknown as UsageRow),
  };
}

export function parseSnapshot(file: string, text: string): LoadedSnapshot {
  const root = objectAt(file, 'snapshot', parseJsonDocument(file, text));
  if (root.costattr_snapshot !== SNAPSHOT_FORMAT) {
    throw badInput(file, {}, 'costattr_snapshot', `expected ${SNAPSHOT_FORMAT} (a file written by \`costattr snapshot\`)`);
  }
  const provenance = objectAt(file, 'provenance', root.provenance) as unknown as SnapshotProvenance;
  const priceBook = objectAt(file, 'provenance.price_book', provenance.price_book);
  if (typeof priceBook.hash !== 'string') throw badInput(file, {}, 'provenance.price_book.hash', 'expected a string');
  const usage = objectAt(file, 'usage', root.usage);
  if (JSON.stringify(usage.columns) !== JSON.stringify(USAGE_COLUMNS)) {
    throw badInput(file, {}, 'usage.columns', `expected ${JSON.stringify(USAGE_COLUMNS)}`);
  }
  if (!Array.isArray(usage.rows)) throw badInput(file, {}, 'usage.rows', 'expected an array');
  if (!Array.isArray(root.rates)) throw badInput(file, {}, 'rates', 'expected an array');
  return {
    provenance,
    rates: root.rates.map((rate: unknown, i: number) => rateRowAt(file, `rates[${i}]`, rate)),
    usage: usage.rows.map((row: unknown, i: number) => usageRowAt(file, `usage.rows[${i}]`, row)),
  };
}

function objectAt(file: string, field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badInput(file, {}, field, 'expected an object');
  return value as Record<string, unknown>;
}

function rateRowAt(file: string, field: string, value: unknown): RateRow {
  const rate = objectAt(file, field, value);
  if (typeof rate.model !== 'string' || typeof rate.tier !== 'string' || typeof rate.long_context !== 'boolean') {
    throw badInput(file, {}, field, 'expected model, tier (strings) and long_context (boolean)');
  }
  for (const cls of TOKEN_CLASSES) {
    const perToken = rate[cls];
    if (typeof perToken !== 'string' || !/^\d+(\.\d{1,15})?$/.test(perToken)) {
      throw badInput(file, {}, `${field}.${cls}`, 'expected a decimal string (USD per token, at most 15 decimals)');
    }
  }
  return rate as unknown as RateRow;
}

function usageRowAt(file: string, field: string, value: unknown): UsageRow {
  if (!Array.isArray(value) || value.length !== USAGE_COLUMNS.length) {
    throw badInput(file, {}, field, `expected an array of ${USAGE_COLUMNS.length} values (${USAGE_COLUMNS.join(', ')})`);
  }
  const row = Object.fromEntries(USAGE_COLUMNS.map((column, i) => [column, value[i] as UsageCell]));
  const count = (column: string, nullable: boolean) => {
    const cell = row[column];
    if (nullable && cell === null) return;
    if (typeof cell !== 'number' || !Number.isSafeInteger(cell) || cell < 0) {
      throw badInput(file, {}, `${field}.${column}`, 'expected a non-negative integer');
    }
  };
  for (const column of ['run', 'spans', ...TOKEN_CLASSES]) count(column, false);
  for (const column of ['prompt', 'tool', 'memory']) count(column, true);
  if (typeof row.route !== 'string' || typeof row.model !== 'string' || typeof row.tier !== 'string' || typeof row.long_context !== 'boolean') {
    throw badInput(file, {}, field, 'expected route, model, tier (strings) and long_context (boolean)');
  }
  return row as unknown as UsageRow;
}
