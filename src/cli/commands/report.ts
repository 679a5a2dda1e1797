/**
 * `costattr report daily|weekly|monthly`: flags → the report's spec (the date, week or month, by
 * default the last complete one in --timezone), revenue and budget loaded → the report → md, html,
 * json or table.
 */
import type { Command } from 'commander';
import { addDays, isoWeekOf, isoWeekStart, parseDay, parseMonth, yesterdayIn } from '../../analysis/report/dates.js';
import { parsePeriod, type Period } from '../../analysis/period.js';
import { checkTimezone } from '../../analysis/span-filter.js';
import { runConfig } from '../../app/config.js';
import type { Database } from '../../db/database.js';
import { CostattrError } from '../../errors.js';
import type { Report } from '../../render/report.js';
import { addInputOptions, collect, parseTolerance, readWorkspace, type InputOptions } from '../common.js';
import { runInWorkspace } from '../run.js';

const KINDS = ['daily', 'weekly', 'monthly'] as const;
type Kind = (typeof KINDS)[number];
const REPORT_FORMATS = ['table', 'md', 'html', 'json', 'slack'] as const;

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

/** The day, week or month the report covers, from the flags (by default the last complete one). */
function windowOf(kind: Kind, opts: ReportOptions, timezone: string, yesterday: string): Period {
  switch (kind) {
    case 'daily': {
      const day = opts.date === undefined ? yesterday : parseDay('--date', opts.date);
      return { since: day, until: addDays(day, 1), timezone };
    }
    case 'weekly': {
      const since = weekStart(opts, yesterday);
      return { since, until: addDays(since, 7), timezone };
    }
    case 'monthly':
      return parsePeriod({ month: opts.month === undefined ? yesterday.slice(0, 7) : parseMonth(opts.month), timezone });
    default:
      return (kind satisfies never) as Period;
  }
}

async function build(db: Database, kind: Kind, opts: ReportOptions, window: Period): Promise<Report> {
  const { since, timezone } = window;
  if (since === undefined) throw new Error('a report window always has a start');
  switch (kind) {
    case 'daily': {
      const [{ dailyReport }, { resolveThresholds }] = await Promise.all([import('../../analysis/report/daily.js'), import('../../analysis/anomalies/index.js')]);
      return dailyReport(db, { day: since, timezone, thresholds: resolveThresholds(runConfig().anomalies) });
    }
    case 'weekly': {
      const { weeklyReport } = await import('../../analysis/report/weekly.js');
      return weeklyReport(db, { since, timezone });
    }
    case 'monthly': {
      const [{ monthlyReport }, { readBudgetFile }] = await Promise.all([import('../../analysis/report/monthly.js'), import('../../analysis/report/budget.js')]);
      const month = since.slice(0, 7);
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
    .description('scheduled reports: daily anomaly surface, weekly margin drift, monthly roll-up (md, slack, html, json, table)')
    .option('--date <YYYY-MM-DD>', 'daily: the day to report (default: yesterday in --timezone)')
    .option('--week <YYYY-Www>', 'weekly: the ISO week (default: the last complete week; or 7 days from --since)')
    .option('--revenue <file>', 'revenue CSV (tenant, month, revenue_usd, plan, ceiling_usd) for margins')
    .option('--budget <file>', 'monthly: budgets as JSON {"YYYY-MM": usd} or CSV month,budget_usd')
    .option('--invoice <file>', 'monthly: an invoice or usage export to reconcile the month with (repeatable; invoices in --db are used too)', collect)
    .option('--provider <name>', 'monthly: the provider of the --invoice files, when their header does not say')
    .option('--tolerance <pct>', 'monthly: unexplained invoice variance accepted, e.g. 2% (default 2%)');
  addInputOptions(cmd, REPORT_FORMATS).action(async (kindArg: string, opts: ReportOptions) => {
    const kind = kindOf(kindArg);
    if (kind !== 'monthly' && (opts.invoice?.length ?? 0) > 0) throw new CostattrError('BAD_USAGE', `--invoice: only report monthly reconciles invoices, not report ${kind}`);
    const timezone = opts.timezone ?? 'UTC';
    checkTimezone(timezone);
    const window = windowOf(kind, opts, timezone, yesterdayIn(timezone, new Date()));
    await runInWorkspace(opts, REPORT_FORMATS, readWorkspace(opts, { period: window }), async ({ db }) => {
      const { reportRendering } = await import('../../render/outputs/documents.js');
      return reportRendering(await build(db, kind, opts, window));
    });
  });
}
