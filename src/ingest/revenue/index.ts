/**
 * Revenue CSV → the `revenue` table, one row per tenant and month. Columns are found by name:
 * header variants (`customer_id`, `revenue`, `MRR (USD)`, `markup %`, …) are read as their field.
 * The file is read by DuckDB's CSV reader as text, validated in one query (the first bad value
 * stops the load, naming file, row and field), then a (tenant, month) already stored is replaced,
 * so loading the same file twice changes nothing. Plans: `pass_through` (with an optional markup,
 * a fraction such as 0.2 or a percentage such as 20%; a markup with no plan means pass_through),
 * `bundled`, `outcome_based`, `free` (revenue 0; an empty revenue cell reads as 0).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Database } from '../../db/database.js';
import { quoteIdent, quoteLiteral } from '../../db/quote.js';
import { createRevenueTable } from '../../db/schema.js';
import { badInput, CostattrError } from '../../errors.js';

export const REVENUE_PLANS = ['bundled', 'pass_through', 'outcome_based', 'free'] as const;
export type RevenuePlan = (typeof REVENUE_PLANS)[number];

const REQUIRED = ['tenant', 'month', 'revenue_usd'] as const;
const OPTIONAL = ['plan', 'ceiling_usd', 'markup'] as const;
type RevenueField = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

/** Markup headers whose bare numbers are percentages (`markup_pct` 20 is 20%). */
const PERCENT_MARKUP_HEADERS = ['markup_pct', 'markup_percent', 'markup_percentage'];

/** Header names (normalised by `headerKey`) read as each field. */
const HEADER_VARIANTS: Record<RevenueField, readonly string[]> = {
  tenant: ['tenant', 'tenant_id', 'customer', 'customer_id', 'account', 'account_id', 'org', 'org_id'],
  month: ['month', 'billing_month', 'period'],
  revenue_usd: ['revenue_usd', 'revenue', 'revenue_amount', 'amount_usd', 'mrr', 'mrr_usd'],
  plan: ['plan', 'plan_type', 'pricing_plan'],
  ceiling_usd: ['ceiling_usd', 'ceiling', 'contracted_ceiling', 'contracted_ceiling_usd', 'spend_ceiling_usd', 'cap_usd'],
  markup: ['markup', 'markup_rate', 'markup_fraction', ...PERCENT_MARKUP_HEADERS],
};

const RAW_TABLE = 'costattr_revenue_raw';

export interface RevenueLoadReport {
  path: string;
  /** Data rows in the file. */
  read: number;
  /** Rows stored. */
  rows: number;
  /** Rows left out under `skipInvalid`, each with its first bad field. */
  skipped: Array<{ row: number; field: string; problem: string }>;
}

/** `MRR (USD)` → `mrr_usd`, `Markup %` → `markup_pct`. */
function headerKey(name: string): string {
  return name.trim().replace(/^"(.*)"$/, '$1').toLowerCase().replaceAll('%', ' pct').replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}

/** The header line, split (revenue files are small; only the first 64 KiB are read for it). */
function readHeader(path: string): string[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot open: ${(err as Error).message}`, { cause: err });
  }
  try {
    const buffer = Buffer.alloc(65_536);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const first = buffer.toString('utf8', 0, n).replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
    return first.split(',').map(headerKey);
  } finally {
    closeSync(fd);
  }
}

/** Each field's column position in the header (absent fields left out); two columns for one field is an error. */
function fieldColumns(path: string, header: readonly string[]): Map<RevenueField, number> {
  const found = new Map<RevenueField, number>();
  for (const field of [...REQUIRED, ...OPTIONAL]) {
    const positions = header.flatMap((name, i) => (HEADER_VARIANTS[field].includes(name) ? [i] : []));
    if (positions.length > 1) {
      throw badInput(path, { line: 1 }, field, `columns ${positions.map((i) => header[i]).join(' and ')} both read as ${field}; keep one`);
    }
    if (positions[0] !== undefined) found.set(field, positions[0]);
  }
  const missing = REQUIRED.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw badInput(path, { line: 1 }, missing[0], `missing column; a revenue CSV has columns ${[...REQUIRED, ...OPTIONAL].join(',')}`);
  }
  return found;
}

interface Problem extends Record<string, unknown> {
  row: string;
  field: string;
  problem: string;
}

const GIVEN = (column: string): string => `(${column} IS NOT NULL AND trim(${column}) <> '')`;
const STATED_PLAN_SQL = `replace(replace(lower(trim(plan)), '-', '_'), ' ', '_')`;
/** The plan as stored: as written, else pass_through when a markup is given, else NULL. */
const PLAN_SQL = `CASE WHEN ${GIVEN('plan')} THEN ${STATED_PLAN_SQL} WHEN ${GIVEN('markup')} THEN 'pass_through' END`;
const REVENUE_SQL = `CASE WHEN NOT ${GIVEN('revenue_usd')} AND ${PLAN_SQL} = 'free' THEN CAST(0 AS DECIMAL(18,6)) ELSE TRY_CAST(trim(revenue_usd) AS DECIMAL(18,6)) END`;
const USD_SQL = (column: string): string => `TRY_CAST(trim(${column}) AS DECIMAL(18,6))`;

/** The markup as a fraction: `20%` and (in a percent column) `20` are 0.2; NULL when unreadable. */
function markupSql(percentColumn: boolean): string {
  const bare = `TRY_CAST(trim(markup) AS DECIMAL(18,6))`;
  return `CASE WHEN ends_with(trim(markup), '%') THEN CAST(TRY_CAST(trim(rtrim(trim(markup), '%')) AS DECIMAL(18,6)) * 0.01 AS DECIMAL(18,6))
    ELSE ${percentColumn ? `CAST(${bare} * 0.01 AS DECIMAL(18,6))` : bare} END`;
}

/** One row per bad record (file order): its first bad field. `row` is the data row (the header is not counted). */
function validateSql(markup: string, percentColumn: boolean): string {
  return `
  WITH checked AS (
    SELECT row,
      CASE
        WHEN tenant IS NULL OR trim(tenant) = '' THEN 'tenant'
        WHEN month IS NULL OR NOT regexp_full_match(trim(month), '\\d{4}-(0[1-9]|1[0-2])') THEN 'month'
        WHEN ${GIVEN('plan')} AND ${STATED_PLAN_SQL} NOT IN (${REVENUE_PLANS.map(quoteLiteral).join(', ')}) THEN 'plan'
        WHEN ${REVENUE_SQL} IS NULL OR ${REVENUE_SQL} < 0 THEN 'revenue_usd'
        WHEN ${PLAN_SQL} = 'free' AND ${REVENUE_SQL} <> 0 THEN 'revenue_usd'
        WHEN ${GIVEN('ceiling_usd')} AND (${USD_SQL('ceiling_usd')} IS NULL OR ${USD_SQL('ceiling_usd')} < 0) THEN 'ceiling_usd'
        WHEN ${GIVEN('markup')} AND (${markup} IS NULL OR ${markup} < 0
             OR (${!percentColumn} AND NOT ends_with(trim(markup), '%') AND ${markup} > 1)) THEN 'markup'
        WHEN ${GIVEN('markup')} AND ${PLAN_SQL} <> 'pass_through' THEN 'markup'
        WHEN count(*) OVER (PARTITION BY trim(tenant), trim(month) ORDER BY row) > 1 THEN 'tenant'
      END AS field,
      tenant, month, revenue_usd, plan, ceiling_usd, markup, ${PLAN_SQL} AS stored_plan
    FROM ${RAW_TABLE}
  )
  SELECT row::VARCHAR AS row, field,
    CASE field
      WHEN 'tenant' THEN CASE WHEN tenant IS NULL OR trim(tenant) = '' THEN 'empty tenant' ELSE 'tenant ' || tenant || ' appears twice for month ' || month END
      WHEN 'month' THEN 'expected YYYY-MM, got ' || coalesce(month, 'nothing')
      WHEN 'revenue_usd' THEN CASE WHEN stored_plan = 'free' THEN 'a free plan has no revenue (0 or nothing), got ' || revenue_usd
                                   ELSE 'expected a non-negative amount in USD, got ' || coalesce(revenue_usd, 'nothing') END
      WHEN 'plan' THEN 'expected one of ${REVENUE_PLANS.join(', ')}, got ' || plan
      WHEN 'markup' THEN CASE WHEN stored_plan <> 'pass_through' THEN 'a markup applies to pass_through plans only, not ' || stored_plan
                              ELSE 'expected a markup such as 0.2 or 20% (write 150% above 100%), got ' || markup END
      ELSE 'expected a non-negative amount in USD or nothing, got ' || ceiling_usd
    END AS problem
  FROM checked WHERE field IS NOT NULL ORDER BY row`;
}

/**
 * Load one revenue CSV into `revenue`; throws (exit 2) on the first bad row, storing nothing, unless
 * `skipInvalid`: then the bad rows are left out and listed in the report.
 */
export async function loadRevenueCsv(db: Database, path: string, options: { skipInvalid?: boolean | undefined } = {}): Promise<RevenueLoadReport> {
  const header = readHeader(path);
  const found = fieldColumns(path, header);
  const markupPosition = found.get('markup');
  const percentColumn = markupPosition !== undefined && PERCENT_MARKUP_HEADERS.includes(header[markupPosition] ?? '');
  // positional column names: whatever the header says, the reader sees c0, c1, …
  const columns = `{${header.map((_, i) => `${quoteLiteral(`c${i}`)}: 'VARCHAR'`).join(', ')}}`;
  const pick = (field: RevenueField): string => {
    const position = found.get(field);
    return position === undefined ? 'CAST(NULL AS VARCHAR)' : quoteIdent(`c${position}`);
  };
  try {
    await db.exec(
      `CREATE OR REPLACE TEMP TABLE ${RAW_TABLE} AS
       SELECT row_number() OVER () AS row, ${[...REQUIRED, ...OPTIONAL].map((c) => `${pick(c)} AS ${c}`).join(', ')}
       FROM read_csv($path, header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${columns})`,
      { path },
    );
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: malformed CSV: ${(err as Error).message.split('\n')[0] ?? ''}`, { cause: err });
  }
  try {
    const markup = markupSql(percentColumn);
    const problems = await db.all<Problem>(validateSql(markup, percentColumn));
    const first = problems[0];
    if (first && !options.skipInvalid) throw badInput(path, { row: Number(first.row) }, first.field, first.problem);
    const read = Number((await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${RAW_TABLE}`))?.n ?? 0);
    if (problems.length > 0) await db.exec(`DELETE FROM ${RAW_TABLE} WHERE row::VARCHAR IN (SELECT row FROM (${validateSql(markup, percentColumn)}))`);
    await createRevenueTable(db);
    const rows = await db.transaction(async () => {
      await db.exec(`DELETE FROM revenue WHERE EXISTS (SELECT 1 FROM ${RAW_TABLE} r WHERE trim(r.tenant) = revenue.tenant AND trim(r.month) = revenue.month)`);
      await db.exec(
        `INSERT INTO revenue (tenant, month, revenue_usd, plan, ceiling_usd, markup)
         SELECT trim(tenant), trim(month), ${REVENUE_SQL}, ${PLAN_SQL},
                CASE WHEN ${GIVEN('ceiling_usd')} THEN ${USD_SQL('ceiling_usd')} END,
                CASE WHEN ${GIVEN('markup')} THEN ${markup} END
         FROM ${RAW_TABLE} ORDER BY row`,
      );
      const count = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${RAW_TABLE}`);
      return Number(count?.n ?? 0);
    });
    return { path, read, rows, skipped: problems.map((p) => ({ row: Number(p.row), field: p.field, problem: p.problem })) };
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${RAW_TABLE}`);
  }
}
