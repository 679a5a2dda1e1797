/**
 * `costattr demo` end to end: generate the worked example, ingest its spans and provider invoices
 * through the real ingest into an in-memory database, install the built-in price book, load the
 * revenue CSV, compute per-tenant margins and segments, reconcile spans against the invoices, run
 * the anomaly detectors, and check every tenant's cost (and the untraced spend) against the
 * generator's own ground truth (computed independently, at its own list prices).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withWorkspace, type Workspace, type WorkspaceSpec } from '../app/workspace.js';
import { DEFAULT_THRESHOLDS, detectAnomalies, type Anomaly, type AnomalyKind } from '../analysis/anomalies/index.js';
import { tenantMargins, type MarginReport } from '../analysis/margins.js';
import { parsePeriod } from '../analysis/period.js';
import { reconcile } from '../analysis/reconcile.js';
import { DEMO_MONTH, generateDemo, type GeneratedDemo } from './generate.js';
import { NAMESPACE } from './trace-builder.js';
import type { DemoTruth } from './truth.js';

export interface DemoSpec {
  seed: number;
  /** Keep the generated files here; otherwise they go to a temp dir removed afterwards. */
  outDir?: string | undefined;
  onNote?: (message: string) => void;
}

export interface TruthMismatch {
  tenant: string;
  truth_usd: string;
  attributed_usd: string | null;
}

export interface TruthCheck {
  tenants: number;
  /** Tenants whose attributed cost equals the ground truth to the cent. */
  matched: number;
  unattributed_matches: boolean;
  mismatches: TruthMismatch[];
}

export interface InvoiceCheck {
  invoice_usd: number;
  span_usd: number;
  untraced_usd: number;
  truth_untraced_usd: string;
  /** The reconciled untraced spend equals the generator's to the cent. */
  untraced_matches: boolean;
}

export interface DemoResult extends DemoAnalysis {
  seed: number;
  month: string;
  /** Where the generated files were kept (only with an output dir). */
  dir: string | undefined;
  files: string[];
}

const HALF_CENT_MICRO = 5_000n;

function micro(usd: string): bigint {
  const [whole = '0', fraction = ''] = usd.split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole.replace('-', '')) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6)));
}

/** Equal to the cent: the difference is under half a cent. */
export function sameToTheCent(a: string, b: string): boolean {
  const d = micro(a) - micro(b);
  return (d < 0n ? -d : d) < HALF_CENT_MICRO;
}

export function checkAgainstTruth(margins: MarginReport, truth: DemoTruth): TruthCheck {
  const attributed = new Map(margins.tenants.map((t) => [t.tenant, t.cost_usd]));
  const mismatches: TruthMismatch[] = [];
  for (const t of truth.tenants) {
    const got = attributed.get(t.tenant);
    if (got === undefined || !sameToTheCent(got, t.cost_usd)) mismatches.push({ tenant: t.tenant, truth_usd: t.cost_usd, attributed_usd: got ?? null });
  }
  return {
    tenants: truth.tenants.length,
    matched: truth.tenants.length - mismatches.length,
    unattributed_matches: sameToTheCent(margins.unattributed_usd, truth.unattributed.cost_usd),
    mismatches,
  };
}

/** Findings of one anomaly kind: how many, about which tenants. */
export interface AnomalyTally {
  kind: AnomalyKind;
  findings: number;
  tenants: string[];
}

export interface DemoAnalysis {
  spans: number;
  margins: MarginReport;
  invoice: InvoiceCheck;
  anomalies: AnomalyTally[];
  check: TruthCheck;
}

/** Findings per kind (in the detector's order), with the tenants they name. */
function tallyAnomalies(found: readonly Anomaly[]): AnomalyTally[] {
  const byKind = new Map<AnomalyKind, { findings: number; tenants: Set<string> }>();
  for (const a of found) {
    const tally = byKind.get(a.kind) ?? { findings: 0, tenants: new Set<string>() };
    tally.findings += 1;
    if (a.tenant !== null) tally.tenants.add(a.tenant);
    byKind.set(a.kind, tally);
  }
  return [...byKind].map(([kind, t]) => ({ kind, findings: t.findings, tenants: [...t.tenants].sort() }));
}

/** The generated files as a workspace: spans, invoices and revenue in memory, the built-in price book. */
export function demoWorkspace(generated: GeneratedDemo, notify: (message: string) => void = () => undefined): WorkspaceSpec {
  return {
    access: 'read',
    spans: [generated.spansFile],
    spanOptions: { namespace: NAMESPACE },
    invoices: { files: generated.invoiceFiles },
    revenue: generated.revenueFile,
    note: notify,
  };
}

/** Everything after loading: margins, reconcile, anomalies, and the check against the ground truth. */
export async function analyseDemo({ db, spans }: Workspace, generated: GeneratedDemo): Promise<DemoAnalysis> {
  const period = parsePeriod({ month: DEMO_MONTH, timezone: 'UTC' });
  const margins = await tenantMargins(db, { month: DEMO_MONTH });
  const reconciled = await reconcile(db, { period });
  const untraced = reconciled.report.untraced_usd;
  const found = await detectAnomalies(db, { period, kinds: [], minUsd: 0, thresholds: DEFAULT_THRESHOLDS });
  return {
    spans: spans?.loaded ?? 0,
    margins,
    invoice: {
      invoice_usd: reconciled.report.invoice_usd,
      span_usd: reconciled.report.span_usd,
      untraced_usd: untraced,
      truth_untraced_usd: generated.truth.totals.untraced_usd,
      untraced_matches: sameToTheCent(untraced.toFixed(6), generated.truth.totals.untraced_usd),
    },
    anomalies: tallyAnomalies(found.anomalies),
    check: checkAgainstTruth(margins, generated.truth),
  };
}

export async function runDemo(spec: DemoSpec): Promise<DemoResult> {
  if (spec.outDir !== undefined) mkdirSync(spec.outDir, { recursive: true });
  const dir = spec.outDir ?? mkdtempSync(join(tmpdir(), 'costattr-demo-'));
  const notify = spec.onNote ?? ((): void => undefined);
  try {
    const generated = generateDemo({ seed: spec.seed, outDir: dir });
    notify(`generated ${generated.truth.totals.spans} spans in ${generated.truth.totals.runs} runs (seed ${spec.seed})`);
    const analysis = await withWorkspace(demoWorkspace(generated, notify), (workspace) => analyseDemo(workspace, generated));
    return {
      seed: spec.seed,
      month: DEMO_MONTH,
      dir: spec.outDir,
      files: spec.outDir ? [generated.spansFile, generated.revenueFile, ...generated.invoiceFiles, generated.truthFile] : [],
      ...analysis,
    };
  } finally {
    if (spec.outDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}
