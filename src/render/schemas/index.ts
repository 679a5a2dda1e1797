/**
 * The stable JSON documents of PRODUCT.md (costs, reconcile, anomalies, guard, diff) as zod schemas:
 * the one source of truth for the JSON Schema files under `schemas/` (written from these by
 * `z.toJSONSchema`, checked by test/render/schemas.test.ts) and for validating a command's output.
 * Objects are strict: a key added to a document is a new schema_version, never a silent change.
 */
import { z } from 'zod';
import { ANOMALY_KINDS, SEVERITIES } from '../../analysis/anomalies/types.js';
import { DIFF_METRICS } from '../../analysis/diff-rules.js';
import { GUARD_ACTIONS, GUARD_RULES } from '../../analysis/guard/types.js';
import { MARGIN_SEGMENTS } from '../../analysis/margins.js';
import { CAUSES } from '../../analysis/reconcile-lines.js';
import { SCHEMA_VERSION } from '../json.js';

const usd = z.number().describe('USD, rounded to 6 decimals');
const fraction = z.number().describe('a fraction (0.42), not a percent');
const count = z.number().int().nonnegative();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const versioned = { schema_version: z.literal(SCHEMA_VERSION) };

const costsRow = z
  .object({
    cost_usd: usd, runs: count, spans: count, input_tokens: count, cache_read_tokens: count, cache_write_tokens: count,
    output_tokens: count, share: fraction.nullable(), p50_run_usd: usd.nullable(), p95_run_usd: usd.nullable(),
    p99_run_usd: usd.nullable(), cache_hit_rate: fraction.nullable(),
  })
  .catchall(z.string().describe('the value of each dimension in `by`'));

export const costsDocument = z.strictObject({
  ...versioned,
  by: z.array(z.string()).min(1),
  rows: z.array(costsRow),
  totals: z.strictObject({ cost_usd: usd, unattributed_usd: usd, unpriced_spans: count, priced_share: fraction }),
});

const margin = fraction.nullable();
export const reconcileDocument = z.strictObject({
  ...versioned,
  invoice_usd: usd, span_usd: usd, variance_usd: usd, variance_pct: fraction.nullable(), unattributed_usd: usd, untraced_usd: usd,
  lines: z.array(z.strictObject({
    provider: z.string(), model: z.string().nullable(), day, token_class: z.string(), invoice_tokens: count.nullable(),
    span_tokens: count, invoice_usd: usd, span_usd: usd, variance_usd: usd, cause: z.enum(CAUSES),
  })),
  tenants: z.array(z.strictObject({ tenant: z.string(), revenue_usd: usd, cost_usd: usd, margin_pct: margin, segment: z.enum(MARGIN_SEGMENTS) })),
  segments: z.array(z.strictObject({ segment: z.enum(MARGIN_SEGMENTS), tenants: count, revenue_usd: usd, cost_usd: usd, margin_pct: margin })),
  portfolio: z.strictObject({ revenue_usd: usd, cost_usd: usd, margin_pct: margin }),
  cache: z.strictObject({ hit_rate: fraction.nullable(), naive_usd: usd, actual_usd: usd, savings_usd: usd }),
});

/** Evidence beyond money and traces differs by kind (figures, mixes, per-day windows): documented in docs/anomalies.md. */
const evidenceValue = z.unknown();
export const anomaliesDocument = z.strictObject({
  ...versioned,
  anomalies: z.array(z.strictObject({
    kind: z.enum(ANOMALY_KINDS), severity: z.enum(SEVERITIES),
    tenant: z.string().nullable(), route: z.string().nullable(), model: z.string().nullable(), tool: z.string().nullable(),
    start: z.string(), end: z.string(), summary: z.string(),
    evidence: z.object({ impact_usd: usd, trace_count: count }).catchall(evidenceValue),
    trace_ids: z.array(z.string()),
  })),
});

export const guardDocument = z.strictObject({
  ...versioned,
  events: z.array(z.strictObject({
    time: z.string(), tenant: z.string(), rule: z.enum(GUARD_RULES), observed: z.number(), limit: z.number(), action: z.enum(GUARD_ACTIONS),
    unit: z.enum(['requests/min', 'tokens/min', 'usd/day', 'z']), retry_after_s: z.number().nullable(), step: z.string().nullable(),
    requests: count, severity: z.enum(['critical', 'warn']),
  })),
  tenants: z.array(z.strictObject({
    tenant: z.string(), requests: count, requests_blocked: count, requests_degraded: count, spend_usd: usd, blocked_usd: usd,
    saved_usd: usd, guarded_usd: usd, events: count, days_fired: z.array(day), false_positive_days: z.array(day),
  })),
  blocked_usd: usd, saved_usd: usd, spend_usd: usd, critical_events: count, notes: z.array(z.string()),
});

const diffSide = z.strictObject({
  source: z.string(), label: z.string().nullable(), costattr_version: z.string(), spans: count, runs: count,
  first_span: z.string().nullable(), last_span: z.string().nullable(),
  price_book: z.strictObject({ hash: z.string(), date: z.string().nullable() }),
  cost_usd: usd, cost_per_run: usd, monthly_usd: usd, unpriced_spans: count,
});
const driver = z.union([
  z.strictObject({ route: z.string(), metric: z.literal('model'), base: z.string(), head: z.string() }),
  z.strictObject({
    route: z.string(), metric: z.enum(['spans_per_run', 'input_tokens_per_run', 'response_tokens_per_run', 'cache_hit_rate']),
    base: z.number(), head: z.number(), delta_pct: z.number().nullable(),
    layer: z.strictObject({ name: z.string(), delta: z.number() }).nullable(),
  }),
]);
const moved = { route: z.string(), metric: z.enum(DIFF_METRICS), base: z.number().nullable(), head: z.number().nullable(), delta: z.number().nullable(), delta_pct: z.number().nullable() };
export const diffDocument = z.strictObject({
  ...versioned,
  base: diffSide.nullable().describe('null when there is no baseline (--allow-missing-base)'),
  head: diffSide,
  pricing: z.enum(['base', 'own']),
  changes: z.array(z.strictObject({ ...moved, status: z.enum(['added', 'removed', 'changed', 'unchanged']) })),
  tripped: z.array(z.strictObject({ rule: z.string(), level: z.enum(['fail', 'warn']), ...moved })),
  failed: z.boolean(),
  price_effect: z.array(z.strictObject({ route: z.string(), head_at_base_prices: usd, head_at_head_prices: usd, delta: usd })).nullable(),
  monthly: z.strictObject({
    runs_per_month: z.number().nonnegative(), basis: z.enum(['given', 'observed']),
    observed: z.strictObject({ runs: count, days: count }).nullable(),
  }),
  why: z.array(driver).describe('what moved on each route whose cost per run moved (diff-why.ts)'),
  skipped: z.boolean(),
  notes: z.array(z.string()),
});

/** Each published document by the name of its schema file (`schemas/<name>.schema.json`). */
export const DOCUMENT_SCHEMAS = {
  costs: costsDocument,
  reconcile: reconcileDocument,
  anomalies: anomaliesDocument,
  guard: guardDocument,
  diff: diffDocument,
} as const;

export type DocumentName = keyof typeof DOCUMENT_SCHEMAS;

/** The JSON Schema (draft 2020-12) of one document, as published under `schemas/`. */
export function documentJsonSchema(name: DocumentName): Record<string, unknown> {
  const schema = z.toJSONSchema(DOCUMENT_SCHEMAS[name], { io: 'output' });
  return { $schema: schema.$schema, $id: `https://github.com/costattr/costattr/schemas/${name}.schema.json`, title: `costattr ${name} --format json`, ...schema };
}
