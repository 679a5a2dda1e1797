/**
 * `whatif` results for people: the delta by tenant and route, per tenant, and the per-request cost
 * ratio of each model swap as the price book gives it. The JSON shape is the result object itself.
 */
import type { WhatifResult } from '../analysis/whatif.js';
import type { Column, TableModel } from './model.js';
import { formatSignedUsd, formatUsd } from './money.js';

const MONEY_COLUMNS: Column[] = [
  { key: 'base_usd', header: 'base', kind: 'money' },
  { key: 'whatif_usd', header: 'what-if', kind: 'money' },
  { key: 'delta_usd', header: 'delta', kind: 'money_delta' },
  { key: 'delta_pct', header: 'delta %', kind: 'rate' },
];

function describeChanges(result: WhatifResult): string {
  const c = result.changes;
  const parts = [
    ...Object.entries(c.swap_model).map(([from, to]) => `swap ${from} → ${to}`),
    ...(c.as_of ? [`price book as of ${c.as_of}`] : []),
    ...Object.entries(c.batch_share).map(([route, share]) => `${(share * 100).toFixed(0)}% of ${route} on batch`),
    ...Object.entries(c.cache_hit).map(([route, rate]) => `${route} cache hit ≥ ${(rate * 100).toFixed(0)}%`),
  ];
  return parts.length > 0 ? parts.join('; ') : 'no change';
}

export function whatifRowsTable(result: WhatifResult): TableModel {
  const t = result.totals;
  const notes = [`Total: ${formatUsd(t.base_usd)} → ${formatUsd(t.whatif_usd)} (${formatSignedUsd(t.delta_usd)}).`];
  if (t.not_repriced_spans > 0) notes.push(`${t.not_repriced_spans} spans could not be priced under the change (no rate in the book) and keep their base cost.`);
  if (t.unpriced_spans > 0) notes.push(`${t.unpriced_spans} spans have no base price: the base total is a lower bound.`);
  return {
    title: `What if: ${describeChanges(result)}`,
    columns: [
      { key: 'tenant', header: 'tenant', kind: 'text' },
      { key: 'route', header: 'route', kind: 'text' },
      { key: 'spans', header: 'spans', kind: 'int' },
      ...MONEY_COLUMNS,
    ],
    rows: result.rows.map((r) => ({ ...r })),
    notes,
  };
}

export function whatifTenantsTable(result: WhatifResult): TableModel {
  return {
    title: 'By tenant',
    columns: [{ key: 'tenant', header: 'tenant', kind: 'text' }, { key: 'spans', header: 'spans', kind: 'int' }, ...MONEY_COLUMNS],
    rows: result.tenants.map((r) => ({ ...r })),
    notes: [],
  };
}

export function whatifSwapsTable(result: WhatifResult): TableModel {
  return {
    title: 'Model swaps (rates from the price book)',
    columns: [
      { key: 'from', header: 'from', kind: 'text' },
      { key: 'to', header: 'to', kind: 'text' },
      { key: 'spans', header: 'spans', kind: 'int' },
      { key: 'base_usd', header: 'base', kind: 'money' },
      { key: 'whatif_usd', header: 'what-if', kind: 'money' },
      { key: 'cost_ratio', header: 'cheaper by', kind: 'number' },
    ],
    rows: result.swaps.map((s) => ({ ...s, cost_ratio: s.cost_ratio === null ? null : `${s.cost_ratio.toFixed(2)}×` })),
    notes: [],
  };
}

export function whatifTables(result: WhatifResult): TableModel[] {
  return [whatifRowsTable(result), whatifTenantsTable(result), ...(result.swaps.length > 0 ? [whatifSwapsTable(result)] : [])];
}
