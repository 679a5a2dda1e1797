/**
 * Slack mrkdwn for a report (`--format slack`): Slack renders no Markdown tables, so a bold title,
 * the headline as bullets, and each table as a narrow code block — its leading columns, as many as
 * fit SLACK_WIDTH characters (a phone shows about that; tables list their columns by importance),
 * names cut to NAME_WIDTH, its top rows only. Widths count characters as Slack shows them.
 * `&`, `<` and `>` are Slack's control characters (links, mentions such as <!channel>): escaped as
 * entities everywhere, code blocks included; a backtick from the data cannot close a code block.
 */
import { displayCell, isNumeric, type Column, type TableModel } from './model.js';
import type { ReportView } from './report-view.js';
import { safeInline } from './terminal-text.js';

/** Characters a code-block line may take. */
export const SLACK_WIDTH = 48;
/** Rows shown per table. */
export const SLACK_ROWS = 5;
/** A name cell longer than this is cut (with …) so the figures beside it still fit. */
const NAME_WIDTH = 20;

export function escapeSlack(text: string): string {
  return safeInline(text).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Inside a code block: escaped, and a backtick shown as a look-alike so it cannot end the block. */
function codeCell(text: string): string {
  return escapeSlack(text).replaceAll('`', 'ˋ');
}

function cut(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

const length = (text: string): number => [...text].length;

function codeTable(model: TableModel): string[] {
  const rows = model.rows.slice(0, SLACK_ROWS);
  const cells = (column: Column): string[] => [column.header, ...rows.map((row) => {
    const text = displayCell(row[column.key] ?? null, column.kind);
    return isNumeric(column.kind) ? text : cut(text, NAME_WIDTH);
  })];
  const kept: Array<{ column: Column; values: string[]; width: number }> = [];
  let used = -2;
  for (const column of model.columns) {
    const values = cells(column);
    const width = Math.max(...values.map(length));
    if (kept.length > 0 && used + 2 + width > SLACK_WIDTH) break;
    kept.push({ column, values, width });
    used += 2 + width;
  }
  const line = (r: number): string => kept
    .map(({ column, values, width }) => {
      const value = values[r] ?? '';
      const pad = ' '.repeat(width - length(value));
      return isNumeric(column.kind) ? pad + value : value + pad;
    })
    .join('  ')
    .trimEnd();
  const body = ['```', ...[0, ...rows.map((_, i) => i + 1)].map((r) => codeCell(line(r))), '```'];
  const left = model.rows.length - rows.length;
  const dropped = model.columns.length - kept.length;
  const notes = [
    ...(left > 0 ? [`${left} more row${left === 1 ? '' : 's'}`] : []),
    ...(dropped > 0 ? [`${dropped} more column${dropped === 1 ? '' : 's'}`] : []),
  ];
  return [
    `*${escapeSlack(model.title ?? '')}*`,
    ...body,
    ...(notes.length > 0 ? [`_${notes.join(', ')} in --format html or json_`] : []),
    ...model.notes.map((note) => `_${escapeSlack(note)}_`),
  ];
}

export function renderSlack(view: ReportView): string {
  const head = [`*${escapeSlack(view.title)}*`, `_${escapeSlack(view.subtitle)}_`, ...view.headline.map((line) => `• ${escapeSlack(line)}`)];
  const tables = view.tables.filter((t) => t.rows.length > 0).map((t) => codeTable(t).join('\n'));
  return `${[head.join('\n'), ...tables].join('\n\n')}\n`;
}
