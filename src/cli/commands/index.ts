/** Every command the CLI offers; each module registers itself on the program. */
import type { Command } from 'commander';
import { registerAudit } from './audit.js';
import { registerCosts } from './costs.js';
import { registerDemo } from './demo.js';
import { registerIngest } from './ingest.js';
import { registerPricing } from './pricing.js';
import { registerSql } from './sql.js';

export const COMMANDS: ReadonlyArray<(program: Command) => void> = [
  registerIngest,
  registerCosts,
  registerAudit,
  registerPricing,
  registerSql,
  registerDemo,
];
