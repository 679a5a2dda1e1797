// The labelled scenario: every injected incident is found once, with the right kind, tenant, route and
// window; the clean look-alikes stay quiet; and the figures match sums computed here from the generator's
// token counts × the test prices.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareAnomalies, DEFAULT_THRESHOLDS, detectAnomalies, resolveThresholds, type Anomaly, type AnomalySpec, type WindowEvidence } from '../../src/analysis/anomalies/index.js';
import { UNATTRIBUTED } from '../../src/db/schema.js';
import type { Database } from '../../src/db/database.js';
import { detects, evaluate, touches } from './scenario/evaluate.js';
import { dayString, generateScenario, INJECTED, MODELS, type Injection, type Scenario, type SpanRow } from './scenario/generate.js';
import { scenarioDb, TEST_PRICES } from './scenario/load.js';

let scenario: Scenario;
let db: Database;
let all: Anomaly[];

function spec(overrides: Partial<AnomalySpec> = {}): AnomalySpec {
  return { period: { since: undefined, until: undefined, timezone: 'UTC' }, kinds: [], minUsd: 0, thresholds: DEFAULT_THRESHOLDS, ...overrides };
}

function prices(model: string): [number, number, number, number, number] {
  const p = TEST_PRICES[model];
  if (!p) throw new Error(`no test price for ${model}`);
  return p.map(Number) as [number, number, number, number, number];
}

/** Cost of one span from its token counts and the test list prices (USD per million tokens). */
function spanCost(s: SpanRow): number {
  if (!s.is_inference || !s.response_model) return 0;
  const [input, read, w5, w1, output] = prices(s.response_model);
  return (s.input_tokens * input + s.cache_read_tokens * read + s.cache_write_5m_tokens * w5 + s.cache_write_1h_tokens * w1 + s.output_tokens * output) / 1e6;
}

const totalInput = (s: SpanRow) => s.input_tokens + s.cache_read_tokens + s.cache_write_5m_tokens + s.cache_write_1h_tokens;
const dayOf = (s: SpanRow) => s.start_time.slice(0, 10);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function traceCosts(spans: readonly SpanRow[]): Map<string, number> {
  const costs = new Map<string, number>();
  for (const s of spans) costs.set(s.trace_id, (costs.get(s.trace_id) ?? 0) + spanCost(s));
  return costs;
}

/** The `maxTraceIds` most expensive of these traces, as findings list them. */
function topTraces(costs: Map<string, number>, ids: Iterable<string>): string[] {
  return [...new Set(ids)]
    .map((id) => [id, costs.get(id) ?? 0] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, DEFAULT_THRESHOLDS.maxTraceIds)
    .map(([id]) => id);
}

function byDay(f: Anomaly | undefined): WindowEvidence[] {
  return (f?.evidence.by_day ?? []) as WindowEvidence[];
}

function injected(kind: Injection['kind'], tenant: string | null, route: string | null): Injection {
  const inj = scenario.injections.find((i) => i.kind === kind && i.tenant === tenant && i.route === route);
  if (!inj) throw new Error(`no injection ${kind} ${tenant} ${route}`);
  return inj;
}

beforeAll(async () => {
  scenario = generateScenario(42);
  db = await scenarioDb(scenario.spans);
  all = (await detectAnomalies(db, spec())).anomalies;
});

afterAll(() => db.close());

describe('the labelled scenario with default thresholds', () => {
  test('every injected incident is found exactly once, with the right kind, tenant, route and window start', () => {
    for (const inj of scenario.injections) {
      expect(all.filter((f) => detects(f, inj)).map((f) => f.summary), `${inj.kind} ${inj.tenant} ${inj.route}`).toHaveLength(1);
    }
    expect(all).toHaveLength(scenario.injections.length);
  });

  test('every finding detects an injection, and nothing touches the clean controls', () => {
    const result = evaluate(scenario, all);
    expect(result.falseFindings.map((f) => f.summary)).toEqual([]);
    expect(result.kinds.every((k) => k.secondary === 0 && k.duplicates === 0 && k.detected === k.injected)).toBe(true);
    for (const control of scenario.controls) {
      expect(all.filter((f) => touches(f, control)).map((f) => f.summary), control.name).toEqual([]);
    }
  });

  test('incidents are sorted by money at stake, largest first', () => {
    expect([...all].sort(compareAnomalies)).toEqual(all);
    for (let i = 1; i < all.length; i++) expect((all[i - 1] as Anomaly).evidence.impact_usd).toBeGreaterThanOrEqual((all[i] as Anomaly).evidence.impact_usd);
  });

  test('spend_spike figures equal the daily spend computed from token counts × list prices', () => {
    const spike = all.find((f) => f.kind === 'spend_spike' && f.tenant === INJECTED.spikeTenant);
    const traceCost = new Map<string, { day: string; cost: number }>();
    for (const s of scenario.spans) {
      if (s.tenant !== INJECTED.spikeTenant) continue;
      const t = traceCost.get(s.trace_id) ?? { day: dayOf(s), cost: 0 };
      traceCost.set(s.trace_id, { day: t.day, cost: t.cost + spanCost(s) });
    }
    const spendOn = (day: string) => sum([...traceCost.values()].filter((t) => t.day === day).map((t) => t.cost));
    const squaresOn = (day: string) => sum([...traceCost.values()].filter((t) => t.day === day).map((t) => t.cost ** 2));
    const baselineDays = Array.from({ length: 7 }, (_, i) => dayString(INJECTED.spikeDay - 7 + i));
    const baseline = baselineDays.map(spendOn);
    const mean = sum(baseline) / 7;
    const sampleSd = Math.sqrt(sum(baseline.map((b) => (b - mean) ** 2)) / 6);
    const chanceSd = Math.sqrt(sum(baselineDays.map(squaresOn)) / 7);
    const day = spendOn(dayString(INJECTED.spikeDay));
    const z = (day - mean) / Math.max(sampleSd, chanceSd, DEFAULT_THRESHOLDS.spend_spike.minStddevFraction * mean);
    expect(spike?.start).toBe(`${dayString(INJECTED.spikeDay)}T00:00:00`);
    expect(spike?.end).toBe(`${dayString(INJECTED.spikeDay + 1)}T00:00:00`);
    expect(spike?.evidence.day_usd).toBeCloseTo(day, 6);
    expect(spike?.evidence.baseline_mean_usd).toBeCloseTo(mean, 6);
    expect(spike?.evidence.impact_usd).toBeCloseTo(day - mean, 5);
    expect(spike?.evidence.z).toBeCloseTo(z, 2);
    expect(spike?.severity).toBe(z > 4 ? 'critical' : 'warn');
  });

  test.each([
    ['loopco, 18 days', INJECTED.loopTenant, '/triage', 'search_inbox'],
    ['tenant-less webhook traffic', UNATTRIBUTED, INJECTED.webhookRoute, 'fetch_order'],
  ])('tool_loop in %s: one incident, per-day evidence and money equal to the injected looping traces', (_name, tenant, route, tool) => {
    const inj = injected('tool_loop', tenant, route);
    const truth = new Set(inj.traceIds);
    const costs = traceCosts(scenario.spans.filter((s) => truth.has(s.trace_id)));
    const traceDay = new Map(scenario.spans.filter((s) => truth.has(s.trace_id) && s.parent_span_id === null).map((s) => [s.trace_id, dayOf(s)]));
    const days = [...new Set(traceDay.values())].sort();
    const loops = all.filter((f) => f.kind === 'tool_loop' && f.tenant === tenant);
    expect(loops).toHaveLength(1);
    const loop = loops[0] as Anomaly;
    expect([loop.route, loop.tool]).toEqual([route, tool]);
    expect(loop.start).toBe(`${days[0]}T00:00:00`);
    expect(loop.end).toBe(`${addDays(days[days.length - 1] ?? '', 1)}T00:00:00`);
    expect(byDay(loop).map((d) => String(d.start).slice(0, 10))).toEqual(days);
    for (const d of byDay(loop)) {
      const ids = [...traceDay].filter(([, day]) => day === String(d.start).slice(0, 10)).map(([id]) => id);
      expect(d.looping_traces).toBe(ids.length);
      expect(d.impact_usd as number).toBeCloseTo(sum(ids.map((id) => costs.get(id) ?? 0)), 5);
    }
    expect(loop.evidence.looping_traces).toBe(truth.size);
    expect(loop.evidence.trace_count).toBe(truth.size);
    expect(loop.evidence.impact_usd).toBeCloseTo(sum([...costs.values()]), 4);
    expect(loop.trace_ids).toEqual(topTraces(costs, truth));
  });

  test('prompt_bloat growth equals the weekly prompt tokens per call computed here', () => {
    const bloat = all.find((f) => f.kind === 'prompt_bloat');
    const perCall = (from: number) => {
      const calls = scenario.spans.filter((s) => s.is_inference && s.route === INJECTED.bloatRoute && dayOf(s) >= dayString(from) && dayOf(s) < dayString(from + 7));
      return sum(calls.map((s) => s.prompt_tokens ?? 0)) / calls.length;
    };
    const growth = perCall(INJECTED.bloatFromDay) / perCall(INJECTED.bloatFromDay - 7) - 1;
    expect(bloat?.evidence.growth).toBeCloseTo(growth, 4);
    expect(bloat?.end).toBe(`${dayString(INJECTED.bloatFromDay + 7)}T00:00:00`);
  });

  test('memory_runaway names the runaway sessions and their peak, and absorbs the spend spike they caused', () => {
    const runaway = all.find((f) => f.kind === 'memory_runaway');
    const truth = new Set(injected('memory_runaway', INJECTED.runawayTenant, INJECTED.runawayRoute).traceIds);
    expect(runaway?.evidence.sessions).toBe(3);
    expect(runaway?.evidence.peak_memory_tokens).toBe(1000 + 1500 * 24);
    expect(runaway?.evidence.trace_count).toBe(truth.size);
    expect(runaway?.trace_ids).toEqual(topTraces(traceCosts(scenario.spans.filter((s) => truth.has(s.trace_id))), truth));
    // the tenant's spend spiked that day: one incident, the spike named in its evidence
    expect(runaway?.evidence.spend_spike_days).toEqual([dayString(INJECTED.runawayDay)]);
    expect(all.filter((f) => f.kind === 'spend_spike' && f.tenant === INJECTED.runawayTenant)).toEqual([]);
  });

  test.each([
    ['a route with a healthy ~80% normal', INJECTED.stormRoute, INJECTED.stormDay],
    ['a route whose normal is only 40–60%', INJECTED.chatStormRoute, INJECTED.chatStormDay],
  ])('cache_miss_storm on %s: hit rate, its own baseline and the lost savings computed here', (_name, route, day) => {
    const storm = all.find((f) => f.kind === 'cache_miss_storm' && f.route === route);
    const calls = (from: number, to: number) => scenario.spans.filter((s) => s.is_inference && s.route === route && dayOf(s) >= dayString(from) && dayOf(s) < dayString(to));
    const rateOf = (xs: SpanRow[]) => sum(xs.map((s) => s.cache_read_tokens)) / sum(xs.map(totalInput));
    const stormCalls = calls(day, day + 1);
    const rate = rateOf(stormCalls);
    const base = rateOf(calls(day - 7, day));
    const premium = sum(stormCalls.map((s) => {
      const [input, read] = prices(s.response_model ?? '');
      return (totalInput(s) * (input - read)) / 1e6;
    }));
    expect(storm?.tenant).toBeNull();
    expect(storm?.start).toBe(`${dayString(day)}T00:00:00`);
    expect(storm?.end).toBe(`${dayString(day + 1)}T00:00:00`);
    expect(storm?.evidence.hit_rate).toBeCloseTo(rate, 4);
    expect(storm?.evidence.baseline_hit_rate).toBeCloseTo(base, 4);
    expect(storm?.evidence.calls).toBe(stormCalls.length);
    expect(storm?.evidence.impact_usd).toBeCloseTo(premium * (base - rate), 5);
    expect(rate).toBeLessThan(base / 2);
  });

  test('quiet escalation: a two-runs-a-day tenant moving to a 22–40× pricier model, pooled over its last week', () => {
    const inj = injected('model_escalation', INJECTED.quietTenant, INJECTED.quietRoute);
    const first = inj.startDay;
    const runs = new Map<string, { day: string; model: string; cost: number }>();
    for (const s of scenario.spans) {
      if (s.tenant !== INJECTED.quietTenant || !s.is_inference) continue;
      const r = runs.get(s.trace_id) ?? { day: dayOf(s), model: s.response_model ?? '', cost: 0 };
      runs.set(s.trace_id, { ...r, cost: r.cost + spanCost(s) });
    }
    const list = [...runs.values()];
    const before = list.filter((r) => r.day < first && r.day >= addDays(first, -DEFAULT_THRESHOLDS.model_escalation.baselineDays));
    const window = list.filter((r) => r.day >= first && r.day < addDays(first, DEFAULT_THRESHOLDS.model_escalation.windowDays));
    const after = list.filter((r) => r.day >= first);
    const cheapPerRun = sum(before.map((r) => r.cost)) / before.length;
    const pricyPerRun = sum(window.map((r) => r.cost)) / window.length;
    expect(after.every((r) => r.model === MODELS.flagship) && before.every((r) => r.model === MODELS.mini)).toBe(true);
    expect(pricyPerRun / cheapPerRun).toBeGreaterThan(20);

    const esc = all.filter((f) => f.kind === 'model_escalation' && f.tenant === INJECTED.quietTenant);
    expect(esc).toHaveLength(1);
    const f = esc[0] as Anomaly;
    const lastDay = after.map((r) => r.day).sort().at(-1) ?? '';
    expect([f.route, f.model, f.evidence.from_model, f.evidence.shift]).toEqual([INJECTED.quietRoute, MODELS.flagship, MODELS.mini, 1]);
    expect(f.start).toBe(`${first}T00:00:00`);
    expect(f.end).toBe(`${addDays(lastDay, 1)}T00:00:00`);
    expect(f.evidence.runs).toBe(after.length);
    expect(f.evidence.impact_usd).toBeCloseTo(after.length * (pricyPerRun - cheapPerRun), 5);
    expect(sum(byDay(f).map((d) => d.runs as number))).toBe(after.length);
    const costs = new Map([...runs].map(([id, r]) => [id, r.cost]));
    expect(f.trace_ids).toEqual(topTraces(costs, [...runs].filter(([, r]) => r.day >= first).map(([id]) => id)));
  });

  test('step and gradual escalations are found with the model moved to', () => {
    const step = all.find((f) => f.kind === 'model_escalation' && f.tenant === INJECTED.escalationTenant);
    expect([step?.start, step?.model, step?.evidence.from_model, step?.evidence.shift]).toEqual([`${dayString(INJECTED.escalationFromDay)}T00:00:00`, MODELS.opus, MODELS.sonnet, 1]);
    const ramp = all.find((f) => f.kind === 'model_escalation' && f.tenant === INJECTED.rampTenant);
    expect([ramp?.route, ramp?.model, ramp?.evidence.from_model]).toEqual([INJECTED.rampRoute, MODELS.opusOld, MODELS.sonnet]);
    expect(ramp?.evidence.impact_usd).toBeGreaterThan(0);
  });
});

function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

describe('the controls are quiet for the documented reason', () => {
  test('the planned cheap model change is an escalation by share — money keeps it quiet', async () => {
    const thresholds = resolveThresholds({ modelEscalation: { minUsdPerDay: 0 } });
    const found = (await detectAnomalies(db, spec({ kinds: ['model_escalation'], thresholds }))).anomalies;
    const legal = found.find((f) => f.route === INJECTED.lowVolumeRoute);
    expect(legal?.start).toBe(`${dayString(INJECTED.plannedChangeDay)}T00:00:00`);
    expect((legal?.evidence.impact_usd ?? Infinity) / (legal?.evidence.days as number)).toBeLessThan(DEFAULT_THRESHOLDS.model_escalation.minUsdPerDay);
  });

  test('the random cheap/costly mix of a low-volume tenant moves by chance — the z test keeps it quiet', async () => {
    const thresholds = resolveThresholds({ modelEscalation: { minUsdPerDay: 0, minZ: 0 } });
    const found = (await detectAnomalies(db, spec({ kinds: ['model_escalation'], thresholds }))).anomalies;
    const mixed = found.filter((f) => f.tenant === INJECTED.mixedTenant);
    expect(mixed.length).toBeGreaterThan(0);
    expect(mixed.every((f) => (f.evidence.z as number) < DEFAULT_THRESHOLDS.model_escalation.minZ)).toBe(true);
  });

  test('a route at 8–16% falling under half its normal is not a storm: it did not fall 20 points', async () => {
    const thresholds = resolveThresholds({ cacheMissStorm: { minDrop: 0 } });
    const found = (await detectAnomalies(db, spec({ kinds: ['cache_miss_storm'], thresholds }))).anomalies;
    const dip = found.find((f) => f.route === INJECTED.lowCacheRoute);
    expect(dip?.start).toBe(`${dayString(INJECTED.lowCacheDipDay)}T00:00:00`);
    expect((dip?.evidence.baseline_hit_rate as number) - (dip?.evidence.hit_rate as number)).toBeLessThan(DEFAULT_THRESHOLDS.cache_miss_storm.minDrop);
  });
});

describe('options and thresholds change results', () => {
  test('a higher tool_loop.minRepeats than any loop finds no loop', async () => {
    const thresholds = resolveThresholds({ tool_loop: { minRepeats: 15 } });
    const found = (await detectAnomalies(db, spec({ kinds: ['tool_loop'], thresholds }))).anomalies;
    expect(found).toEqual([]);
  });

  test('incidentGapDays 0 splits the loop at its first quiet day; per-day windows add up to the incident', async () => {
    const loop = all.find((f) => f.kind === 'tool_loop' && f.tenant === INJECTED.loopTenant);
    const days = byDay(loop).map((d) => String(d.start).slice(0, 10));
    const split = (await detectAnomalies(db, spec({ kinds: ['tool_loop'], tenant: INJECTED.loopTenant, thresholds: resolveThresholds({ incidentGapDays: 0 }) }))).anomalies;
    const runs = days.reduce<string[][]>((acc, day, i) => {
      if (i > 0 && day === addDays(days[i - 1] as string, 1)) (acc[acc.length - 1] as string[]).push(day);
      else acc.push([day]);
      return acc;
    }, []);
    expect(split.map((f) => f.start.slice(0, 10)).sort()).toEqual(runs.map((r) => r[0]).sort());
    expect(sum(split.map((f) => f.evidence.impact_usd))).toBeCloseTo(loop?.evidence.impact_usd ?? 0, 5);
  });

  test('spend_spike z thresholds decide severity and presence', async () => {
    const quiet = (await detectAnomalies(db, spec({ kinds: ['spend_spike'], thresholds: resolveThresholds({ spend_spike: { warnZ: 50 } }) }))).anomalies;
    expect(quiet).toEqual([]);
    const lenient = (await detectAnomalies(db, spec({ kinds: ['spend_spike'], thresholds: resolveThresholds({ spend_spike: { criticalZ: 100 } }) }))).anomalies;
    // the same spikes as with the default thresholds (warnZ 2), none of them critical any more
    const where = (f: Anomaly) => `${f.tenant ?? ''}|${f.route ?? ''}|${f.start}`;
    const spikes = all.filter((f) => f.kind === 'spend_spike');
    expect(spikes.some((f) => f.severity === 'critical')).toBe(true);
    expect(lenient.map(where).sort()).toEqual(spikes.map(where).sort());
    expect(lenient.every((f) => f.severity === 'warn')).toBe(true);
  });

  test('--kind, --tenant and --min-usd filter; --since/--until keep the baseline from before the window', async () => {
    const day = dayString(INJECTED.spikeDay);
    const window = (await detectAnomalies(db, spec({ period: { since: day, until: dayString(INJECTED.spikeDay + 1), timezone: 'UTC' } }))).anomalies;
    expect(window.some((f) => f.kind === 'spend_spike' && f.tenant === INJECTED.spikeTenant)).toBe(true);
    expect(window.every((f) => f.start < `${dayString(INJECTED.spikeDay + 1)}T00:00:00` && f.end > `${day}T00:00:00`)).toBe(true);

    const loopco = (await detectAnomalies(db, spec({ tenant: INJECTED.loopTenant }))).anomalies;
    expect(loopco.every((f) => f.tenant === INJECTED.loopTenant)).toBe(true);
    // the same loop findings a full run gives about loopco (the tenant-less loop is not loopco's)
    expect(loopco.filter((f) => f.kind === 'tool_loop')).toEqual(all.filter((f) => f.kind === 'tool_loop' && f.tenant === INJECTED.loopTenant));
    expect(loopco.some((f) => f.kind === 'tool_loop')).toBe(true);

    const big = (await detectAnomalies(db, spec({ minUsd: 2 }))).anomalies;
    expect(big.length).toBeGreaterThan(0);
    expect(big).toEqual(all.filter((f) => f.evidence.impact_usd >= 2));
  });

  test('maxTraceIds caps the list while trace_count still says how many', async () => {
    const found = (await detectAnomalies(db, spec({ kinds: ['tool_loop'], thresholds: resolveThresholds({ maxTraceIds: 2 }) }))).anomalies;
    const loops = all.filter((f) => f.kind === 'tool_loop');
    expect(found.map((f) => [f.start, f.evidence.trace_count])).toEqual(loops.map((f) => [f.start, f.evidence.trace_count]));
    expect(found.map((f) => f.trace_ids)).toEqual(loops.map((f) => f.trace_ids.slice(0, 2))); // the two most expensive
    expect(found.every((f) => f.trace_ids.length === Math.min(2, f.evidence.trace_count))).toBe(true);
    expect(found.some((f) => f.evidence.trace_count > 2)).toBe(true);
  });
});
