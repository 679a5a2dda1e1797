/**
 * The worked example's generator: one month (2026-10) of the B2B inbox-triage agent, seeded and
 * deterministic. Volumes scale to the guide's figures this way: every tenant gets a spend target
 * (its segment's spend split by seeded weights, tenants.ts); runs are drawn from the tenant's route
 * mix and priced exactly as they are made, and drawing stops once the tenant's cost reaches its
 * target, so each tenant lands within one run's cost (a few dollars) of it. Runaway tenants spend
 * ~10% of revenue on normal traffic and the rest on looping traces after the bug's onset day.
 * Writes spans.jsonl (OTLP/JSON), revenue.csv, the provider invoices and truth.json into `outDir`.
 */
import { writeFileAtomic } from '../app/atomic-file.js';
import { join } from 'node:path';
import { invoiceLines, writeInvoices } from './invoice.js';
import { writeOtlpJsonLines } from './otlp-writer.js';
import { usdToFemto } from './prices.js';
import { Prng } from './prng.js';
import { buildRoute, loopingReportGen, TASKS, type Route } from './routes.js';
import { buildTenants, UNATTRIBUTED_SPEND_USD, type DemoSegment, type DemoTenant } from './tenants.js';
import { TraceBuilder, type DemoRun } from './trace-builder.js';
import { buildTruth, type DemoTruth, type TenantTally } from './truth.js';

export const DEMO_MONTH = '2026-10';
export const DEFAULT_SEED = 2026;
const MONTH_START_MS = Date.UTC(2026, 9, 1);
const MONTH_END_MS = Date.UTC(2026, 10, 1);
const LAST_RUN_START_MS = MONTH_END_MS - 3 * 3_600_000; // every run ends inside the month

const ROUTE_MIX: Readonly<Record<DemoSegment | 'tenantless', Readonly<Record<Route, number>>>> = {
  healthy: { 'inbox-triage': 0.2, summary: 0.3, 'draft-reply': 0.35, 'report-gen': 0.15 },
  runaway: { 'inbox-triage': 0.2, summary: 0.3, 'draft-reply': 0.35, 'report-gen': 0.15 },
  power_user: { 'inbox-triage': 0.05, summary: 0.15, 'draft-reply': 0.4, 'report-gen': 0.4 },
  tenantless: { 'inbox-triage': 0.6, summary: 0.4, 'draft-reply': 0, 'report-gen': 0 },
};

/** Share of a runaway tenant's revenue spent on its normal (non-looping) traffic. */
const RUNAWAY_NORMAL_SPEND_RATIO = 0.1;

export const DEMO_FILES = { spans: 'spans.jsonl', revenue: 'revenue.csv', truth: 'truth.json' } as const;

export interface GeneratedDemo {
  dir: string;
  spansFile: string;
  revenueFile: string;
  invoiceFiles: string[];
  truthFile: string;
  truth: DemoTruth;
}

function startBetween(rng: Prng, fromMs: number): number {
  return Math.floor(rng.between(fromMs, LAST_RUN_START_MS) / 1000) * 1000 + rng.int(0, 999);
}

function normalRun(rng: Prng, tenant: DemoTenant | undefined, mix: Readonly<Record<Route, number>>): DemoRun {
  const route = rng.weighted(mix);
  const builder = new TraceBuilder(rng, startBetween(rng, MONTH_START_MS), {
    tenant: tenant?.id,
    user: tenant ? rng.pick(tenant.users) : undefined,
    task: rng.pick(TASKS[route]),
    route,
    tier: tenant ? 'paid' : 'free',
  });
  buildRoute(route, builder, rng);
  return builder.finish();
}

function loopRun(rng: Prng, tenant: DemoTenant, onsetMs: number, metricsSource: string): { run: DemoRun; iterations: number } {
  const builder = new TraceBuilder(rng, startBetween(rng, onsetMs), {
    tenant: tenant.id,
    user: rng.pick(tenant.users),
    task: 'weekly-report',
    route: 'report-gen',
    tier: 'paid',
  });
  const iterations = loopingReportGen(builder, rng, metricsSource);
  return { run: builder.finish(), iterations };
}

/** Draw runs until their exact cost reaches `targetFemto`. */
function runsUntil(targetFemto: bigint, tally: TenantTally, runs: DemoRun[], draw: () => DemoRun): void {
  while (tally.costFemto < targetFemto) {
    const run = draw();
    tally.costFemto += run.costFemto;
    tally.runs += 1;
    runs.push(run);
  }
}

function revenueCsv(tenants: readonly DemoTenant[]): string {
  const rows = tenants.map((t) => [t.id, DEMO_MONTH, t.revenueUsd.toFixed(2), t.plan, t.ceilingUsd === undefined ? '' : t.ceilingUsd.toFixed(2)].join(','));
  return ['tenant,month,revenue_usd,plan,ceiling_usd', ...rows].join('\n') + '\n';
}

export function generateDemo(options: { seed: number; outDir: string }): GeneratedDemo {
  const rng = new Prng(options.seed);
  const tenants = buildTenants(rng);
  const runs: DemoRun[] = [];
  const tallies = new Map<string, TenantTally>();

  for (const tenant of tenants) {
    const tally: TenantTally = { costFemto: 0n, runs: 0, loopTraces: 0, loopCalls: 0 };
    tallies.set(tenant.id, tally);
    const normalTarget = tenant.segment === 'runaway' ? tenant.revenueUsd * RUNAWAY_NORMAL_SPEND_RATIO : tenant.spendTargetUsd;
    runsUntil(usdToFemto(normalTarget), tally, runs, () => normalRun(rng, tenant, ROUTE_MIX[tenant.segment]));
    if (tenant.segment === 'runaway') {
      const onsetMs = MONTH_START_MS + rng.int(6, 12) * 86_400_000;
      const metricsSource = rng.pick(['helpdesk-sync', 'crm-bridge', 'mail-archive']);
      runsUntil(usdToFemto(tenant.spendTargetUsd), tally, runs, () => {
        const { run, iterations } = loopRun(rng, tenant, onsetMs, metricsSource);
        tally.loopTraces += 1;
        tally.loopCalls += iterations;
        return run;
      });
    }
  }
  const unattributed: TenantTally = { costFemto: 0n, runs: 0, loopTraces: 0, loopCalls: 0 };
  runsUntil(usdToFemto(UNATTRIBUTED_SPEND_USD), unattributed, runs, () => normalRun(rng, undefined, ROUTE_MIX.tenantless));

  runs.sort((a, b) => a.startMs - b.startMs || a.traceId.localeCompare(b.traceId));
  const dir = options.outDir;
  const spansFile = join(dir, DEMO_FILES.spans);
  const spanCount = writeOtlpJsonLines(spansFile, runs);
  const revenueFile = join(dir, DEMO_FILES.revenue);
  writeFileAtomic(revenueFile, revenueCsv(tenants));
  const lines = invoiceLines(runs.flatMap((r) => r.calls), rng);
  const invoiceFiles = writeInvoices(dir, lines);

  const truth = buildTruth({ seed: options.seed, month: DEMO_MONTH, tenants, tallies, unattributed, spanCount, invoice: lines });
  const truthFile = join(dir, DEMO_FILES.truth);
  writeFileAtomic(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  return { dir, spansFile, revenueFile, invoiceFiles, truthFile, truth };
}
