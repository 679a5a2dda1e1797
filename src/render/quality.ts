/**
 * `costattr quality` output: the per-source table (counts, dedupe rules, conventions, missing tags,
 * unpriced, attributable share), its notes (a lower-bound warning, source-reported costs), the JSON
 * shape (money rounded to 6 decimals), and the one-line summary printed after an ingest.
 */
import type { QualityResult, SourceQuality } from '../analysis/quality.js';
import type { IngestReport } from '../ingest/spans/types.js';
import type { TableModel } from './model.js';
import { formatUsd, roundUsd } from './money.js';

function counts(map: Readonly<Record<string, number>>): string {
  const parts = Object.entries(map)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, n]) => `${k} ${n}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

export function qualityTable(result: QualityResult): TableModel {
  return {
    title: 'Data quality by source',
    columns: [
      { key: 'source', header: 'source', kind: 'text' },
      { key: 'files', header: 'files', kind: 'int', dropRank: 2 },
      { key: 'records', header: 'records', kind: 'int', dropRank: 3 },
      { key: 'spans', header: 'spans', kind: 'int', dropRank: 8 },
      { key: 'priced_calls', header: 'priced calls', kind: 'int', dropRank: 9 },
      { key: 'uncounted', header: 'calls without counters', kind: 'text', dropRank: 7 },
      { key: 'duplicates', header: 'duplicates by rule', kind: 'text', dropRank: 4 },
      { key: 'ignored', header: 'ignored', kind: 'text', dropRank: 1 },
      { key: 'rejected', header: 'rejected', kind: 'int', dropRank: 5 },
      { key: 'conventions', header: 'input convention', kind: 'text', dropRank: 6 },
      { key: 'missing', header: 'calls missing tenant/user/task/route', kind: 'text' },
      { key: 'unpriced', header: 'unpriced calls', kind: 'text' },
      { key: 'cost_usd', header: 'cost', kind: 'money' },
      { key: 'attributable_share', header: 'attributable', kind: 'rate' },
    ],
    rows: result.sources.map((s) => ({
      source: s.source,
      files: s.files,
      records: s.records,
      spans: s.spans,
      priced_calls: s.priced_calls,
      uncounted: s.uncounted_spans === 0 ? '0' : `${s.uncounted_spans}${s.uncounted_attributes.length > 0 ? ` (${s.uncounted_attributes.join(', ')})` : ''}`,
      duplicates: counts(s.duplicates),
      ignored: counts(s.ignored),
      rejected: s.rejected,
      conventions: counts(s.conventions),
      missing: `${s.missing_tags.tenant}/${s.missing_tags.user_id}/${s.missing_tags.task}/${s.missing_tags.route}`,
      unpriced: s.unpriced_spans === 0 ? '0' : `${s.unpriced_spans} (${s.unpriced_models.join(', ')})`,
      cost_usd: s.cost_usd,
      attributable_share: s.attributable_share,
    })),
    notes: qualityNotes(result),
  };
}

export function qualityNotes(result: QualityResult): string[] {
  const notes: string[] = [];
  const t = result.totals;
  const pct = t.attributable_share === null ? 'n/a' : `${(t.attributable_share * 100).toFixed(1)}%`;
  notes.push(`total priced spend ${formatUsd(t.cost_usd)}, ${pct} attributable to a tenant`);
  if (t.lower_bound) notes.push(`${t.unpriced_spans} calls have no price: every total is a lower bound`);
  for (const s of result.sources) {
    if (s.source_reported_usd !== null) {
      notes.push(`${s.source} reported ${formatUsd(s.source_reported_usd)} itself (kept for comparison; costattr priced ${formatUsd(s.cost_usd)})`);
    }
  }
  return notes;
}

function sourceJson(s: SourceQuality): Record<string, unknown> {
  return {
    ...s,
    cost_usd: roundUsd(s.cost_usd),
    attributable_usd: roundUsd(s.attributable_usd),
    source_reported_usd: s.source_reported_usd === null ? null : roundUsd(s.source_reported_usd),
  };
}

export function qualityJson(result: QualityResult): Record<string, unknown> {
  return {
    sources: result.sources.map(sourceJson),
    totals: { ...result.totals, cost_usd: roundUsd(result.totals.cost_usd), attributable_usd: roundUsd(result.totals.attributable_usd) },
  };
}

/** After an ingest: one line per source format that dropped records by its own rules (cheap: from the report). */
export function ingestSourceLines(report: IngestReport): string[] {
  return report.files
    .filter((f) => f.dropped !== undefined)
    .map((f) => `${f.path} (${f.format}): ${f.recordsRead} records → ${f.loaded} spans; dropped ${counts(f.dropped ?? {})}; ` +
      `rejected ${f.rejected}; conventions ${counts(f.conventions)} (run \`costattr quality\` for the full report)`);
}

/** After loading spans: a warning when some name a model but carry no counter costattr reads (they price at $0). */
export function uncountedNotes(report: IngestReport): string[] {
  const { spans, attributes } = report.uncounted;
  if (spans === 0) return [];
  const seen = attributes.length === 0 ? 'no counter-like attribute seen' : `counter-like attributes seen: ${attributes.join(', ')}`;
  return [`warning: ${spans} spans name a model but carry no token counter costattr reads (${seen}); they count as $0 ` +
    '(export gen_ai.usage.* attributes, or map the counters of a flat table with --map)'];
}
