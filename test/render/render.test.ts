import { describe, expect, it } from 'vitest';
import { tableWidth, wantsColor } from '../../src/render/color.js';
import { renderCsv } from '../../src/render/csv.js';
import { escapeMarkdown, renderMarkdown } from '../../src/render/md.js';
import { displayCell, type Cell, type ColumnKind, type TableModel } from '../../src/render/model.js';
import { queryTable } from '../../src/render/query.js';
import { renderTable } from '../../src/render/table.js';

const model: TableModel = {
  title: 'spend',
  columns: [
    { key: 'tenant', header: 'tenant', kind: 'text' },
    { key: 'cost_usd', header: 'cost', kind: 'money' },
    { key: 'share', header: 'share', kind: 'rate' },
  ],
  rows: [
    { tenant: '=HYPERLINK("http://x")', cost_usd: 1234.5, share: 0.8 },
    { tenant: 'a|b *c* _d_ `e` <f> [g] \\h', cost_usd: 0.000123, share: 0.2 },
  ],
  notes: ['total is a lower bound'],
};

describe('csv', () => {
  // one cell in a one-column table, as csv-stringify writes it (the header line cut off)
  const csvCell = (value: Cell, kind: ColumnKind = 'text'): string =>
    renderCsv({ columns: [{ key: 'v', header: 'v', kind }], rows: [{ v: value }], notes: [] }).slice('v\n'.length, -1);

  it('neutralises formula injection by column kind and quotes per RFC 4180', () => {
    expect(csvCell('=1+2')).toBe("'=1+2");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(-1.5)).toBe('-1.5'); // numbers are data, not text
    expect(csvCell('-5.25', 'number')).toBe('-5.25'); // a DECIMAL arrives as a string in a numeric column
    expect(csvCell('-5.25', 'money')).toBe('-5.25');
    expect(csvCell('-5.25', 'text')).toBe("'-5.25");
    expect(csvCell(null)).toBe('');
  });

  it('neutralises a header that would be a formula', () => {
    expect(renderCsv({ columns: [{ key: '=cmd', header: 'x', kind: 'int' }], rows: [{ '=cmd': 1 }], notes: [] })).toBe("'=cmd\n1\n");
  });

  it('writes a header of column keys and raw values', () => {
    expect(renderCsv(model)).toBe(
      'tenant,cost_usd,share\n' +
      `"'=HYPERLINK(""http://x"")",1234.5,0.8\n` +
      'a|b *c* _d_ `e` <f> [g] \\h,0.000123,0.2\n');
  });
});

describe('markdown', () => {
  it('escapes characters that would change the table or its formatting', () => {
    expect(escapeMarkdown('a|b *c* _d_ `e` <f> [g] \\h')).toBe('a\\|b \\*c\\* \\_d\\_ \\`e\\` \\<f\\> \\[g\\] \\\\h');
    expect(escapeMarkdown('two\nlines')).toBe('two lines');
  });

  it('renders a GitHub table with right-aligned numbers and notes', () => {
    expect(renderMarkdown(model)).toBe([
      '### spend',
      '',
      '| tenant | cost | share |',
      '| --- | ---: | ---: |',
      '| =HYPERLINK("http://x") | $1,234.50 | 80.0% |',
      '| a\\|b \\*c\\* \\_d\\_ \\`e\\` \\<f\\> \\[g\\] \\\\h | $0.00012 | 20.0% |',
      '',
      '> total is a lower bound',
    ].join('\n'));
  });
});

describe('table', () => {
  it('has no ANSI codes without colour, and right-aligns money', () => {
    const text = renderTable(model, { color: false });
    expect(text).not.toContain('\u001b[');
    expect(text).toContain('│ $1,234.50 │');
    expect(text).toContain('│  $0.00012 │');
    expect(text.split('\n').at(-1)).toBe('total is a lower bound');
  });

  it('colours headers and notes when asked', () => {
    expect(renderTable(model, { color: true })).toContain('\u001b[1m');
  });
});

describe('cells and colour choice', () => {
  it('formats money, integers, rates and nulls', () => {
    expect(displayCell(1234567.891, 'money')).toBe('$1,234,567.89');
    expect(displayCell(-2, 'money')).toBe('-$2.00');
    expect(displayCell(0.012546, 'unit_money')).toBe('$0.012546');
    expect(displayCell(1.5, 'money_delta')).toBe('+$1.50');
    expect(displayCell(-0.004, 'money_delta')).toBe('-$0.004');
    expect(displayCell(1234567, 'int')).toBe('1,234,567');
    expect(displayCell(0.4567, 'rate')).toBe('45.7%');
    expect(displayCell(null, 'rate')).toBe('');
  });

  it('colour: the flag, never into files, NO_COLOR, FORCE_COLOR (also piped), else only on a terminal', () => {
    const tty = { isTTY: true, toFile: false };
    const pipe = { isTTY: false, toFile: false };
    expect(wantsColor({}, tty)).toBe(true);
    expect(wantsColor({}, pipe)).toBe(false);
    expect(wantsColor({}, { isTTY: true, toFile: true })).toBe(false);
    expect(wantsColor({ NO_COLOR: '1' }, tty)).toBe(false);
    expect(wantsColor({ NO_COLOR: '' }, tty)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '1' }, pipe)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '' }, pipe)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '0' }, tty)).toBe(false);
    expect(wantsColor({ FORCE_COLOR: 'false' }, tty)).toBe(false);
    expect(wantsColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, pipe)).toBe(false);
    expect(wantsColor({ NO_COLOR: '1' }, { ...pipe, flag: true })).toBe(true);
    expect(wantsColor({ FORCE_COLOR: '1' }, { ...tty, flag: false })).toBe(false);
    expect(wantsColor({}, { isTTY: false, toFile: true, flag: true })).toBe(false);
  });

  it('table width: the terminal, else $COLUMNS; unlimited with --wide, into a file, or piped without $COLUMNS', () => {
    expect(tableWidth({ COLUMNS: '200' }, { wide: false, columns: 90, toFile: false })).toBe(90);
    expect(tableWidth({ COLUMNS: '120' }, { wide: false, toFile: false })).toBe(120);
    expect(tableWidth({}, { wide: false, toFile: false })).toBeUndefined();
    expect(tableWidth({ COLUMNS: 'x' }, { wide: false, toFile: false })).toBeUndefined();
    expect(tableWidth({ COLUMNS: '80' }, { wide: true, columns: 80, toFile: false })).toBeUndefined();
    expect(tableWidth({ COLUMNS: '80' }, { wide: false, toFile: true })).toBeUndefined();
  });
});

describe('sql results', () => {
  it('keeps column names as CSV headers, de-duplicated, and right-aligns numbers', () => {
    const table = queryTable({
      columns: [{ name: 'a', type: 'VARCHAR' }, { name: 'a', type: 'BIGINT' }, { name: 'x', type: 'DECIMAL(38,15)' }],
      rows: [['=x', '12', true]],
    });
    expect(renderCsv(table)).toBe("a,a_2,x\n'=x,12,true\n");
    expect(table.columns.map((c) => c.kind)).toEqual(['text', 'number', 'number']);
  });
});
