// End to end, every command on one shared fixture (test/e2e/fixtures/inbox, made by its generate.ts):
// the built CLI's stdout in --format json and md compared byte for byte with test/e2e/golden/inbox/,
// and its exit code. The fixture is ingested once into a temp --db; every command reads that database.
// Goldens only prove "unchanged": the figures that matter are also re-derived here by hand from the
// fixture's token counts × list prices (per MTok: sonnet-4-5 in 3 / read 0.30 / 5m write 3.75 / out 15;
// haiku-4-5 in 1 / read 0.10 / out 5; gpt-4.1-mini in 0.40 / cached 0.10 / out 1.60).
// Regenerate fixture and goldens with `UPDATE_GOLDEN=1 npx vitest run test/e2e/commands.test.ts`, then
// read the diff by hand.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { expectGolden, UPDATE_GOLDEN } from '../helpers/golden.js';
import { fixtureFiles } from './fixtures/inbox/generate.js';

const FIXTURE = 'test/e2e/fixtures/inbox'; // relative to ROOT (the CLI's cwd), so ingest reports stable paths
const GOLDEN = join(ROOT, 'test/e2e/golden/inbox');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let dir: string;
let db: string;
let ingest: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  if (UPDATE_GOLDEN) for (const [name, text] of Object.entries(fixtureFiles())) writeFileSync(join(ROOT, FIXTURE, name), text);
  dir = tempDir('costattr-golden-');
  db = join(dir, 'inbox.duckdb');
  ingest = await runCli(['ingest', `${FIXTURE}/spans.otlp.jsonl`, '--db', db, '--invoice', `${FIXTURE}/anthropic-cost.csv`,
    '--invoice', `${FIXTURE}/openai-cost.csv`, '--revenue', `${FIXTURE}/revenue.csv`, '--json', '--quiet']);
});

// Volatile parts, replaced explicitly and nothing else: this run's temp directory (diff's `source`
// paths) and the running costattr version (snapshot provenance, diff's provenance footer). Everything
// else must be byte-identical from run to run (PRODUCT.md: deterministic, fixed time zone).
function normalise(text: string): string {
  return text
    .replaceAll(dir, '<tmp>')
    .replaceAll(`"costattr_version": "${VERSION}"`, '"costattr_version": "<version>"')
    .replaceAll(`costattr ${VERSION}`, 'costattr <version>');
}

/**
 * Run a command and check its exit code; stdout, normalised. Asynchronous so that vitest's worker keeps
 * its event loop (a file of blocking spawns outlasts its RPC timeout); one at a time, because today a
 * read command opens --db read-write and a second process is refused (DB_IN_USE).
 */
async function cli(args: string[], code = 0): Promise<string> {
  const result = await runCli(args);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(code);
  return normalise(result.stdout);
}

/** The command in --format json, then in --format md. */
async function both(args: string[], code = 0): Promise<[json: string, md: string]> {
  const json = await cli([...args, '--format', 'json'], code);
  return [json, await cli([...args, '--format', 'md'], code)];
}

const READ = (): string[] => ['--db', db, '--quiet'];
const golden = (name: string, out: string) => expectGolden(join(GOLDEN, name), out);
const parse = <T>(text: string): T => JSON.parse(text) as T;

// ---- the fixture by hand (micro-dollars; every product of tokens × rate is whole here)
const TRIAGE = 2000 * 1 + 6000 * 0.1 + 200 * 5; // haiku, Anthropic input excludes cache: 3,600
const DRAFT_1 = 1000 * 3 + 10000 * 0.3 + 2000 * 3.75 + 400 * 15; // sonnet: 19,500
const DRAFT_2 = 500 * 3 + 12000 * 0.3 + 300 * 15; // 9,600
const DRAFT = DRAFT_1 + DRAFT_2; // one draft-reply run: 29,100
const SUMMARY = (10000 - 4000) * 0.4 + 4000 * 0.1 + 1000 * 1.6; // gpt-4.1-mini, OpenAI input includes cache: 4,400
const REPORT = 3000 * 3 + 1000 * 15; // sonnet, no cache counters: 24,000
const LOOP = 6 * REPORT; // one runaway report-gen run
const DAYS = 6;
const TENANT = {
  umbrella: DAYS * REPORT + 3 * LOOP, // 576,000
  acme: DAYS * (4 * TRIAGE + 2 * DRAFT), // 435,600
  globex: DAYS * (2 * SUMMARY + DRAFT), // 227,400
  initech: DAYS * 3 * TRIAGE, // 64,800
  __unattributed__: DAYS * TRIAGE, // 21,600: the root-less triage call, one of them exported twice
  hooli: DAYS * TRIAGE, // 21,600: its fine-tuned summary calls are unpriced
};
const TOTAL = Object.values(TENANT).reduce((a, b) => a + b, 0); // 1,347,000
const usd = (micro: number): number => micro / 1e6;
const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;
/** Tokens of all inference calls, and of the unpriced ones (6 × 5,000 in + 500 out). */
const TOKENS = DAYS * (8200 /* no tenant */ + 4 * 8200 + 2 * 26200 /* acme */ + 2 * 11000 + 26200 /* globex */ + 3 * 8200 + 4000 + 5500 + 8200) + 18 * 4000;
const UNPRICED_TOKENS = DAYS * 5500;
/** A normal day, and the loop day (Oct 14). */
const DAY = TRIAGE + (4 * TRIAGE + 2 * DRAFT) + (2 * SUMMARY + DRAFT) + 3 * TRIAGE + REPORT + TRIAGE; // 152,500
const LOOP_DAY = DAY + 3 * LOOP; // 584,500

describe('the shared fixture', () => {
  it('is exactly what generate.ts writes', () => {
    for (const [name, text] of Object.entries(fixtureFiles())) expect(readFileSync(join(ROOT, FIXTURE, name), 'utf8'), name).toBe(text);
  });
});

describe('ingest', () => {
  it('--json reports what was read, deduped and how each input convention was applied', () => {
    expect(ingest.code, ingest.stderr).toBe(0);
    const report = parse<{ recordsRead: number; loaded: number; duplicates: number; namespace: string; conventions: Record<string, number> }>(ingest.stdout);
    // 37 spans a normal day × 6 + 3 loop runs × 13 + the tenant-less call exported twice
    expect(report).toMatchObject({ recordsRead: 37 * 6 + 39 + 1, loaded: 37 * 6 + 39, duplicates: 1, namespace: 'inbox' });
    // per day 9 haiku + 6 sonnet (exclusive), 3 OpenAI (inclusive), umbrella's report-gen without cache counters
    expect(report.conventions).toEqual({ exclusive: 15 * DAYS, inclusive: 3 * DAYS, no_cache_counts: DAYS + 18 });
    golden('ingest.json', normalise(ingest.stdout));
  });
});

interface CostRow { cost_usd: number; runs: number; spans: number; [dim: string]: unknown }
interface Costs { rows: CostRow[]; totals: { cost_usd: number; unattributed_usd: number; unpriced_spans: number; priced_share: number } }
const costsOf = (out: string, dim: string) => Object.fromEntries(parse<Costs>(out).rows.map((r) => [String(r[dim]), r.cost_usd]));

describe('costs', () => {
  it('--by tenant: each tenant is its runs × a run\'s cost; the total is a lower bound', async () => {
    const [json, md] = await both(['costs', ...READ(), '--by', 'tenant']);
    expect(costsOf(json, 'tenant')).toEqual(Object.fromEntries(Object.entries(TENANT).map(([t, micro]) => [t, usd(micro)])));
    expect(parse<Costs>(json).rows.map((r) => r.tenant)).toEqual(['umbrella', 'acme', 'globex', 'initech', '__unattributed__', 'hooli']);
    expect(parse<Costs>(json).totals).toEqual({
      cost_usd: usd(TOTAL), unattributed_usd: usd(TENANT.__unattributed__), unpriced_spans: 6, priced_share: r6(1 - UNPRICED_TOKENS / TOKENS),
    });
    golden('costs-by-tenant.json', json);
    expect(md).toContain('| umbrella | $0.58 | 9 | 24 |');
    golden('costs-by-tenant.md', md);
  });

  it('--by route,model', async () => {
    const [json, md] = await both(['costs', ...READ(), '--by', 'route,model']);
    const rows = parse<Costs>(json).rows.map((r) => [r.route, r.model, r.cost_usd, r.runs]);
    expect(rows).toEqual([
      ['report-gen', 'claude-sonnet-4-5', usd(TENANT.umbrella), 9],
      ['draft-reply', 'claude-sonnet-4-5', usd(3 * DAYS * DRAFT), 18],
      ['triage', 'claude-haiku-4-5', usd(9 * DAYS * TRIAGE), 54],
      ['summary', 'gpt-4.1-mini', usd(2 * DAYS * SUMMARY), 12],
      ['summary', 'ft:gpt-4.1-mini:hooli::b7x2k', 0, 6],
    ]);
    golden('costs-by-route-model.json', json);
    golden('costs-by-route-model.md', md);
  });

  it('--by day: five normal days and the loop day', async () => {
    const [json, md] = await both(['costs', ...READ(), '--by', 'day']);
    expect(costsOf(json, 'day')).toEqual({
      '2026-10-06': usd(DAY), '2026-10-07': usd(DAY), '2026-10-08': usd(DAY), '2026-10-13': usd(DAY), '2026-10-14': usd(LOOP_DAY), '2026-10-15': usd(DAY),
    });
    golden('costs-by-day.json', json);
    golden('costs-by-day.md', md);
  });

  it('--by layer: the cached prefix goes to prompt, then tool, then memory', async () => {
    // triage (8,000 in: read [0,6000) uncached [6000,8000); prompt 5,000 tool 1,500 memory 1,500 at haiku rates)
    const triage = { prompt: 5000 * 0.1, tool: 1000 * 0.1 + 500 * 1, memory: 1500 * 1, response: 200 * 5 };
    // draft call 1 (read [0,10000) write [10000,12000) uncached [12000,13000); prompt 8,000 tool 3,000 memory 2,000)
    const d1 = { prompt: 8000 * 0.3, tool: 2000 * 0.3 + 1000 * 3.75, memory: 1000 * 3.75 + 1000 * 3, response: 400 * 15 };
    // draft call 2 (read [0,12000) uncached [12000,12500); prompt 8,000 tool 3,500 memory 1,000)
    const d2 = { prompt: 8000 * 0.3, tool: 3500 * 0.3, memory: 500 * 0.3 + 500 * 3, response: 300 * 15 };
    const triageCalls = 9 * DAYS;
    const draftRuns = 3 * DAYS;
    const layer = (k: 'prompt' | 'tool' | 'memory') => usd(triageCalls * triage[k] + draftRuns * (d1[k] + d2[k]));
    const [json, md] = await both(['costs', ...READ(), '--by', 'layer']);
    expect(costsOf(json, 'layer')).toEqual({
      prompt: layer('prompt'), tool: layer('tool'), memory: layer('memory'),
      response: usd(triageCalls * triage.response + draftRuns * (d1.response + d2.response) + 2 * DAYS * 1000 * 1.6 + 24 * 1000 * 15),
      unknown: usd(2 * DAYS * (6000 * 0.4 + 4000 * 0.1) + 24 * 3000 * 3), // summary and report-gen carry no layer counters
    });
    golden('costs-by-layer.json', json);
    golden('costs-by-layer.md', md);
  });
});

describe('reconcile', () => {
  interface Reconcile {
    invoice_usd: number; span_usd: number; untraced_usd: number; unattributed_usd: number;
    lines: Array<{ model: string; day: string; token_class: string; variance_usd: number; cause: string }>;
    tenants: Array<{ tenant: string; margin_pct: number | null; segment: string }>;
    portfolio: { revenue_usd: number; cost_usd: number; margin_pct: number };
    cache: { hit_rate: number; naive_usd: number; actual_usd: number; savings_usd: number };
  }

  it('--month: invoice vs spans, the causes, margins, segments and cache economics', async () => {
    const [json, md] = await both(['reconcile', ...READ(), '--month', '2026-10']);
    const r = parse<Reconcile>(json);
    // Anthropic bills the spans at list price plus $0.10 of Oct 14 Sonnet output no span carries;
    // OpenAI bills 2,000 more gpt-4.1-mini input on Oct 15 and the unpriced fine-tuned model (6 × $0.0056)
    const fineTuned = DAYS * (5000 * 0.8 + 500 * 3.2);
    const invoice = TOTAL + 100_000 + 2000 * 0.4 + fineTuned;
    expect(r).toMatchObject({
      invoice_usd: usd(invoice), span_usd: usd(TOTAL), untraced_usd: usd(invoice - TOTAL), unattributed_usd: usd(TENANT.__unattributed__),
    });
    const notMatched = r.lines.filter((l) => l.cause !== 'match');
    expect(notMatched.filter((l) => l.cause === 'untraced').map((l) => [l.model, l.day, l.token_class, l.variance_usd])).toEqual([
      ['claude-sonnet-4-5', '2026-10-14', 'output', 0.1], ['gpt-4.1-mini', '2026-10-15', 'input', usd(2000 * 0.4)],
    ]);
    expect(notMatched.filter((l) => l.cause === 'unpriced')).toHaveLength(2 * DAYS);
    expect(notMatched).toHaveLength(2 + 2 * DAYS);
    // revenue: acme $5 bundled, globex $0.30 pass-through, initech $1, umbrella $1.20; hooli has none
    expect(Object.fromEntries(r.tenants.map((t) => [t.tenant, [t.segment, t.margin_pct]]))).toEqual({
      acme: ['healthy', r6(1 - usd(TENANT.acme) / 5)],
      globex: ['power_user', r6(1 - usd(TENANT.globex) / 0.3)],
      hooli: ['no_revenue', null],
      initech: ['healthy', r6(1 - usd(TENANT.initech) / 1)],
      umbrella: ['runaway', r6(1 - usd(TENANT.umbrella) / 1.2)], // 75% of its spend is in looping traces
    });
    expect(r.portfolio).toEqual({ revenue_usd: 7.5, cost_usd: usd(TOTAL), margin_pct: r6(1 - usd(TOTAL) / 7.5) });
    // cache reads 768,000 of 1,113,000 input tokens; saved = reads × (input − read rate) − 5m writes × (write − input rate)
    const saved = 324_000 * 0.9 + 396_000 * 2.7 + 48_000 * 0.3 - 36_000 * 0.75;
    expect(r.cache).toEqual({ hit_rate: 768_000 / 1_113_000, naive_usd: usd(TOTAL + saved), actual_usd: usd(TOTAL), savings_usd: usd(saved) });
    golden('reconcile.json', json);
    golden('reconcile.md', md);
  });

  it('--tolerance gates on the unexplained (unpriced) variance: 2.3% of the invoice', async () => {
    // unpriced lines: 6 × ($0.0040 + $0.0016) = $0.0336 of $1.4814 invoiced
    const gate = (tolerance: string, code: number) => cli(['reconcile', ...READ(), '--month', '2026-10', '--tolerance', tolerance, '--format', 'json'], code);
    const over = await gate('2%', 1);
    const within = await gate('3%', 0);
    expect(over).toBe(within); // the gate changes the exit code, not the report
  });
});

describe('audit', () => {
  it('--tenant acme drills down by user, route, model, day, layer and top traces', async () => {
    const [json, md] = await both(['audit', ...READ(), '--tenant', 'acme']);
    const a = parse<{ totals: { cost_usd: number; runs: number }; by_user: CostRow[]; by_layer: CostRow[]; top_traces: Array<{ cost_usd: number }> }>(json);
    expect(a.totals).toMatchObject({ cost_usd: usd(TENANT.acme), runs: 6 * DAYS });
    // alice: triage runs 0 and 2 and both draft-reply runs a day; bob: triage runs 1 and 3
    expect(a.by_user.map((r) => [r.user, r.cost_usd])).toEqual([['alice', usd(DAYS * (2 * TRIAGE + 2 * DRAFT))], ['bob', usd(DAYS * 2 * TRIAGE)]]);
    expect(Object.fromEntries(a.by_layer.map((r) => [r.layer, r.cost_usd]))).toEqual({
      prompt: usd(DAYS * (4 * 500 + 2 * (2400 + 2400))), tool: usd(DAYS * (4 * 600 + 2 * (4350 + 1050))),
      memory: usd(DAYS * (4 * 1500 + 2 * (6750 + 1650))), response: usd(DAYS * (4 * 1000 + 2 * (6000 + 4500))),
    });
    expect(a.top_traces.map((t) => t.cost_usd)).toEqual(Array(10).fill(usd(DRAFT)));
    golden('audit-acme.json', json);
    golden('audit-acme.md', md);
  });

  it('an unknown tenant is an error (exit 2)', async () => {
    const result = await runCli(['audit', ...READ(), '--tenant', 'acne']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown tenant "acne"');
  });
});

describe('anomalies', () => {
  it('finds umbrella\'s tool loop on Oct 14, and nothing else', async () => {
    const [json, md] = await both(['anomalies', ...READ()]);
    const found = parse<{ anomalies: Array<{ kind: string; severity: string; tenant: string; evidence: Record<string, unknown>; trace_ids: string[] }> }>(json).anomalies;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ kind: 'tool_loop', severity: 'critical', tenant: 'umbrella' });
    expect(found[0]?.evidence).toMatchObject({
      impact_usd: usd(3 * LOOP), looping_traces: 3, loop_calls: 18, max_repeats: 6, tenant_day_usd: usd(REPORT + 3 * LOOP),
    });
    // runs of Oct 14 in time order: the three loop runs are the 15th to 17th traces of the day
    expect(found[0]?.trace_ids).toEqual(['0000000e00000000000000000000000f', '0000000e000000000000000000000010', '0000000e000000000000000000000011']);
    golden('anomalies.json', json);
    golden('anomalies.md', md);
  });
});

describe('report', () => {
  it('daily --date 2026-10-14: the loop day against the day before, and report-gen\'s spike', async () => {
    const [json, md] = await both(['report', 'daily', ...READ(), '--date', '2026-10-14']);
    const d = parse<{ totals: { cost_usd: number; previous_usd: number }; top_tenants: Array<{ tenant: string; cost_usd: number; previous_usd: number }>;
      route_spikes: Array<{ route: string; cost_usd: number; baseline_mean_usd: number; baseline_sd_usd: number; z: number }> }>(json);
    expect(d.totals).toMatchObject({ cost_usd: usd(LOOP_DAY), previous_usd: usd(DAY) });
    expect(d.top_tenants[0]).toMatchObject({ tenant: 'umbrella', cost_usd: usd(REPORT + 3 * LOOP), previous_usd: usd(REPORT) });
    // report-gen over Oct 7..13: $0.024 on Oct 7, 8 and 13, $0 on the four days between
    const baseline = [REPORT, REPORT, 0, 0, 0, 0, REPORT].map(usd);
    const mean = baseline.reduce((a, b) => a + b) / 7;
    const sd = Math.sqrt(baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
    expect(d.route_spikes).toHaveLength(1);
    expect(d.route_spikes[0]).toMatchObject({ route: 'report-gen', cost_usd: usd(REPORT + 3 * LOOP), baseline_mean_usd: r6(mean), baseline_sd_usd: r6(sd) });
    expect(d.route_spikes[0]?.z).toBeCloseTo((usd(REPORT + 3 * LOOP) - mean) / sd, 2);
    golden('report-daily.json', json);
    golden('report-daily.md', md);
  });

  it('weekly --week 2026-W42: report-gen\'s cost per run against W41, the margin movers', async () => {
    const [json, md] = await both(['report', 'weekly', ...READ(), '--week', '2026-W42']);
    const w = parse<{ totals: { cost_usd: number; previous_usd: number }; outcomes: Array<{ route: string; cost_per_run: number; previous_cost_per_run: number }>;
      margin_moves: Array<{ tenant: string; revenue_usd: number; cost_usd: number }> }>(json);
    expect(w.totals).toMatchObject({ cost_usd: usd(2 * DAY + LOOP_DAY), previous_usd: usd(3 * DAY) });
    expect(w.outcomes[0]).toMatchObject({ route: 'report-gen', cost_per_run: usd((3 * REPORT + 3 * LOOP) / 6), previous_cost_per_run: usd(REPORT) });
    // a week earns 7/31 of the month's revenue
    expect(w.margin_moves[0]).toMatchObject({ tenant: 'umbrella', revenue_usd: r6((1.2 * 7) / 31), cost_usd: usd(3 * REPORT + 3 * LOOP) });
    golden('report-weekly.json', json);
    golden('report-weekly.md', md);
  });

  it('monthly --month 2026-10: segments and a least-squares forecast over Oct 1–15', async () => {
    const [json, md] = await both(['report', 'monthly', ...READ(), '--month', '2026-10']);
    const m = parse<{ portfolio: { revenue_usd: number; cost_usd: number }; segments: Array<{ segment: string; cost_usd: number }>;
      forecast: { actual_to_date_usd: number; slope_usd_per_day: number; projected_remaining_usd: number } }>(json);
    expect(m.portfolio).toMatchObject({ revenue_usd: 7.5, cost_usd: usd(TOTAL) });
    expect(m.segments.map((s) => [s.segment, s.cost_usd])).toEqual([
      ['healthy', usd(TENANT.acme + TENANT.initech)], ['power_user', usd(TENANT.globex)], ['runaway', usd(TENANT.umbrella)], ['no_revenue', usd(TENANT.hooli)],
    ]);
    const spend = Array.from({ length: 15 }, (_, i) => ([6, 7, 8, 13, 15].includes(i + 1) ? usd(DAY) : i + 1 === 14 ? usd(LOOP_DAY) : 0));
    const xMean = 8;
    const yMean = spend.reduce((a, b) => a + b) / 15;
    const slope = spend.reduce((a, y, i) => a + (i + 1 - xMean) * (y - yMean), 0) / spend.reduce((a, _, i) => a + (i + 1 - xMean) ** 2, 0);
    let rest = 0;
    for (let day = 16; day <= 31; day++) rest += Math.max(0, yMean + slope * (day - xMean));
    expect(m.forecast.actual_to_date_usd).toBe(usd(TOTAL));
    expect(m.forecast.slope_usd_per_day).toBeCloseTo(slope, 6);
    expect(m.forecast.projected_remaining_usd).toBeCloseTo(rest, 6);
    golden('report-monthly.json', json);
    golden('report-monthly.md', md);
  });
});

describe('guard', () => {
  interface Guard {
    events: Array<{ time: string; tenant: string; rule: string; observed: number; limit: number; action: string; requests: number }>;
    tenants: Array<{ tenant: string; requests_blocked: number; requests_degraded: number; blocked_usd: number; saved_usd: number; guarded_usd: number }>;
    blocked_usd: number; saved_usd: number;
  }

  it('--policy: umbrella\'s loop day hits the fallback step, the daily cap and the rate limit; --fail exits 1', async () => {
    const policy = `${FIXTURE}/guard-policy.json`;
    const [json, md] = await both(['guard', ...READ(), '--policy', policy, '--month', '2026-10']);
    const g = parse<Guard>(json);
    // cap 2 × $1.55 / 31 = $0.10, fallback to haiku from $0.05. Spend before each Oct 14 call: $0.024 (14:00 run),
    // $0.048, $0.072 → the 3rd loop call falls back ($0.008 on haiku) … $0.104 after the 6th → the 2nd and 3rd loop runs are refused
    const haiku = 3000 * 1 + 1000 * 5;
    expect(g.events.map((e) => [e.time, e.rule, e.observed, e.limit, e.action, e.requests])).toEqual([
      ['2026-10-14T15:00:04', 'daily_cap', usd(3 * REPORT), 0.05, 'degrade', 4],
      ['2026-10-14T15:00:15', 'daily_cap', usd(3 * REPORT + 4 * haiku), 0.1, 'tighten', 4],
      ['2026-10-14T15:00:23', 'rate_limit', 18, 10, '429', 8], // 18 calls in the minute, 10 allowed
    ]);
    expect(g.tenants.find((t) => t.tenant === 'umbrella')).toMatchObject({
      requests_blocked: 12, requests_degraded: 4, blocked_usd: usd(12 * REPORT), saved_usd: usd(12 * REPORT + 4 * (REPORT - haiku)),
      guarded_usd: usd(DAYS * REPORT + 2 * REPORT + 4 * haiku),
    });
    expect(g.tenants.filter((t) => t.requests_blocked + t.requests_degraded > 0).map((t) => t.tenant)).toEqual(['umbrella']);
    golden('guard-policy.json', json);
    golden('guard-policy.md', md);
    expect(await cli(['guard', ...READ(), '--policy', policy, '--month', '2026-10', '--fail', '--format', 'json'], 1)).toBe(json);
  });

  it('--recommend: limits from the traffic; replayed, its kill switch pauses umbrella on the loop day', async () => {
    const json = await cli(['guard', ...READ(), '--recommend', '--month', '2026-10']);
    const p = parse<{ tenants: Record<string, { rate_limit: { requests_per_minute: number }; daily_cap: { usd: number } }> }>(json);
    expect(p.tenants.acme?.rate_limit.requests_per_minute).toBe(3 * 2); // a draft-reply run makes 2 calls in a minute
    expect(p.tenants.acme?.daily_cap.usd).toBe(Math.ceil(2 * usd(4 * TRIAGE + 2 * DRAFT) * 100) / 100); // 2 × its (flat) p95 day
    expect(p.tenants.umbrella?.daily_cap.usd).toBe(r6((2 * 1.55) / 31)); // 2 × the contracted ceiling per day
    golden('guard-recommend.json', json);

    const recommended = join(dir, 'recommended.json');
    writeFileSync(recommended, json);
    const replay = parse<Guard>(await cli(['guard', ...READ(), '--policy', recommended, '--month', '2026-10', '--format', 'json']));
    // baseline: Oct 6–13, $0.024 on 4 of 8 days → mean $0.012, sample sd √(8 × 0.012² / 7); the 3rd loop call sees $0.072
    const z = (usd(3 * REPORT) - 0.012) / Math.sqrt((8 * 0.012 ** 2) / 7);
    expect(replay.events.map((e) => [e.time, e.tenant, e.rule, e.action, e.requests])).toEqual([['2026-10-14T15:00:04', 'umbrella', 'kill_switch', 'pause', 16]]);
    expect(replay.events[0]?.observed).toBeCloseTo(z, 2);
  });
});

describe('whatif', () => {
  it('Sonnet → Haiku, half of summary on batch, report-gen at a 50% cache hit rate', async () => {
    const args = ['whatif', ...READ(), '--swap-model', 'claude-sonnet-4-5=claude-haiku-4-5', '--batch-share', 'summary=0.5', '--cache-hit', 'report-gen=0.5'];
    const [json, md] = await both(args);
    const w = parse<{ rows: Array<{ tenant: string; route: string; base_usd: number; whatif_usd: number }>; swaps: Array<{ base_usd: number; whatif_usd: number }> }>(json);
    const row = (tenant: string, route: string) => w.rows.find((r) => r.tenant === tenant && r.route === route);
    // report-gen on haiku with 1,500 of 3,000 input tokens read from cache
    const reportHaiku = 1500 * 1 + 1500 * 0.1 + 1000 * 5;
    expect(row('umbrella', 'report-gen')).toMatchObject({ base_usd: usd(TENANT.umbrella), whatif_usd: usd(24 * reportHaiku) });
    // summary: half at batch rates (0.20 / 0.05 / 0.80)
    const summaryBatch = 6000 * 0.2 + 4000 * 0.05 + 1000 * 0.8;
    expect(row('globex', 'summary')).toMatchObject({ base_usd: usd(2 * DAYS * SUMMARY), whatif_usd: usd(2 * DAYS * (SUMMARY + summaryBatch) / 2) });
    const draftHaiku = (1000 + 10000 * 0.1 + 2000 * 1.25 + 400 * 5) + (500 + 12000 * 0.1 + 300 * 5);
    expect(w.swaps[0]).toMatchObject({ base_usd: usd(3 * DAYS * DRAFT + TENANT.umbrella), whatif_usd: usd(3 * DAYS * draftHaiku + 24 * reportHaiku) });
    golden('whatif.json', json);
    golden('whatif.md', md);
  });
});

describe('snapshot and diff', () => {
  it('snapshot W41 and W42 from the database; diff fails the cost-per-run gate (exit 1) and writes the PR comment', async () => {
    const snapshot = async (since: string, until: string, label: string) => {
      const result = await runCli(['snapshot', ...READ(), '--since', since, '--until', until, '--label', label]);
      expect(result.code, result.stderr).toBe(0);
      writeFileSync(join(dir, `${label}.json`), result.stdout); // as produced: diff reads the real version
      return normalise(result.stdout);
    };
    const base = await snapshot('2026-10-06', '2026-10-09', 'week-41');
    await snapshot('2026-10-13', '2026-10-16', 'week-42');
    const snap = parse<{ provenance: { runs: number; spans: number }; totals: { cost_usd: number; cost_per_run: number } }>(base);
    // 16 runs and 19 model calls a normal day
    expect(snap.provenance).toMatchObject({ runs: 3 * 16, spans: 3 * 19 });
    expect(snap.totals).toMatchObject({ cost_usd: usd(3 * DAY), cost_per_run: r6(usd(3 * DAY) / 48) });
    golden('snapshot-week-41.json', base);

    const args = ['diff', join(dir, 'week-41.json'), join(dir, 'week-42.json'), '--fail-on', 'total.cost_per_run>+10%', '--warn-on', '*.cache_hit_rate<-0.1', '--quiet'];
    const [json, md] = await both(args, 1);
    const d = parse<{ head: { cost_usd: number; cost_per_run: number; runs: number }; changes: Array<{ route: string; metric: string; base: number; head: number }>; failed: boolean }>(json);
    expect(d.failed).toBe(true);
    expect(d.head).toMatchObject({ cost_usd: usd(2 * DAY + LOOP_DAY), runs: 51, cost_per_run: r6(usd(2 * DAY + LOOP_DAY) / 51) });
    expect(d.changes.find((c) => c.route === 'report-gen' && c.metric === 'cost_per_run')).toMatchObject({ base: usd(REPORT), head: usd((3 * REPORT + 3 * LOOP) / 6) });
    golden('diff.json', json);
    expect(md.startsWith('<!-- costattr-diff -->\n')).toBe(true);
    golden('diff.md', md);
  });
});

describe('pricing', () => {
  it('list --provider anthropic --as-of 2026-10-01', async () => {
    const args = ['pricing', 'list', '--provider', 'anthropic', '--as-of', '2026-10-01'];
    const [json, md] = await both(args);
    expect(json).toContain('"claude-sonnet-4-5"');
    golden('pricing-list-anthropic.json', json);
    golden('pricing-list-anthropic.md', md);
  });

  it('check names the fine-tuned model it cannot price', async () => {
    const [json, md] = await both(['pricing', 'check', ...READ()]);
    expect(parse<Record<string, unknown>>(json)).toMatchObject({
      spans: 19 * DAYS + 18, unpriced_spans: 6, tokens: TOKENS, unpriced_tokens: UNPRICED_TOKENS,
      unpriced: [{ model: 'ft:gpt-4.1-mini:hooli::b7x2k', provider: 'openai', reason: 'unknown_model', spans: 6, input_tokens: 30000, output_tokens: 3000 }],
    });
    golden('pricing-check.json', json);
    golden('pricing-check.md', md);
  });
});

describe('sql and quality', () => {
  it('sql: calls, tokens and exact DECIMAL cost per tenant', async () => {
    const query = `SELECT coalesce(tenant, '__unattributed__') AS tenant, count(*) AS calls, sum(input_tokens + cache_read_tokens
      + cache_write_5m_tokens + output_tokens) AS tokens, sum(cost_usd) AS cost_usd FROM priced_spans GROUP BY ALL ORDER BY cost_usd DESC, tenant`;
    const [json, md] = await both(['sql', ...READ(), query]);
    expect(parse<Array<Record<string, string>>>(json)[0]).toEqual({ tenant: 'umbrella', calls: '24', tokens: String(24 * 4000), cost_usd: '0.576000000000000' });
    golden('sql.json', json);
    golden('sql.md', md);
  });

  it('quality: records, the duplicate, conventions, missing tags, attributable share', async () => {
    const [json, md] = await both(['quality', ...READ()]);
    const q = parse<{ sources: Array<Record<string, unknown>>; totals: Record<string, unknown> }>(json);
    expect(q.sources[0]).toMatchObject({
      source: 'otlp', records: 262, spans: 261, inference_spans: 132, duplicates: { span_id: 1 }, rejected: 0,
      missing_tags: { tenant: DAYS, user_id: DAYS, task: 0, route: 0 }, unpriced_spans: 6,
    });
    expect(q.totals).toMatchObject({ cost_usd: usd(TOTAL), attributable_usd: usd(TOTAL - TENANT.__unattributed__), lower_bound: true });
    golden('quality.json', json);
    golden('quality.md', md);
  });
});
