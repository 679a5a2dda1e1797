/**
 * `audit --tenant X`: where one tenant's money goes. Its spend by user, route, model, day and
 * layer (each the `costs` attribution filtered to the tenant), its ten most expensive traces with
 * a per-span breakdown, its cache hit rate and totals. The tenant is checked to exist
 * before (see coverage.ts `requireKnown`): an unknown one is refused with the closest ids.
 */
import type { SqlEngine } from '../db/engine.js';
import { usdNumberSql } from '../db/money.js';
import { UNATTRIBUTED } from '../db/schema.js';
import { num } from '../db/values.js';
import { costliestTraces } from './cost-rollup.js';
import { attributeCosts, type CostsResult, type CostsRow, type CostsTotals, type UnpricedModel } from './costs.js';
import { UNKNOWN, type Dimension } from './dimensions.js';
import type { Period } from './period.js';
import { baseRelation, type SpanFilter } from './span-filter.js';

export const AUDIT_DIMENSIONS = ['user', 'route', 'model', 'day', 'layer'] as const satisfies readonly Dimension[];
export type AuditDimension = (typeof AUDIT_DIMENSIONS)[number];
const TOP_TRACES = 10;

export interface AuditSpec {
  tenant: string;
  period: Period;
}

export interface AuditSpan {
  span_id: string;
  name: string;
  model: string;
  priced: boolean;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface AuditTrace {
  trace_id: string;
  /** Earliest span start, in the period's time zone. */
  start: string;
  routes: string;
  cost_usd: number;
  spans: AuditSpan[];
}

export interface AuditSummary extends CostsTotals {
  runs: number;
  spans: number;
  input_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  output_tokens: number;
  cache_hit_rate: number | null;
  p50_run_usd: number;
  p95_run_usd: number;
}

export interface AuditResult {
  tenant: string;
  summary: AuditSummary;
  breakdowns: Record<AuditDimension, CostsResult>;
  topTraces: AuditTrace[];
  unpriced: UnpricedModel[];
}

export async function auditTenant(db: SqlEngine, spec: AuditSpec): Promise<AuditResult> {
  const filter: SpanFilter = { period: spec.period, tenant: spec.tenant };
  const overall = await attributeCosts(db, { by: ['tenant'], filter });
  const breakdowns = {} as Record<AuditDimension, CostsResult>;
  for (const dim of AUDIT_DIMENSIONS) breakdowns[dim] = await attributeCosts(db, { by: [dim], filter });
  return {
    tenant: spec.tenant,
    summary: summarise(overall.rows[0], overall.totals),
    breakdowns,
    topTraces: await topTraces(db, filter),
    unpriced: overall.unpriced,
  };
}

function summarise(row: CostsRow | undefined, totals: CostsTotals): AuditSummary {
  return {
    ...totals,
    runs: row?.runs ?? 0,
    spans: row?.spans ?? 0,
    input_tokens: row?.input_tokens ?? 0,
    cache_read_tokens: row?.cache_read_tokens ?? 0,
    cache_write_tokens: row?.cache_write_tokens ?? 0,
    output_tokens: row?.output_tokens ?? 0,
    cache_hit_rate: row?.cache_hit_rate ?? null,
    p50_run_usd: row?.p50_run_usd ?? 0,
    p95_run_usd: row?.p95_run_usd ?? 0,
  };
}

/** The costliest traces, spans and all: priced spans of the few candidate traces the roll-ups name, ranked exactly. */
async function topTraces(db: SqlEngine, filter: SpanFilter): Promise<AuditTrace[]> {
  const candidates = await costliestTraces(db, filter, TOP_TRACES);
  if (candidates.length === 0) return [];
  const period = baseRelation(filter, undefined, db.dialect);
  const traceParams = Object.fromEntries(candidates.map((trace, i) => [`trace${i}`, trace]));
  const base = { ...period, sql: `SELECT * FROM (${period.sql}) p WHERE trace_id IN (${Object.keys(traceParams).map((name) => `$${name}`).join(', ')})` };
  const rows = await db.all(
    `WITH base AS (${base.sql}),
     ranked AS (
       SELECT trace_id, sum(cost_usd) AS cost, min(local_time) AS start,
         coalesce(${db.dialect.distinctList('route', ', ')}, $unattributed) AS routes
       FROM base GROUP BY trace_id ORDER BY cost DESC, trace_id LIMIT ${TOP_TRACES}
     )
     SELECT r.trace_id, ${usdNumberSql('r.cost')} AS trace_cost, ${db.dialect.strftime('r.start', '%Y-%m-%d %H:%M:%S')} AS start, r.routes,
       b.span_id, coalesce(b.name, '') AS name, coalesce(b.model, $unknown) AS model, b.priced,
       b.input_tokens, b.cache_read_tokens, b.cache_write_5m_tokens, b.cache_write_1h_tokens, b.output_tokens,
       ${usdNumberSql('b.cost_usd')} AS cost
     FROM ranked r JOIN base b USING (trace_id)
     ORDER BY r.cost DESC, r.trace_id, b.start_time, b.span_id`,
    { ...base.params, ...traceParams, unknown: UNKNOWN, unattributed: UNATTRIBUTED },
  );
  const traces: AuditTrace[] = [];
  for (const row of rows) {
    let trace = traces.at(-1);
    if (trace === undefined || trace.trace_id !== row.trace_id) {
      trace = { trace_id: String(row.trace_id), start: String(row.start ?? ''), routes: String(row.routes), cost_usd: num(row.trace_cost), spans: [] };
      traces.push(trace);
    }
    trace.spans.push({
      span_id: String(row.span_id),
      name: String(row.name),
      model: String(row.model),
      priced: row.priced === true,
      input_tokens: num(row.input_tokens),
      cache_read_tokens: num(row.cache_read_tokens),
      cache_write_5m_tokens: num(row.cache_write_5m_tokens),
      cache_write_1h_tokens: num(row.cache_write_1h_tokens),
      output_tokens: num(row.output_tokens),
      cost_usd: num(row.cost),
    });
  }
  return traces;
}
