/**
 * Fitting a table to the terminal: which columns a table of given content widths keeps within
 * `width` columns, and how narrow its long text columns wrap. Columns give way in the order of
 * their `dropRank` (1 first; unranked columns always stay); when the kept ones are still too wide,
 * the widest text columns wrap at spaces, no narrower than their longest word; if that is not
 * enough, they break inside words too, down to MIN_WRAP characters. Nothing is ever cut off.
 */
import type { Column } from './model.js';

const MIN_WRAP = 10;
/** cli-table3 draws one space of padding each side of a cell and one border character per column, plus one. */
const PADDING = 2;

export interface Fit {
  /** Indexes of the columns shown, in table order. */
  shown: number[];
  /** Content width (without padding) a wrapped column is held to, by column index; `hard`: it breaks inside words. */
  wrap: Map<number, { width: number; hard: boolean }>;
  /** Headers of the columns left out, in the order they gave way. */
  dropped: string[];
}

function drawnWidth(contentWidths: readonly number[]): number {
  return contentWidths.reduce((sum, w) => sum + w + PADDING + 1, 1);
}

/** Per column: the widest cell or header, and the longest word in any of them. */
export interface ContentWidths {
  widest: readonly number[];
  longestWord: readonly number[];
}

export function fitColumns(columns: readonly Column[], widths: ContentWidths, width: number | undefined): Fit {
  const contentWidths = widths.widest;
  const shown = columns.map((_, i) => i);
  const fit: Fit = { shown, wrap: new Map(), dropped: [] };
  if (width === undefined) return fit;
  const widthOf = (indexes: readonly number[]) => drawnWidth(indexes.map((i) => contentWidths[i] ?? 0));
  const byRank = shown.filter((i) => columns[i]?.dropRank !== undefined).sort((a, b) => (columns[a]?.dropRank ?? 0) - (columns[b]?.dropRank ?? 0));
  for (const i of byRank) {
    if (widthOf(fit.shown) <= width) break;
    fit.shown = fit.shown.filter((j) => j !== i);
    fit.dropped.push(columns[i]?.header ?? '');
  }
  let excess = widthOf(fit.shown) - width;
  const wrappable = fit.shown.filter((i) => columns[i]?.kind === 'text').sort((a, b) => (contentWidths[b] ?? 0) - (contentWidths[a] ?? 0));
  for (const hard of [false, true]) {
    for (const i of wrappable) {
      if (excess <= 0) break;
      const current = fit.wrap.get(i)?.width ?? contentWidths[i] ?? 0;
      const cut = Math.min(excess, current - (hard ? MIN_WRAP : Math.max(MIN_WRAP, widths.longestWord[i] ?? 0)));
      if (cut <= 0) continue;
      fit.wrap.set(i, { width: current - cut, hard });
      excess -= cut;
    }
  }
  return fit;
}

/** The note under a table that left columns out. */
export function droppedNote(dropped: readonly string[], width: number): string {
  return `not shown to fit ${width} columns: ${dropped.join(', ')} (--wide shows every column)`;
}
