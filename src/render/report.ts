/**
 * `report daily|weekly|monthly` output in every format: Markdown (headline first, then the tables,
 * chat-sized), Slack mrkdwn, the terminal table, one self-contained HTML page, or JSON (the report object with its
 * headline). Input-derived names are escaped by the Markdown and HTML writers, never here.
 */
import type { DailyReport } from '../analysis/report/daily.js';
import type { MonthlyReport } from '../analysis/report/monthly.js';
import type { WeeklyReport } from '../analysis/report/weekly.js';
import { renderHtmlReport } from './html/document.js';
import { renderJsonDocument } from './json.js';
import { escapeMarkdown, renderMarkdown } from './md.js';
import { dailyView } from './report-daily.js';
import { monthlyView } from './report-monthly.js';
import type { ReportView, ViewOptions } from './report-view.js';
import { weeklyView } from './report-weekly.js';
import { renderSlack } from './slack.js';
import { renderTable } from './table.js';
import { safeInline, safeMessage } from './terminal-text.js';

export type Report = DailyReport | WeeklyReport | MonthlyReport;
export const REPORT_FORMATS = ['table', 'md', 'html', 'json', 'slack'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function reportView(report: Report, options: ViewOptions): ReportView {
  switch (report.report) {
    case 'daily': return dailyView(report, options);
    case 'weekly': return weeklyView(report, options);
    case 'monthly': return monthlyView(report, options);
    default: return (report satisfies never) as ReportView;
  }
}

function markdown(view: ReportView): string {
  const head = [`## ${escapeMarkdown(view.title)}`, '', ...view.headline.map((line) => `- ${escapeMarkdown(line)}`)];
  return [head.join('\n'), ...view.tables.filter((t) => t.rows.length > 0).map(renderMarkdown)].join('\n\n');
}

function terminal(view: ReportView, color: boolean): string {
  const head = safeMessage([view.title, view.subtitle, '', ...view.headline.map((line) => `• ${safeInline(line)}`)].join('\n'));
  return [head, ...view.tables.filter((t) => t.rows.length > 0).map((t) => renderTable(t, { color }))].join('\n\n');
}

export function renderReport(report: Report, format: ReportFormat, options: { color: boolean }): string {
  switch (format) {
    case 'json':
      return renderJsonDocument({ ...report, headline: reportView(report, { full: true }).headline });
    case 'md':
      return markdown(reportView(report, { full: false }));
    case 'slack':
      return renderSlack(reportView(report, { full: false }));
    case 'table':
      return terminal(reportView(report, { full: false }), options.color);
    case 'html':
      return renderHtmlReport(reportView(report, { full: true }));
    default:
      return (format satisfies never) as string;
  }
}
