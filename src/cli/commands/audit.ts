/** `costattr audit --tenant X`: flags → AuditSpec → auditTenant → rendered sections. */
import type { Command } from 'commander';
import { auditTenant } from '../../analysis/audit.js';
import { auditJson, auditTables } from '../../render/audit.js';
import { wantsColor } from '../../render/color.js';
import { lowerBoundNotes } from '../../render/costs.js';
import { renderJson } from '../../render/json.js';
import { renderTableModels } from '../../render/tables.js';
import { addInputOptions, emit, formatOf, note, openAnalysisDb, periodOf, type InputOptions } from '../common.js';

const OUTPUT_FORMATS = ['table', 'json', 'md'] as const;

interface AuditOptions extends InputOptions {
  tenant: string;
}

export function registerAudit(program: Command): void {
  const cmd = program
    .command('audit')
    .description("one tenant drilled down: spend by user, route, model, day and layer; its most expensive traces")
    .requiredOption('--tenant <id>', 'tenant id (`__unattributed__` for tenant-less spend)');
  addInputOptions(cmd, OUTPUT_FORMATS).action(async (opts: AuditOptions) => {
    // formatOf checked the value against this list, so the narrowing is sound
    const format = formatOf(opts, OUTPUT_FORMATS) as 'table' | 'json' | 'md';
    const period = periodOf(opts);
    const db = await openAnalysisDb(opts);
    let result;
    try {
      result = await auditTenant(db, { tenant: opts.tenant, period });
    } finally {
      db.close();
    }
    if (format === 'json') {
      emit(opts, renderJson(auditJson(result)));
      for (const line of lowerBoundNotes(result.unpriced)) note(opts, line);
    } else {
      const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
      emit(opts, renderTableModels(auditTables(result), format, { color }));
    }
  });
}
