// Fitting columns to a width: drawn width = Σ(content + 2 padding + 1 border) + 1, computed here by hand.
import { describe, expect, it } from 'vitest';
import { fitColumns } from '../../src/render/fit.js';
import type { Column } from '../../src/render/model.js';

const col = (key: string, kind: Column['kind'], dropRank?: number): Column => ({ key, header: key, kind, ...(dropRank === undefined ? {} : { dropRank }) });
const COLUMNS = [col('name', 'text'), col('cost', 'money'), col('a', 'int', 2), col('b', 'int', 1), col('note', 'text')];
// content widths 10, 8, 6, 6, 30 → drawn 13 + 11 + 9 + 9 + 33 + 1 = 76
const widths = (longestWord = [4, 4, 1, 1, 12]) => ({ widest: [10, 8, 6, 6, 30], longestWord });

describe('fitColumns', () => {
  it('keeps every column when it fits, or when no width is given', () => {
    expect(fitColumns(COLUMNS, widths(), 76)).toEqual({ shown: [0, 1, 2, 3, 4], wrap: new Map(), dropped: [] });
    expect(fitColumns(COLUMNS, widths(), undefined).dropped).toEqual([]);
  });

  it('drops ranked columns in rank order, only as many as needed', () => {
    expect(fitColumns(COLUMNS, widths(), 75)).toMatchObject({ shown: [0, 1, 2, 4], dropped: ['b'] });
    expect(fitColumns(COLUMNS, widths(), 67)).toMatchObject({ shown: [0, 1, 2, 4], dropped: ['b'] });
    expect(fitColumns(COLUMNS, widths(), 66)).toMatchObject({ shown: [0, 1, 4], dropped: ['b', 'a'], wrap: new Map() });
  });

  it('then wraps the widest text at spaces, never narrower than its longest word, then inside words', () => {
    // unranked columns stay: 58 drawn without a and b; 8 over → note 30 → 22
    expect(fitColumns(COLUMNS, widths(), 50).wrap).toEqual(new Map([[4, { width: 22, hard: false }]]));
    // longest word 25: wraps at spaces to 25, then breaks words to reach 22
    expect(fitColumns(COLUMNS, widths([4, 4, 1, 1, 25]), 50).wrap).toEqual(new Map([[4, { width: 22, hard: true }]]));
  });
});
