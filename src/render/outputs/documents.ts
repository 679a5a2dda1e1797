/**
 * Results whose every format is a whole document — scheduled reports, snapshots, the demo, the
 * ingest report — as Renderings.
 */
import type { Snapshot } from '../../analysis/snapshot.js';
import { formatSnapshot } from '../../analysis/snapshot.js';
import { demoJson, demoTables } from '../../demo/report.js';
import type { DemoResult } from '../../demo/run.js';
import { CostattrError } from '../../errors.js';
import type { IngestReport } from '../../ingest/spans/index.js';
import { renderJsonDocument } from '../json.js';
import { skippedNotes } from '../problems.js';
import { ingestSourceLines, uncountedNotes } from '../quality.js';
import { jsonRenderer, tableRenderers, type Rendering } from '../rendering.js';
import { formatUnitUsd } from '../money.js';
import { renderReport, type Report } from '../report.js';

export function reportRendering(report: Report): Rendering {
  return {
    renderers: {
      table: ({ color }) => renderReport(report, 'table', { color }),
      md: ({ color }) => renderReport(report, 'md', { color }),
      slack: ({ color }) => renderReport(report, 'slack', { color }),
      html: ({ color }) => renderReport(report, 'html', { color }),
      json: ({ color }) => renderReport(report, 'json', { color }),
    },
  };
}

export function snapshotRendering(snapshot: Snapshot, out: string | undefined): Rendering {
  return {
    renderers: { json: () => formatSnapshot(snapshot) },
    notes: () => [`snapshot: ${snapshot.totals.runs} runs over ${Object.keys(snapshot.routes).length} routes, ${formatUnitUsd(snapshot.totals.cost_per_run)} per run${out ? ` → ${out}` : ''}`],
  };
}

export function demoRendering(result: DemoResult): Rendering {
  const c = result.check;
  return {
    renderers: { ...jsonRenderer(() => demoJson(result)), ...tableRenderers(['table', 'md'], () => demoTables(result)) },
    // a mismatch means attribution disagrees with the ground truth: a failed check
    failure: c.matched !== c.tenants || !c.unattributed_matches || !result.invoice.untraced_matches
      ? new CostattrError('GATE_FAILED', `the demo's attribution disagrees with the generator's ground truth (${c.matched}/${c.tenants} tenants to the cent)`)
      : undefined,
  };
}

export function ingestSummary(report: IngestReport): string {
  const conventions = Object.entries(report.conventions)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return (
    `loaded ${report.loaded} spans from ${report.files.length} files ` +
    `(${report.duplicates} duplicates, ${report.rejected} rejected, ${report.problems.length} skipped); ` +
    `conventions: ${conventions || 'none'}; namespace ${report.namespace ?? 'none'}`
  );
}

/** The ingest report: notes on stderr, and on stdout only as JSON (`--json`). */
export function ingestRendering(report: IngestReport | undefined): Rendering {
  const problems = skippedNotes(report?.problems ?? []);
  return {
    renderers: {
      json: () => (report === undefined ? '' : renderJsonDocument(report)),
      table: () => '',
    },
    emptyIsSilence: true,
    notes: () => (report === undefined ? [] : [...problems, ingestSummary(report), ...uncountedNotes(report), ...ingestSourceLines(report)]),
  };
}
