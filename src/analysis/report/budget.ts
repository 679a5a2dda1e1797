/**
 * The `--budget FILE` of `report monthly`: monthly spend budgets as JSON (`{"2026-10": 40000}` or
 * `[{"month": "2026-10", "budget_usd": 40000}]`) or CSV with a header `month,budget_usd`. Bad
 * entries are input errors naming the file, the line/entry and the field.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { badInput, CostattrError } from '../../errors.js';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export type Budgets = Map<string, number>;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read the budget file: ${(err as Error).message}`, { cause: err });
  }
}

function amount(path: string, where: { line?: number; row?: number }, value: unknown): number {
  const usd = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(usd) || usd < 0) throw badInput(path, where, 'budget_usd', `expected a non-negative amount in USD, got ${JSON.stringify(value)}`);
  return usd;
}

function month(path: string, where: { line?: number; row?: number }, value: unknown): string {
  if (typeof value !== 'string' || !MONTH.test(value.trim())) throw badInput(path, where, 'month', `expected YYYY-MM, got ${JSON.stringify(value)}`);
  return value.trim();
}

function fromJson(path: string, doc: unknown): Budgets {
  const budgets: Budgets = new Map();
  if (Array.isArray(doc)) {
    doc.forEach((entry: unknown, i) => {
      const row = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
      budgets.set(month(path, { row: i + 1 }, row.month), amount(path, { row: i + 1 }, row.budget_usd));
    });
  } else if (typeof doc === 'object' && doc !== null) {
    Object.entries(doc).forEach(([key, value], i) => budgets.set(month(path, { row: i + 1 }, key), amount(path, { row: i + 1 }, value)));
  } else {
    throw new CostattrError('BAD_INPUT', `${path}: expected {"YYYY-MM": budget_usd, …} or [{"month", "budget_usd"}, …]`);
  }
  return budgets;
}

function fromCsv(path: string, text: string): Budgets {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: malformed CSV: ${(err as Error).message}`, { cause: err });
  }
  const [header = [], ...rows] = records;
  const names = header.map((h) => h.toLowerCase());
  const mi = names.indexOf('month');
  const bi = names.indexOf('budget_usd');
  if (mi < 0 || bi < 0) throw badInput(path, { line: 1 }, mi < 0 ? 'month' : 'budget_usd', 'missing column; a budget CSV has the header month,budget_usd');
  const budgets: Budgets = new Map();
  rows.forEach((row, i) => budgets.set(month(path, { line: i + 2 }, row[mi]), amount(path, { line: i + 2 }, row[bi])));
  return budgets;
}

export function readBudgetFile(path: string): Budgets {
  const text = readText(path);
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new CostattrError('BAD_INPUT', `${path}: not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    return fromJson(path, doc);
  }
  return fromCsv(path, text);
}
