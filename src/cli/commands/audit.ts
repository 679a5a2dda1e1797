/** `costattr audit --tenant X`: flags → AuditSpec → auditTenant → rendered sections. */
import type { Command } from 'commander';
import { addEngineOptions, addInputOptions, periodOf, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const OUTPUT_FORMATS = ['table', 'json', 'md'] as const;

interface AuditOptions extends InputOptions {
  tenant: string;
}

export function registerAudit(program: Command): void {
  const cmd = program
    .command('audit')
    .description("one tenant drilled down: spend by user, route, model, day and layer; its most expensive traces")
    .requiredOption('--tenant <id>', 'tenant id (`__unattributed__` for tenant-less spend)');
  addEngineOptions(addInputOptions(cmd, OUTPUT_FORMATS)).action(async (opts: AuditOptions) => {
    const spec = { tenant: opts.tenant, period: periodOf(opts) };
    await runInWorkspace(opts, OUTPUT_FORMATS, readWorkspace(opts, { period: spec.period, named: [{ field: 'tenant', value: opts.tenant, flag: '--tenant' }] }), async ({ engine }) => {
      const [{ auditTenant }, { auditRendering }] = await Promise.all([import('../../analysis/audit.js'), import('../../render/outputs/analyses.js')]);
      return auditRendering(await auditTenant(engine, spec));
    });
  });
}
