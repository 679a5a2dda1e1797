/**
 * The `revenue` table as a relation the report queries can always join: the stored table when
 * revenue was loaded, else an empty relation of the same shape (reports never create tables in a
 * user's database just to read nothing from them).
 */
import type { Database } from '../../db/database.js';
import { hasRevenueTable } from '../../db/schema.js';
import { num } from '../../db/values.js';

const EMPTY = `SELECT CAST(NULL AS VARCHAR) AS tenant, CAST(NULL AS VARCHAR) AS month, CAST(NULL AS DECIMAL(18,6)) AS revenue_usd,
  CAST(NULL AS VARCHAR) AS plan, CAST(NULL AS DECIMAL(18,6)) AS ceiling_usd WHERE false`;

export async function hasRevenue(db: Database): Promise<boolean> {
  if (!(await hasRevenueTable(db))) return false;
  const rows = await db.one<{ n: string }>('SELECT count(*)::VARCHAR AS n FROM revenue');
  return num(rows?.n) > 0;
}

/** SQL for a CTE body with the columns of `revenue`. */
export async function revenueRelation(db: Database): Promise<string> {
  return (await hasRevenue(db)) ? 'SELECT tenant, month, revenue_usd, plan, ceiling_usd FROM revenue' : EMPTY;
}
