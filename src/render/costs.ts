/**
 * `costs` results in the shapes users read: the stable JSON of PRODUCT.md, and a table model for
 * table/CSV/Markdown. CSV carries exactly the JSON rows (by a time dimension, in date order); table and Markdown add the folded
 * `(other)` row under `--top`, a total row, the concentration line and the lower-bound notes.
 */
import type { CostsResult, CostsRow, Concentration, UnpricedModel } from '../analysis/costs.js';
import type { Dimension } from '../analysis/dimensions.js';
import type { Column, Row, TableModel } from './model.js';

export interface CostsJson {
  by: Dimension[];
  rows: Array<Record<string, string | number | null>>;
  totals: CostsResult['totals'];
}

export function costsJson(result: CostsResult): CostsJson {
  return {
    by: result.by,
    rows: result.rows.map((row) => ({ ...dimensionCells(result.by, row), ...metricCells(row) })),
    totals: result.totals,
  };
}

function dimensionCells(by: readonly Dimension[], row: CostsRow): Record<string, string> {
  return Object.fromEntries(by.map((dim, i) => [dim, row.values[i] ?? '']));
}

function metricCells(row: CostsRow): Record<string, number | null> {
  return {
    cost_usd: row.cost_usd,
    runs: row.runs,
    spans: row.spans,
    input_tokens: row.input_tokens,
    cache_read_tokens: row.cache_read_tokens,
    cache_write_tokens: row.cache_write_tokens,
    output_tokens: row.output_tokens,
    share: row.share,
    p50_run_usd: row.p50_run_usd,
    p95_run_usd: row.p95_run_usd,
    p99_run_usd: row.p99_run_usd,
    cache_hit_rate: row.cache_hit_rate,
  };
}

// dropRank: the order columns give way in a narrow terminal (the cost and the dimensions always stay)
const METRIC_COLUMNS: Column[] = [
  { key: 'cost_usd', header: 'cost', kind: 'money' },
  { key: 'runs', header: 'runs', kind: 'int', dropRank: 10 },
  { key: 'spans', header: 'spans', kind: 'int', dropRank: 3 },
  { key: 'input_tokens', header: 'input', kind: 'int', dropRank: 5 },
  { key: 'cache_read_tokens', header: 'cache read', kind: 'int', dropRank: 6 },
  { key: 'cache_write_tokens', header: 'cache write', kind: 'int', dropRank: 2 },
  { key: 'output_tokens', header: 'output', kind: 'int', dropRank: 7 },
  { key: 'share', header: 'share', kind: 'rate', dropRank: 11 },
  { key: 'p50_run_usd', header: 'p50/run', kind: 'unit_money', dropRank: 8 },
  { key: 'p95_run_usd', header: 'p95/run', kind: 'unit_money', dropRank: 4 },
  { key: 'p99_run_usd', header: 'p99/run', kind: 'unit_money', dropRank: 1 },
  { key: 'cache_hit_rate', header: 'cache hit', kind: 'rate', dropRank: 9 },
];

export interface CostsTableOptions {
  /** Add the `(other)` and total rows and the notes (table/md); CSV wants the data rows only. */
  summary: boolean;
  title?: string;
}

export function costsTable(result: CostsResult, options: CostsTableOptions): TableModel {
  const columns: Column[] = [...result.by.map((dim): Column => ({ key: dim, header: dim, kind: 'text' })), ...METRIC_COLUMNS];
  const rows: Row[] = inDateOrder(result.by, result.rows).map((row) => ({ ...dimensionCells(result.by, row), ...metricCells(row) }));
  const model: TableModel = { columns, rows, notes: [] };
  if (options.title !== undefined) model.title = options.title;
  if (!options.summary) return model;
  const first = result.by[0] ?? 'tenant';
  if (result.rest) {
    const { rest } = result;
    rows.push({
      [first]: `(other: ${rest.groups} more)`,
      cost_usd: rest.cost_usd,
      spans: rest.spans,
      input_tokens: rest.input_tokens,
      cache_read_tokens: rest.cache_read_tokens,
      cache_write_tokens: rest.cache_write_tokens,
      output_tokens: rest.output_tokens,
      share: rest.share,
    });
  }
  if (result.rows.length > 0) rows.push({ [first]: 'total', cost_usd: result.totals.cost_usd, share: result.totals.cost_usd > 0 ? 1 : 0 });
  model.notes = costsNotes(result);
  return model;
}

const TIME_DIMENSIONS: readonly Dimension[] = ['day', 'week', 'month'];

/** By a time dimension first, rows read in date order (`YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM` sort as text); otherwise by cost, as given. */
function inDateOrder(by: readonly Dimension[], rows: readonly CostsRow[]): readonly CostsRow[] {
  if (!TIME_DIMENSIONS.includes(by[0] ?? 'tenant')) return rows;
  return [...rows].sort((a, b) => {
    const [x, y] = [a.values[0] ?? '', b.values[0] ?? ''];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

export function costsNotes(result: Pick<CostsResult, 'by' | 'concentration' | 'unpriced'>): string[] {
  const notes: string[] = [];
  if (result.concentration) notes.push(concentrationLine(result.by, result.concentration));
  notes.push(...lowerBoundNotes(result.unpriced));
  return notes;
}

const PLURAL: Record<Dimension, string> = {
  tenant: 'tenants', user: 'users', task: 'tasks', route: 'routes', model: 'models', provider: 'providers',
  tier: 'tiers', effort: 'effort levels', day: 'days', week: 'weeks', month: 'months', layer: 'layers',
};

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

export function concentrationLine(by: readonly Dimension[], c: Concentration): string {
  const what = by.length === 1 ? PLURAL[by[0] ?? 'tenant'] : `${by.join(' × ')} groups`;
  return `the top 10% of ${what} (${c.top_groups} of ${c.groups}) make ${percent(c.share)} of spend`;
}

export function lowerBoundNotes(unpriced: readonly UnpricedModel[]): string[] {
  return unpriced.map((u) =>
    `total is a lower bound: ${u.spans} span${u.spans === 1 ? '' : 's'} of model ${u.model} unpriced (${percent(u.token_share)} of tokens; ${u.reason})`);
}
