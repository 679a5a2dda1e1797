// `npm run bench:reports`: time the reports over a large stored span set (PRODUCT.md: every report over 10M
// stored spans under 2 s). Generates N spans directly in DuckDB (`range(N)`, hash-derived tenants, users, routes,
// a realistic model mix with one unknown model, batch traffic, long-context requests, layer counters, dates over
// October 2025) into bench/.data/reports-<N>.duckdb (kept between runs; --regen rebuilds it), then times in one
// process, against a bare `SELECT tenant, sum(tokens) FROM spans` baseline: the priced_spans view summed by
// tenant, and `costs --by tenant | route,model | day | layer` through the analysis function (dist/, so run
// `npm run build` first). Prints the best of --repeat runs: wall and CPU seconds (user + sys, all threads;
// the machine is shared, so CPU time is the steadier figure) and both as ratios to the baseline.
// Options: --spans 1000000,10000000  --repeat 3  --threads N  --regen  --only view,tenant,route_model,day,layer
//          --materialise (call materialisePricedSpans first: the price bands frozen in a TEMP table, as a command
//          would after loading its data; its own time is printed on stderr)
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench/.data');
const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
const { Database } = await dist('db/database.js');
const { installPriceBook, loadPriceBook, priceBookHash } = await dist('pricebook/index.js');
const { refreshCostRollup, storedRollupIsCurrent } = await dist('analysis/cost-rollup.js');
const { attributeCosts } = await dist('analysis/costs.js');
const pricebook = await dist('pricebook/install.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---- generator -------------------------------------------------------------------------------------------
// Traces of 8 spans: an `invoke_agent` root carrying the tags, 6 inference calls inheriting them, one tool call.
// Served models (share of calls): Sonnet 4.5 snapshot 40%, Haiku 4.5 20%, gpt-4.1-mini snapshot 15%, gpt-4o-mini
// 10%, Gemini 2.5 Pro 8% (some over the 200k long-context threshold), a provider-prefixed Sonnet 4% and an unknown
// private model 3%. 10% of traces run on the batch tier; 1 in 20 traces has no tenant; 60% carry layer counters.
const MODELS = `[
  'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5-20251001', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5-20251001', 'claude-haiku-4-5-20251001',
  'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini-2025-04-14',
  'gpt-4o-mini', 'gpt-4o-mini', 'gemini-2.5-pro', 'gemini-2.5-pro',
  'anthropic/claude-sonnet-4-5', 'acme-private-llm-v2']`;

function generateSql(total) {
  return `
  INSERT INTO spans
  WITH base AS (
    SELECT i, i // 8 AS trace, i % 8 AS pos, hash(i // 8) AS th, hash(i) AS sh FROM range(${total}) r(i)
  ),
  shaped AS (
    SELECT *, ${MODELS}[1 + (sh % 21)::INTEGER] AS served,
      CASE WHEN th % 20 = 0 THEN NULL ELSE 'tenant-' || (th % 400) END AS tenant_v,
      TIMESTAMP '2025-10-01' + to_microseconds((th % (31 * 86400000000))::BIGINT) + to_milliseconds(pos * 700) AS t0
    FROM base
  )
  SELECT lpad(printf('%x', trace), 32, '0'), lpad(printf('%x', i), 16, '0'),
    CASE WHEN pos = 0 THEN NULL ELSE lpad(printf('%x', trace * 8), 16, '0') END,
    1, 'otlp', 'bench', 'bench-agent',
    CASE pos WHEN 0 THEN 'invoke_agent support' WHEN 7 THEN 'execute_tool search' ELSE 'chat ' || served END,
    CASE pos WHEN 0 THEN 'invoke_agent' WHEN 7 THEN 'execute_tool' ELSE 'chat' END,
    t0, t0 + INTERVAL 600 MILLISECOND,
    pos BETWEEN 1 AND 6,
    CASE WHEN pos BETWEEN 1 AND 6 THEN CASE WHEN served LIKE '%claude%' THEN 'anthropic' WHEN served LIKE 'gemini%' THEN 'gcp.gemini'
                                            WHEN served LIKE 'gpt%' THEN 'openai' ELSE 'acme' END END,
    CASE WHEN pos BETWEEN 1 AND 6 THEN regexp_replace(served, '-\\d{4}-?\\d{2}-?\\d{2}$', '') END,
    CASE WHEN pos BETWEEN 1 AND 6 THEN served END,
    CASE WHEN th % 10 = 3 THEN 'batch' ELSE 'standard' END,
    -- tokens: uncached input, cache read, 5m write, 1h write, output, reasoning
    CASE WHEN pos BETWEEN 1 AND 6 THEN 200 + sh % 6000 + CASE WHEN served = 'gemini-2.5-pro' AND sh % 7 = 0 THEN 210000 ELSE 0 END ELSE 0 END,
    CASE WHEN pos BETWEEN 1 AND 6 THEN (sh // 7) % 30000 ELSE 0 END,
    CASE WHEN pos BETWEEN 1 AND 6 THEN (sh // 11) % 2000 ELSE 0 END,
    CASE WHEN pos BETWEEN 1 AND 6 AND sh % 9 = 0 THEN (sh // 13) % 4000 ELSE 0 END,
    CASE WHEN pos BETWEEN 1 AND 6 THEN 50 + (sh // 17) % 1500 ELSE 0 END,
    CASE WHEN pos BETWEEN 1 AND 6 THEN (sh // 19) % 300 ELSE 0 END,
    NULL, 'exclusive', true,
    CASE WHEN pos = 0 THEN tenant_v END, CASE WHEN pos = 0 THEN 'user-' || (th % 9973) END, NULL,
    CASE WHEN pos = 0 THEN '/route/' || (th // 3) % 12 END, CASE WHEN pos = 0 THEN CASE WHEN th % 4 = 0 THEN 'free' ELSE 'paid' END END, NULL,
    tenant_v, 'user-' || (th % 9973), 'task-' || (th % 50), '/route/' || (th // 3) % 12,
    CASE WHEN th % 4 = 0 THEN 'free' ELSE 'paid' END, CASE WHEN th % 3 = 0 THEN 'high' ELSE 'medium' END,
    CASE WHEN pos BETWEEN 1 AND 6 AND th % 5 < 3 THEN 1500 + (sh // 23) % 500 END,
    CASE WHEN pos BETWEEN 1 AND 6 AND th % 5 < 3 THEN 3000 + (sh // 29) % 3000 END,
    CASE WHEN pos BETWEEN 1 AND 6 AND th % 5 < 3 THEN (sh // 31) % 20000 END,
    CASE WHEN pos = 7 THEN 'search' END, CASE WHEN pos = 7 THEN '{"q":"' || (sh % 1000) || '"}' END,
    NULL, NULL, NULL
  FROM shaped`;
}

export async function openData(total) {
  mkdirSync(DATA, { recursive: true });
  const path = join(DATA, `reports-${total}.duckdb`);
  if (process.argv.includes('--regen')) {
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  }
  const fresh = !existsSync(path);
  const threads = arg('--threads');
  const db = await Database.open({ path, ...(threads ? { threads: Number(threads) } : {}) });
  if (fresh) {
    process.stderr.write(`generating ${total} spans → ${path}\n`);
    const started = Date.now();
    await db.exec(generateSql(total));
    await db.exec('CHECKPOINT');
    process.stderr.write(`  generated in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const book = await loadPriceBook([]);
  await installPriceBook(db, book);
  if (!(await storedRollupIsCurrent(db))) {
    // what ingest does after writing spans: price them into the stored cost roll-up
    const started = Date.now();
    await refreshCostRollup(db, priceBookHash(book));
    await db.exec('CHECKPOINT');
    process.stderr.write(`  cost roll-up built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const row = await db.one('SELECT count(*)::BIGINT AS n FROM spans');
  if (Number(row?.n) !== total) throw new Error(`${path} holds ${row?.n} spans, not ${total}: rerun with --regen`);
  return db;
}

// ---- timing ------------------------------------------------------------------------------------------------
async function timeOnce(work) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await work();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** The lowest wall and the lowest CPU time over `repeat` runs (noise on a shared machine only adds). */
async function best(work, repeat) {
  const runs = [];
  for (let r = 0; r < repeat; r++) runs.push(await timeOnce(work));
  return { wall: Math.min(...runs.map((t) => t.wall)), cpu: Math.min(...runs.map((t) => t.cpu)) };
}

const period = { since: undefined, until: undefined, timezone: 'UTC' };
const costs = (by) => (db) => attributeCosts(db, { by, filter: { period } });

const CASES = [
  ['baseline', 'spans: SELECT tenant, sum(tokens)', (db) => db.all(
    `SELECT tenant, sum(input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens + output_tokens) AS t
     FROM spans WHERE is_inference GROUP BY tenant`)],
  ['view', 'priced_spans: tenant, sum(cost_usd)', (db) => db.all('SELECT tenant, sum(cost_usd) AS c FROM priced_spans GROUP BY tenant')],
  ['tenant', 'costs --by tenant', costs(['tenant'])],
  ['route_model', 'costs --by route,model', costs(['route', 'model'])],
  ['day', 'costs --by day', costs(['day'])],
  ['layer', 'costs --by layer', costs(['layer'])],
];

async function benchSize(total, repeat, only) {
  const db = await openData(total);
  try {
    await installPriceBook(db, await loadPriceBook([]));
    if (typeof pricebook.materialisePricedSpans === 'function' && process.argv.includes('--materialise')) {
      const m = await timeOnce(() => pricebook.materialisePricedSpans(db));
      process.stderr.write(`  materialisePricedSpans: ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s cpu\n`);
    }
    const results = [];
    for (const [key, label, work] of CASES) {
      if (key !== 'baseline' && only && !only.includes(key)) continue;
      await work(db); // warm: the file's blocks in the buffer pool, the same for every case
      results.push([label, await best(() => work(db), repeat)]);
      process.stderr.write(`  ${label}: ${results.at(-1)[1].wall.toFixed(2)} s\n`);
    }
    const [, base] = results[0];
    process.stdout.write(`\n${total.toLocaleString('en-US')} stored spans (${Math.round(total * 0.75).toLocaleString('en-US')} inference), best of ${repeat}\n`);
    process.stdout.write(`${'report'.padEnd(38)} ${'wall s'.padStart(8)} ${'× base'.padStart(8)} ${'cpu s'.padStart(8)} ${'× base'.padStart(8)}\n`);
    for (const [label, r] of results) {
      const cells = [r.wall.toFixed(2), (r.wall / base.wall).toFixed(1), r.cpu.toFixed(2), (r.cpu / base.cpu).toFixed(1)];
      process.stdout.write(`${label.padEnd(38)} ${cells.map((c) => c.padStart(8)).join(' ')}\n`);
    }
  } finally {
    db.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = String(arg('--spans', '1000000,10000000')).split(',').map(Number);
  const repeat = Number(arg('--repeat', '3'));
  const only = arg('--only')?.split(',');
  for (const total of sizes) await benchSize(total, repeat, only);
}
