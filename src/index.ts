/**
 * The library entry point (`import { withWorkspace, attributeCosts } from 'costattr'`): the workspace
 * that opens a database and loads inputs, the analyses behind the commands (spec in, plain typed
 * result out), the JSON documents the CLI prints and their zod schemas. Nothing here reads argv,
 * writes to stdout or exits: those belong to the CLI (src/cli).
 */
export { withWorkspace, type Workspace, type WorkspaceSpec, type Scope, type InvoiceInputs } from './app/workspace.js';
export { CostattrError, type ErrorCode } from './errors.js';
export { parsePeriod, type Period } from './analysis/period.js';
export { parseDimensions, DIMENSIONS, type Dimension } from './analysis/dimensions.js';
export type { SpanFilter } from './analysis/span-filter.js';
export { loadPriceBook, type PriceBook } from './pricebook/index.js';

export { attributeCosts, type CostsSpec, type CostsResult, type CostsRow, type CostsTotals } from './analysis/costs.js';
export { reconcile, type ReconcileSpec, type ReconcileResult, type ReconcileReport } from './analysis/reconcile.js';
export { auditTenant, type AuditSpec, type AuditResult } from './analysis/audit.js';
export { detectAnomalies, ANOMALY_KINDS, type AnomaliesResult, type Anomaly, type AnomalySpec } from './analysis/anomalies/index.js';
export { replayGuard, type GuardSpec } from './analysis/guard/replay.js';
export type { GuardResult, GuardEvent, GuardTenant } from './analysis/guard/types.js';
export { readPolicyFile, type Policy } from './analysis/guard/policy.js';
export { recommendPolicy, type RecommendSpec, type RecommendedPolicy } from './analysis/guard/recommend.js';
export { whatif, type WhatifSpec, type WhatifResult } from './analysis/whatif.js';
export { takeSnapshot, parseSnapshot, formatSnapshot, type Snapshot, type SnapshotSpec } from './analysis/snapshot.js';
export { diffSnapshots, type DiffInput, type DiffSpec, type DiffResult } from './analysis/diff.js';
export { parseRule } from './analysis/diff-rules.js';
export { dailyReport, type DailySpec, type DailyReport } from './analysis/report/daily.js';
export { weeklyReport, type WeeklySpec, type WeeklyReport } from './analysis/report/weekly.js';
export { monthlyReport, type MonthlySpec, type MonthlyReport } from './analysis/report/monthly.js';
export { checkPricing, type PricingCheckSpec, type PricingCheckResult } from './analysis/pricing-check.js';
export { assessQuality, type QualityResult } from './analysis/quality.js';

export { costsJson } from './render/costs.js';
export { SCHEMA_VERSION } from './render/json.js';
export { DOCUMENT_SCHEMAS, documentJsonSchema, type DocumentName } from './render/schemas/index.js';
