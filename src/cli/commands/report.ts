/**
 * `costattr report daily|weekly|monthly`: flags → the report's spec (the date, week or month, by
 * default the last complete one in --timezone), revenue and budget loaded → the report → md, html,
 * json or table.
 */
import type { Command } from 'commander';
import { resolveThresholds } from '../../analysis/anomalies/index.js';
import { readBudgetFile } from '../../analysis/report/budget.js';
import { dailyReport } from '../../analysis/report/daily.js';
import { addDays, isoWeekOf, isoWeekStart, parseDay, parseMonth, yesterdayIn } from '../../analysis/report/dates.js';
import { monthlyReport } from '../../analysis/report/monthly.js';
import { weeklyReport } from '../../analysis/report/weekly.js';
import { checkTimezone } from '../../analysis/span-filter.js';
import type { Database } from '../../db/database.js';
import { CostattrError } from '../../errors.js';
import { loadRevenueCsv } from '../../ingest/revenue/index.js';
import { wantsColor } from '../../render/color.js';
import { REPORT_FORMATS, renderReport, type Report, type ReportFormat } from '../../render/report.js';
import { addInputOptions, emit, formatOf, openAnalysisDb, type InputOptions } from '../common.js';
import { readConfig } from '../config.js';
import { loadInvoiceInputs } from '../invoice-inputs.js';
import { parseTolerance } from './reconcile.js';

const KINDS = ['daily', 'weekly', 'monthly'] as const;
type Kind = (typeof KINDS)[number];

interface ReportOptions extends InputOptions {
  date?: string;
  week?: string;
  revenue?: string;
  budget?: string;
  invoice?: string[];
  provider?: string;
  tolerance?: string;
}

function kindOf(value: string): Kind {
  if (!(KINDS as readonly string[]).includes(value)) throw new CostattrError('BAD_USAGE', `report ${value}: expected one of ${KINDS.join(', ')}`);
  return value as Kind;
}

/** The first day of the weekly window: --week, else --since, else the last complete ISO week. */
function weekStart(opts: ReportOptions, yesterday: string): string {
  if (opts.week !== undefined) return isoWeekStart(opts.week);
  if (opts.since !== undefined) return parseDay('--since', opts.since);
  const start = isoWeekStart(isoWeekOf(yesterday));
  // yesterday closes a week only when it is a Sunday; otherwise the week before is the last complete one
  return addDays(yesterday, 1) === addDays(start, 7) ? start : addDays(start, -7);
}

async function build(db: Database, kind: Kind, opts: ReportOptions, timezone: string, yesterday: string): Promise<Report> {
  switch (kind) {
    case 'daily':
      return dailyReport(db, {
        day: opts.date === undefined ? yesterday : parseDay('--date', opts.date),
        timezone,
        thresholds: resolveThresholds(readConfig(process.cwd()).anomalies),
      });
    case 'weekly':
      return weeklyReport(db, { since: weekStart(opts, yesterday), timezone });
    case 'monthly': {
      const month = opts.month === undefined ? yesterday.slice(0, 7) : parseMonth(opts.month);
      const budgets = opts.budget === undefined ? undefined : readBudgetFile(opts.budget);
      if (budgets !== undefined && !budgets.has(month)) throw new CostattrError('BAD_INPUT', `${opts.budget ?? ''}: no budget for ${month}`);
      return monthlyReport(db, { month, timezone, budget: budgets?.get(month) ?? null, tolerance: parseTolerance(opts.tolerance) });
    }
    default:
      return (kind satisfies never) as Report;
  }
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .argument('<kind>', `${KINDS.join('|')}`)
    .description('scheduled reports: daily anomaly surface, weekly margin drift, monthly roll-up (md, html, json, table)')
    .option('--date <YYYY-MM-DD>', 'daily: the day to report (default: yesterday in --timezone)')
    .option('--week <YYYY-Www>', 'weekly: the ISO week (default: the last complete week; or 7 days from --since)')
    .option('--revenue <file>', 'revenue CSV (tenant, month, revenue_usd, plan, ceiling_usd) for margins')
    .option('--budget <file>', 'monthly: budgets as JSON {"YYYY-MM": usd} or CSV month,budget_usd')
    .option('--invoice <files...>', 'monthly: invoice or usage exports to reconcile the month with (invoices in --db are used too)')
    .option('--provider <name>', 'monthly: the provider of the --invoice files, when their header does not say')
    .option('--tolerance <pct>', 'monthly: unexplained invoice variance accepted, e.g. 2% (default 2%)');
  addInputOptions(cmd, REPORT_FORMATS).action(async (kindArg: string, opts: ReportOptions) => {
    const kind = kindOf(kindArg);
    const format = formatOf(opts, REPORT_FORMATS) as ReportFormat;
    const timezone = opts.timezone ?? 'UTC';
    checkTimezone(timezone);
    const yesterday = yesterdayIn(timezone, new Date());
    const db = await openAnalysisDb(opts);
    let report: Report;
    try {
      if (opts.revenue) await loadRevenueCsv(db, opts.revenue);
      if (opts.invoice !== undefined && opts.invoice.length > 0) {
        if (kind !== 'monthly') throw new CostattrError('BAD_USAGE', `--invoice: only report monthly reconciles invoices, not report ${kind}`);
        await loadInvoiceInputs(db, { invoice: opts.invoice, provider: opts.provider, quiet: opts.quiet });
      }
      report = await build(db, kind, opts, timezone, yesterday);
    } finally {
      db.close();
    }
    const color = wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined);
    emit(opts, renderReport(report, format, { color }));
  });
}
