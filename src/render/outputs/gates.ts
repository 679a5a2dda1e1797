/**
 * Results that carry a gate — reconcile's tolerance, guard's critical events, diff's rules — as
 * Renderings: the output first, then the failure (exit 1) the output layer reports after it.
 */
import type { DiffResult } from '../../analysis/diff.js';
import { TOTAL_ROUTE } from '../../analysis/diff.js';
import type { RecommendedPolicy } from '../../analysis/guard/recommend.js';
import type { GuardResult } from '../../analysis/guard/types.js';
import type { ReconcileResult } from '../../analysis/reconcile.js';
import { CostattrError } from '../../errors.js';
import { renderCsv } from '../csv.js';
import { renderDiffMarkdown } from '../diff-comment.js';
import { renderDiffTable } from '../diff.js';
import { guardTables, guardTenantsTable } from '../guard.js';
import { renderJson, renderJsonDocument } from '../json.js';
import { formatUnitUsd } from '../money.js';
import { billTable, linesTable, reconcileTables } from '../reconcile.js';
import { jsonRenderer, tableRenderers, type Rendering } from '../rendering.js';

export interface ReconcileView {
  title: string;
  detail: boolean;
  tolerance: string | undefined;
  /** Where to write the pass-through bill CSV (`--bill`). */
  billFile: string | undefined;
}

function billFile(result: ReconcileResult, path: string): NonNullable<Rendering['files']>[number] {
  if (result.bill === null) {
    throw new CostattrError('BAD_USAGE', '--bill needs revenue (--revenue FILE or a --db with revenue) and one calendar month (--month YYYY-MM)');
  }
  return { path, text: renderCsv(billTable(result.bill)), note: `wrote the pass-through bill of ${result.bill.length} tenant(s) to ${path}` };
}

export function reconcileRendering(result: ReconcileResult, view: ReconcileView): Rendering {
  const pct = result.unexplained_pct === null ? 'all' : `${(result.unexplained_pct * 100).toFixed(2)}%`;
  return {
    renderers: {
      ...jsonRenderer(() => result.report),
      ...tableRenderers(['table', 'md', 'csv'], (format) =>
        (format === 'csv' ? [linesTable(result)] : reconcileTables(result, { title: view.title, detail: view.detail }))),
    },
    files: view.billFile === undefined ? [] : [billFile(result, view.billFile)],
    notes: () => result.notes,
    failure: result.gateFailed ? reconcileFailure(result, pct, view.tolerance) : undefined,
  };
}

function reconcileFailure(result: ReconcileResult, pct: string, tolerance: string | undefined): CostattrError {
  if (result.unvalued.length > 0) {
    return new CostattrError('GATE_FAILED', `${result.unvalued.length} invoice line(s) with usage but no cost could not be valued by the price book; the gate cannot pass over them (listed above)`, {
      hint: 'add their prices with --pricing FILE, or export the invoice with costs',
    });
  }
  return new CostattrError('GATE_FAILED', `unexplained variance ${formatUnitUsd(result.unexplained_usd)} (${pct} of the invoice) is over the tolerance ${tolerance ?? ''}`);
}

export function guardRendering(result: GuardResult, failOnCritical: boolean): Rendering {
  return {
    renderers: {
      ...jsonRenderer(() => result),
      ...tableRenderers(['table', 'md', 'csv'], (format) => (format === 'csv' ? [guardTenantsTable(result)] : guardTables(result))),
    },
    notes: (format) => (format === 'json' ? result.notes : []),
    failure: failOnCritical && result.critical_events > 0
      ? new CostattrError('GATE_FAILED', `${result.critical_events} critical guard event(s): a kill switch or daily cap would have fired`)
      : undefined,
  };
}

/** A recommended policy is a policy file: JSON whatever the format. */
export function policyRendering(policy: RecommendedPolicy): Rendering {
  const text = (): string => renderJson(policy);
  return { renderers: { table: text, json: text, csv: text, md: text } };
}

export function diffRendering(result: DiffResult): Rendering {
  const failed = result.tripped.filter((t) => t.level === 'fail');
  return {
    renderers: {
      json: () => renderJsonDocument(result),
      md: () => renderDiffMarkdown(result),
      table: ({ color }) => renderDiffTable(result, { color }),
    },
    // a skipped diff writes nothing at all (an empty --out file), so CI can test for an empty comment
    emptyIsSilence: true,
    failure: result.failed
      ? new CostattrError('GATE_FAILED', `cost gate failed: ${failed.map((t) => `${t.rule} (${t.route === TOTAL_ROUTE ? 'total' : `route ${t.route}`})`).join('; ')}`)
      : undefined,
  };
}
