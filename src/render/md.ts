/**
 * Markdown (GitHub tables, chat-ready). Text from the input is escaped so a tenant named `*x*` or
 * `a|b` cannot change the table's structure or formatting; numbers are right-aligned.
 */
import { displayCell, isNumeric, type TableModel } from './model.js';
import { safeInline } from './terminal-text.js';

const SPECIAL = /[|\\*_`<>[\]]/g;
/** `@name` and `#123` from data would ping people and link issues on GitHub: a zero-width space defuses them. */
const MENTION = /([@#])(?=[\w-])/g;

export function escapeMarkdown(text: string): string {
  return safeInline(text.replace(/\r?\n|\r/g, ' ')).replace(SPECIAL, (ch) => `\\${ch}`).replace(MENTION, '$1\u200b');
}

export function renderMarkdown(model: TableModel): string {
  const parts: string[] = [];
  if (model.title) parts.push(`### ${escapeMarkdown(model.title)}`, '');
  parts.push(`| ${model.columns.map((c) => escapeMarkdown(c.header)).join(' | ')} |`);
  parts.push(`|${model.columns.map((c) => (isNumeric(c.kind) ? ' ---: ' : ' --- ')).join('|')}|`);
  for (const row of model.rows) {
    parts.push(`| ${model.columns.map((c) => escapeMarkdown(displayCell(row[c.key] ?? null, c.kind))).join(' | ')} |`);
  }
  if (model.notes.length > 0) parts.push('', ...model.notes.map((n) => `> ${escapeMarkdown(n)}`));
  return parts.join('\n');
}

export function renderMarkdownDocument(models: readonly TableModel[]): string {
  return models.map(renderMarkdown).join('\n\n');
}
