/**
 * `audit` results: JSON (`tenant`, `totals`, `by_user` … `by_layer` rows shaped like `costs` rows,
 * `top_traces` with their spans) and table models for table/Markdown, one section per question.
 */
import { AUDIT_DIMENSIONS, type AuditResult, type AuditTrace } from '../analysis/audit.js';
import { costsJson, costsTable, lowerBoundNotes } from './costs.js';
import type { Column, Row, TableModel } from './model.js';

export function auditJson(result: AuditResult): Record<string, unknown> {
  const s = result.summary;
  const json: Record<string, unknown> = {
    tenant: result.tenant,
    totals: {
      cost_usd: s.cost_usd,
      runs: s.runs,
      spans: s.spans,
      input_tokens: s.input_tokens,
      cache_read_tokens: s.cache_read_tokens,
      cache_write_tokens: s.cache_write_tokens,
      output_tokens: s.output_tokens,
      cache_hit_rate: s.cache_hit_rate,
      p50_run_usd: s.p50_run_usd,
      p95_run_usd: s.p95_run_usd,
      unpriced_spans: s.unpriced_spans,
      priced_share: s.priced_share,
    },
  };
  for (const dim of AUDIT_DIMENSIONS) json[`by_${dim}`] = costsJson(result.breakdowns[dim]).rows;
  json.top_traces = result.topTraces;
  return json;
}

const SUMMARY_COLUMNS: Column[] = [
  { key: 'cost_usd', header: 'cost', kind: 'money' },
  { key: 'runs', header: 'runs', kind: 'int' },
  { key: 'spans', header: 'spans', kind: 'int' },
  { key: 'p50_run_usd', header: 'p50/run', kind: 'unit_money' },
  { key: 'p95_run_usd', header: 'p95/run', kind: 'unit_money' },
  { key: 'cache_hit_rate', header: 'cache hit', kind: 'rate' },
  { key: 'priced_share', header: 'priced tokens', kind: 'rate' },
];

const TRACE_COLUMNS: Column[] = [
  { key: 'trace', header: 'trace / span', kind: 'text' },
  { key: 'detail', header: 'start / model', kind: 'text' },
  { key: 'input', header: 'input', kind: 'int' },
  { key: 'cache_read', header: 'cache read', kind: 'int', dropRank: 3 },
  { key: 'cache_write_5m', header: 'write 5m', kind: 'int', dropRank: 2 },
  { key: 'cache_write_1h', header: 'write 1h', kind: 'int', dropRank: 1 },
  { key: 'output', header: 'output', kind: 'int' },
  { key: 'cost_usd', header: 'cost', kind: 'money' },
];

function traceRows(trace: AuditTrace): Row[] {
  const head: Row = { trace: trace.trace_id, detail: `${trace.start} · ${trace.routes}`, cost_usd: trace.cost_usd };
  return [
    head,
    ...trace.spans.map((span): Row => ({
      trace: `  ${span.name}`,
      detail: span.priced ? span.model : `${span.model} (unpriced)`,
      input: span.input_tokens,
      cache_read: span.cache_read_tokens,
      cache_write_5m: span.cache_write_5m_tokens,
      cache_write_1h: span.cache_write_1h_tokens,
      output: span.output_tokens,
      cost_usd: span.cost_usd,
    })),
  ];
}

export function auditTables(result: AuditResult): TableModel[] {
  const s = result.summary;
  const summary: TableModel = {
    title: `tenant ${result.tenant}`,
    columns: SUMMARY_COLUMNS,
    rows: [{ cost_usd: s.cost_usd, runs: s.runs, spans: s.spans, p50_run_usd: s.p50_run_usd, p95_run_usd: s.p95_run_usd, cache_hit_rate: s.cache_hit_rate, priced_share: s.priced_share }],
    notes: lowerBoundNotes(result.unpriced),
  };
  const sections = AUDIT_DIMENSIONS.map((dim) => costsTable(result.breakdowns[dim], { summary: false, title: `by ${dim}` }));
  const traces: TableModel = {
    title: `most expensive traces (top ${result.topTraces.length})`,
    columns: TRACE_COLUMNS,
    rows: result.topTraces.flatMap(traceRows),
    notes: [],
  };
  return [summary, ...sections, traces];
}
