/**
 * Revenue CSV (`tenant,month,revenue_usd,plan,ceiling_usd`) → the `revenue` table, one row per
 * tenant and month. Read by DuckDB's CSV reader with the file's own columns as text, validated in
 * one query (the first bad value stops the load, naming file, row and field), then a (tenant, month)
 * already stored is replaced, so loading the same file twice changes nothing.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { Database } from '../../db/database.js';
import { quoteIdent, quoteLiteral } from '../../db/quote.js';
import { badInput, CostattrError } from '../../errors.js';

export const REVENUE_PLANS = ['bundled', 'pass_through', 'outcome_based'] as const;
export type RevenuePlan = (typeof REVENUE_PLANS)[number];

const REQUIRED = ['tenant', 'month', 'revenue_usd'] as const;
const OPTIONAL = ['plan', 'ceiling_usd'] as const;
const RAW_TABLE = 'costattr_revenue_raw';

export interface RevenueLoadReport {
  path: string;
  rows: number;
}

export async function createRevenueTable(db: Database): Promise<void> {
  await db.exec(`CREATE TABLE IF NOT EXISTS revenue (
    tenant      VARCHAR NOT NULL,
    month       VARCHAR NOT NULL,
    revenue_usd DECIMAL(18,6) NOT NULL,
    plan        VARCHAR,
    ceiling_usd DECIMAL(18,6)
  )`);
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
    return first.split(',').map((name) => name.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  } finally {
    closeSync(fd);
  }
}

interface Problem extends Record<string, unknown> {
  row: string;
  field: string;
  problem: string;
}

const PLAN_SQL = `replace(replace(lower(trim(plan)), '-', '_'), ' ', '_')`;

/** One row per bad record: its first bad field. `row` is the data row (the header is not counted). */
const VALIDATE_SQL = `
  WITH checked AS (
    SELECT row,
      CASE
        WHEN tenant IS NULL OR trim(tenant) = '' THEN 'tenant'
        WHEN month IS NULL OR NOT regexp_full_match(trim(month), '\\d{4}-(0[1-9]|1[0-2])') THEN 'month'
        WHEN TRY_CAST(trim(revenue_usd) AS DECIMAL(18,6)) IS NULL OR TRY_CAST(trim(revenue_usd) AS DECIMAL(18,6)) < 0 THEN 'revenue_usd'
        WHEN plan IS NOT NULL AND trim(plan) <> '' AND ${PLAN_SQL} NOT IN (${REVENUE_PLANS.map(quoteLiteral).join(', ')}) THEN 'plan'
        WHEN ceiling_usd IS NOT NULL AND trim(ceiling_usd) <> ''
             AND (TRY_CAST(trim(ceiling_usd) AS DECIMAL(18,6)) IS NULL OR TRY_CAST(trim(ceiling_usd) AS DECIMAL(18,6)) < 0) THEN 'ceiling_usd'
        WHEN count(*) OVER (PARTITION BY trim(tenant), trim(month) ORDER BY row) > 1 THEN 'tenant'
      END AS field,
      tenant, month, revenue_usd, plan, ceiling_usd
    FROM ${RAW_TABLE}
  )
  SELECT row::VARCHAR AS row, field,
    CASE field
      WHEN 'tenant' THEN CASE WHEN tenant IS NULL OR trim(tenant) = '' THEN 'empty tenant' ELSE 'tenant ' || tenant || ' appears twice for month ' || month END
      WHEN 'month' THEN 'expected YYYY-MM, got ' || coalesce(month, 'nothing')
      WHEN 'revenue_usd' THEN 'expected a non-negative amount in USD, got ' || coalesce(revenue_usd, 'nothing')
      WHEN 'plan' THEN 'expected one of ${REVENUE_PLANS.join(', ')}, got ' || plan
      ELSE 'expected a non-negative amount in USD or nothing, got ' || ceiling_usd
    END AS problem
  FROM checked WHERE field IS NOT NULL ORDER BY row LIMIT 1`;

/** Load one revenue CSV into `revenue`; throws (exit 2) on the first bad row, storing nothing. */
export async function loadRevenueCsv(db: Database, path: string): Promise<RevenueLoadReport> {
  const header = readHeader(path);
  const missing = REQUIRED.filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw badInput(path, { line: 1 }, missing[0], `missing column; a revenue CSV has columns ${[...REQUIRED, ...OPTIONAL].join(',')}`);
  }
  const columns = `{${header.map((name) => `${quoteLiteral(name)}: 'VARCHAR'`).join(', ')}}`;
  const pick = (name: string): string => (header.includes(name) ? quoteIdent(name) : 'CAST(NULL AS VARCHAR)');
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
    const problem = await db.one<Problem>(VALIDATE_SQL);
    if (problem) throw badInput(path, { row: Number(problem.row) }, problem.field, problem.problem);
    await createRevenueTable(db);
    const rows = await db.transaction(async () => {
      await db.exec(`DELETE FROM revenue WHERE EXISTS (SELECT 1 FROM ${RAW_TABLE} r WHERE trim(r.tenant) = revenue.tenant AND trim(r.month) = revenue.month)`);
      await db.exec(
        `INSERT INTO revenue
         SELECT trim(tenant), trim(month), CAST(trim(revenue_usd) AS DECIMAL(18,6)),
                CASE WHEN plan IS NULL OR trim(plan) = '' THEN NULL ELSE ${PLAN_SQL} END,
                CASE WHEN ceiling_usd IS NULL OR trim(ceiling_usd) = '' THEN NULL ELSE CAST(trim(ceiling_usd) AS DECIMAL(18,6)) END
         FROM ${RAW_TABLE} ORDER BY row`,
      );
      const count = await db.one<{ n: string }>(`SELECT count(*)::VARCHAR AS n FROM ${RAW_TABLE}`);
      return Number(count?.n ?? 0);
    });
    return { path, rows };
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${RAW_TABLE}`);
  }
}
