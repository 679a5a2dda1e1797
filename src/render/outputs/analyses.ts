/**
 * Each analysis result as a Rendering: its JSON document, the table models behind table/md/csv,
 * and the notes that go to stderr. One function per command; no command formats anything itself.
 */
import type { AnomaliesResult } from '../../analysis/anomalies/types.js';
import type { AuditResult } from '../../analysis/audit.js';
import type { CostsResult } from '../../analysis/costs.js';
import type { PricingCheckResult } from '../../analysis/pricing-check.js';
import type { QualityResult } from '../../analysis/quality.js';
import type { QueryResult } from '../../analysis/sql-query.js';
import type { WhatifResult } from '../../analysis/whatif.js';
import type { PriceList } from '../../pricebook/index.js';
import { anomaliesTable } from '../anomalies.js';
import { auditJson, auditTables } from '../audit.js';
import { costsJson, costsNotes, costsTable, lowerBoundNotes } from '../costs.js';
import { priceListTable, pricingCheckNotes, pricingCheckTable } from '../pricing.js';
import { qualityJson, qualityTable } from '../quality.js';
import { queryJson, queryTable } from '../query.js';
import { renderJson } from '../json.js';
import { jsonRenderer, tableRenderers, type Rendering } from '../rendering.js';
import { whatifRowsTable, whatifTables } from '../whatif.js';

export function costsRendering(result: CostsResult): Rendering {
  return {
    renderers: {
      ...jsonRenderer(() => costsJson(result)),
      ...tableRenderers(['table', 'md', 'csv'], (format) => [costsTable(result, { summary: format !== 'csv' })]),
    },
    // table and Markdown carry the notes under the table
    notes: (format) => (format === 'json' || format === 'csv' ? costsNotes(result) : []),
  };
}

export function auditRendering(result: AuditResult): Rendering {
  return {
    renderers: { ...jsonRenderer(() => auditJson(result)), ...tableRenderers(['table', 'md'], () => auditTables(result)) },
    notes: (format) => (format === 'json' ? lowerBoundNotes(result.unpriced) : []),
  };
}

export function anomaliesRendering(result: AnomaliesResult): Rendering {
  return { renderers: { ...jsonRenderer(() => result), ...tableRenderers(['table', 'md'], () => [anomaliesTable(result)]) } };
}

export function queryRendering(result: QueryResult): Rendering {
  return { renderers: { json: () => renderJson(queryJson(result)), ...tableRenderers(['table', 'md', 'csv'], () => [queryTable(result)]) } };
}

export function qualityRendering(result: QualityResult): Rendering {
  return { renderers: { ...jsonRenderer(() => qualityJson(result)), ...tableRenderers(['table', 'md', 'csv'], () => [qualityTable(result)]) } };
}

export function whatifRendering(result: WhatifResult): Rendering {
  return {
    renderers: {
      ...jsonRenderer(() => result),
      ...tableRenderers(['table', 'md', 'csv'], (format) => (format === 'csv' ? [whatifRowsTable(result)] : whatifTables(result))),
    },
  };
}

export function priceListRendering(list: PriceList): Rendering {
  return { renderers: { ...jsonRenderer(() => list), ...tableRenderers(['table', 'md', 'csv'], () => [priceListTable(list)]) } };
}

export function pricingCheckRendering(result: PricingCheckResult): Rendering {
  return {
    renderers: { ...jsonRenderer(() => result), ...tableRenderers(['table', 'md', 'csv'], () => [pricingCheckTable(result)]) },
    notes: (format) => (format === 'json' || format === 'csv' ? pricingCheckNotes(result) : []),
  };
}
