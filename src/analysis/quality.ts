/**
 * `costattr quality`: how trustworthy the stored data is, per span source. For each source: files
 * and records read, spans loaded, records dropped by each dedupe rule (`ingest_drops`: Claude Code
 * message/request snapshots, the (trace id, span id) rule; and copies merged away because another
 * source reported the same provider response id), records rejected, the input-token conventions
 * applied, inference spans missing each attribution tag, unpriced spans and models, calls that got a
 * price, spans naming a model without a counter costattr reads (and the counter-like attributes they
 * carried), and the share of priced spend that is attributable (has a tenant). Money stays DECIMAL until the final projection.
 * Needs the price book installed (`priced_spans`).
 */
import type { Database } from '../db/database.js';
import { num } from '../db/values.js';
import { SYNTHETIC_RULE } from '../ingest/sources/claude-code/calls.js';
import { INFERENCE_OPERATION_SQL } from '../ingest/spans/response-merge.js';

/** Drop rule for copies a response-id merge left unpriced (derived from `spans`, not stored). */
export const RESPONSE_ID_RULE = 'response_id';
export const QUALITY_TAGS = ['tenant', 'user_id', 'task', 'route'] as const;
export type QualityTag = (typeof QUALITY_TAGS)[number];

export interface SourceQuality {
  source: string;
  files: number;
  records: number;
  spans: number;
  inference_spans: number;
  /** Calls that got a price: a model the book prices, and token counters costattr reads. */
  priced_calls: number;
  /** Spans that name a model but carry no token counter costattr reads (counted as $0), and the counter-like attributes seen on them. */
  uncounted_spans: number;
  uncounted_attributes: string[];
  duplicates: Record<string, number>;
  /** Records left out on purpose, not as duplicates (Claude Code `<synthetic>` messages). */
  ignored: Record<string, number>;
  rejected: number;
  conventions: Record<string, number>;
  missing_tags: Record<QualityTag, number>;
  unpriced_spans: number;
  unpriced_models: string[];
  cost_usd: number;
  attributable_usd: number;
  attributable_share: number | null;
  /** What the source itself said the calls cost (LiteLLM spend, Langfuse cost), for comparison only. */
  source_reported_usd: number | null;
}

export interface QualityResult {
  sources: SourceQuality[];
  totals: { cost_usd: number; attributable_usd: number; attributable_share: number | null; unpriced_spans: number; lower_bound: boolean };
}

/** A span the ingest marked as naming a model without a counter it reads (src/ingest/spans/normalise.ts). */
const UNCOUNTED = `coalesce(json_exists(tags_json, '$.uncounted_counters'), false)`;

/** Span source names of ingest formats (flat tables are stored as source `flat`). */
const FORMAT_SOURCE = `CASE WHEN format IN ('jsonl', 'csv', 'parquet') THEN 'flat' ELSE format END`;

function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

type IngestRow = { source: string; files: string; records: string; rejected: string };
type DropRow = { source: string; rule: string; n: string };
type SpanRow = { source: string; spans: string; inference: string; merged: string; uncounted: string; uncounted_attributes: string[] | null };
type PricedRow = {
  source: string;
  missing_tenant: string;
  missing_user_id: string;
  missing_task: string;
  missing_route: string;
  unpriced: string;
  priced_calls: string;
  unpriced_models: string[] | null;
  cost: string;
  attributable: string;
  reported: number | null;
};
type ConventionRow = { source: string; convention: string; n: string };

export async function assessQuality(db: Database): Promise<QualityResult> {
  const ingests = await db.all<IngestRow>(`
    SELECT ${FORMAT_SOURCE} AS source, count(*)::VARCHAR AS files, sum(records_read)::VARCHAR AS records, sum(rejected)::VARCHAR AS rejected
    FROM ingests WHERE format NOT LIKE 'invoice:%' GROUP BY 1`);
  const drops = await db.all<DropRow>(`
    SELECT ${FORMAT_SOURCE} AS source, d.rule, sum(d.records)::VARCHAR AS n
    FROM ingest_drops d JOIN ingests USING (ingest_id) GROUP BY 1, 2 ORDER BY 1, 2`);
  const spans = await db.all<SpanRow>(`
    SELECT source, count(*)::VARCHAR AS spans, count(*) FILTER (WHERE is_inference)::VARCHAR AS inference,
      count(*) FILTER (WHERE NOT is_inference AND operation IN ${INFERENCE_OPERATION_SQL} AND coalesce(response_id, '') <> '')::VARCHAR AS merged,
      count(*) FILTER (WHERE ${UNCOUNTED})::VARCHAR AS uncounted,
      list_sort(list_distinct(flatten(list(json_extract_string(tags_json, '$.uncounted_counters[*]')) FILTER (WHERE ${UNCOUNTED})))) AS uncounted_attributes
    FROM spans GROUP BY 1`);
  const conventions = await db.all<ConventionRow>(`
    SELECT source, input_convention AS convention, count(*)::VARCHAR AS n FROM spans WHERE is_inference GROUP BY 1, 2 ORDER BY 1, 2`);
  const priced = await db.all<PricedRow>(`
    SELECT source,
      count(*) FILTER (WHERE tenant IS NULL)::VARCHAR AS missing_tenant,
      count(*) FILTER (WHERE user_id IS NULL)::VARCHAR AS missing_user_id,
      count(*) FILTER (WHERE task IS NULL)::VARCHAR AS missing_task,
      count(*) FILTER (WHERE route IS NULL)::VARCHAR AS missing_route,
      count(*) FILTER (WHERE NOT priced)::VARCHAR AS unpriced,
      count(*) FILTER (WHERE priced AND NOT ${UNCOUNTED})::VARCHAR AS priced_calls,
      list(DISTINCT model ORDER BY model) FILTER (WHERE NOT priced) AS unpriced_models,
      sum(cost_usd)::VARCHAR AS cost,
      coalesce(sum(cost_usd) FILTER (WHERE tenant IS NOT NULL), 0)::VARCHAR AS attributable,
      sum(TRY_CAST(json_extract_string(tags_json, '$.source_cost_usd') AS DOUBLE)) AS reported
    FROM priced_spans GROUP BY 1`);

  const names = [...new Set([...ingests.map((r) => r.source), ...spans.map((r) => r.source)])].sort();
  const sources = names.map((source): SourceQuality => {
    const ing = ingests.find((r) => r.source === source);
    const sp = spans.find((r) => r.source === source);
    const pr = priced.find((r) => r.source === source);
    const duplicates: Record<string, number> = {};
    const ignored: Record<string, number> = {};
    for (const d of drops.filter((r) => r.source === source)) (d.rule === SYNTHETIC_RULE ? ignored : duplicates)[d.rule] = num(d.n);
    if (num(sp?.merged) > 0) duplicates[RESPONSE_ID_RULE] = num(sp?.merged);
    const conv: Record<string, number> = {};
    for (const c of conventions.filter((r) => r.source === source)) conv[c.convention] = num(c.n);
    const cost = num(pr?.cost);
    const attributable = num(pr?.attributable);
    return {
      source,
      files: num(ing?.files),
      records: num(ing?.records),
      spans: num(sp?.spans),
      inference_spans: num(sp?.inference),
      priced_calls: num(pr?.priced_calls),
      uncounted_spans: num(sp?.uncounted),
      uncounted_attributes: sp?.uncounted_attributes ?? [],
      duplicates,
      ignored,
      rejected: num(ing?.rejected),
      conventions: conv,
      missing_tags: {
        tenant: num(pr?.missing_tenant),
        user_id: num(pr?.missing_user_id),
        task: num(pr?.missing_task),
        route: num(pr?.missing_route),
      },
      unpriced_spans: num(pr?.unpriced),
      unpriced_models: pr?.unpriced_models ?? [],
      cost_usd: cost,
      attributable_usd: attributable,
      attributable_share: share(attributable, cost),
      source_reported_usd: pr?.reported ?? null,
    };
  });
  const totals = await db.one<{ cost: string; attributable: string; unpriced: string }>(`
    SELECT coalesce(sum(cost_usd), 0)::VARCHAR AS cost, coalesce(sum(cost_usd) FILTER (WHERE tenant IS NOT NULL), 0)::VARCHAR AS attributable,
      count(*) FILTER (WHERE NOT priced)::VARCHAR AS unpriced
    FROM priced_spans`);
  const cost = num(totals?.cost);
  const attributable = num(totals?.attributable);
  const unpriced = num(totals?.unpriced);
  return {
    sources,
    totals: { cost_usd: cost, attributable_usd: attributable, attributable_share: share(attributable, cost), unpriced_spans: unpriced, lower_bound: unpriced > 0 },
  };
}
