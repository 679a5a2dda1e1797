// The month close's inputs for the report benches, made once from a bench database (read-only) into bench/.data:
// an Anthropic Console usage CSV (tokens per UTC day × model × tier) and cost CSV (dollars per day × model × tier ×
// token type) from the stored roll-ups' own totals, and a revenue CSV with a row per tenant for October 2025.
// Deterministic, with variance to classify: every 7th day × model bills 1% more output tokens and dollars
// (quantity/untraced), every 5th day's cache reads carry a 10% discount under their list price (rate), and one
// line bills a model no span used (untraced). Revenue: every tenant's spend × 0.5–5.5 by a hash of its name,
// every 9th tenant on the free plan (revenue 0). Reading them: `--invoice <usage> --invoice <cost> --revenue <revenue>`.
import { existsSync } from 'node:fs';

const CLASSES = [['input', 'input_no_cache'], ['cache_read', 'input_cache_read'], ['cache_write_5m', 'input_cache_write_5m'],
  ['cache_write_1h', 'input_cache_write_1h'], ['output', 'output']];

/** `{ usage, cost, revenue }`: the three files beside `db` (`reports-N.duckdb` → `reports-N-*.csv`), made when missing. */
export async function closeInputs(db) {
  const stem = db.replace(/\.duckdb$/, '');
  const files = { usage: `${stem}-anthropic-usage.csv`, cost: `${stem}-anthropic-cost.csv`, revenue: `${stem}-revenue.csv` };
  if (Object.values(files).every((f) => existsSync(f))) return files;
  process.stderr.write(`generating the month close's invoices and revenue → ${stem}-*.csv\n`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const c = await (await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' })).connect();
  const path = (f) => `'${f.replaceAll("'", "''")}'`;
  await c.run(`CREATE TEMP TABLE days AS
    SELECT CAST(slot AS DATE) AS day, model, service_tier AS tier,
           hash(CAST(slot AS DATE), model) % 7 = 0 AS over, hash(CAST(slot AS DATE)) % 5 = 0 AS discounted,
           ${CLASSES.map(([cls]) => `sum(${cls}_tokens)::BIGINT AS ${cls}_tokens, sum(cost_${cls}) AS cost_${cls}`).join(', ')}
    FROM cost_rollup WHERE provider = 'anthropic' AND priced AND slot >= TIMESTAMP '2025-10-01' AND slot < TIMESTAMP '2025-11-01'
    GROUP BY ALL
    UNION ALL SELECT DATE '2025-10-15', 'claude-opus-4-1', 'standard', false, false, 0, 0, 0, 0, 0, 0, 0, 0, 120000, 9.0`);
  await c.run(`COPY (SELECT strftime(day, '%Y-%m-%d') AS usage_date_utc, model AS model_version, 'bench' AS api_key, 'Default' AS workspace,
      tier AS usage_type, '≤ 200k' AS context_window, input_tokens AS usage_input_tokens_no_cache,
      cache_write_5m_tokens AS usage_input_tokens_cache_write_5m, cache_write_1h_tokens AS usage_input_tokens_cache_write_1h,
      cache_read_tokens AS usage_input_tokens_cache_read, CASE WHEN over THEN output_tokens * 101 // 100 ELSE output_tokens END AS usage_output_tokens,
      0 AS web_search_count, 'global' AS inference_geo, '' AS speed
    FROM days ORDER BY ALL) TO ${path(files.usage)} (HEADER)`);
  await c.run(`COPY (SELECT strftime(day, '%Y-%m-%d') AS usage_date_utc, model, 'Default' AS workspace, 'bench' AS api_key, 'message' AS usage_type,
      '≤ 200k' AS context_window, token_type,
      round(CASE WHEN cls = 'output' AND over THEN list * 1.01 WHEN cls = 'cache_read' AND discounted THEN list * 0.9 ELSE list END, 6) AS cost_usd,
      round(CASE WHEN cls = 'output' AND over THEN list * 1.01 ELSE list END, 6) AS list_price_usd, 'token' AS cost_type
    FROM (SELECT day, model, over, discounted, k.cls, k.token_type,
                 sum(CASE k.cls ${CLASSES.map(([cls]) => `WHEN '${cls}' THEN cost_${cls}`).join(' ')} END) AS list
          FROM days CROSS JOIN (VALUES ${CLASSES.map(([cls, type]) => `('${cls}', '${type}')`).join(', ')}) k(cls, token_type)
          GROUP BY ALL)
    WHERE list <> 0 ORDER BY ALL) TO ${path(files.cost)} (HEADER)`);
  await c.run(`COPY (SELECT tenant, '2025-10' AS month, CASE WHEN hash(tenant) % 9 = 0 THEN 0 ELSE round(sum(cost_usd) * (0.5 + hash(tenant) % 6), 2) END AS revenue_usd,
      CASE WHEN hash(tenant) % 9 = 0 THEN 'free' ELSE 'bundled' END AS plan, NULL AS ceiling_usd, NULL AS markup
    FROM run_rollup WHERE tenant IS NOT NULL AND slot >= TIMESTAMP '2025-10-01' AND slot < TIMESTAMP '2025-11-01'
    GROUP BY tenant ORDER BY tenant) TO ${path(files.revenue)} (HEADER)`);
  return files;
}
