/** Every command the CLI offers; each module registers itself on the program. */
import type { Command } from 'commander';
import { registerAnomalies } from './anomalies.js';
import { registerAudit } from './audit.js';
import { registerComment } from './comment.js';
import { registerCosts } from './costs.js';
import { registerDemo } from './demo.js';
import { registerDiff } from './diff.js';
import { registerIngest } from './ingest.js';
import { registerPricing } from './pricing.js';
import { registerReconcile } from './reconcile.js';
import { registerSnapshot } from './snapshot.js';
import { registerSql } from './sql.js';
import { registerReport } from './report.js';
import { registerGuard } from './guard.js';
import { registerWhatif } from './whatif.js';
import { registerQuality } from './quality.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerIngest,
  registerCosts,
  registerReconcile,
  registerAudit,
  registerAnomalies,
  registerPricing,
  registerSql,
  registerSnapshot,
  registerDiff,
  registerComment,
  registerDemo,
  registerReport,
  registerGuard,
  registerWhatif,
  registerQuality,
];
