// The labelled scenario: every injected anomaly is found with the right kind/tenant/route/window,
// the clean look-alikes stay quiet, and the figures match sums computed here from token counts × prices.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareAnomalies, DEFAULT_THRESHOLDS, detectAnomalies, resolveThresholds, type Anomaly, type AnomalySpec } from '../../src/analysis/anomalies/index.js';
import type { Database } from '../../src/db/database.js';
import { dayString, generateScenario, INJECTED, type Control, type Injection, type Scenario, type SpanRow } from './scenario/generate.js';
import { scenarioDb, TEST_PRICES } from './scenario/load.js';

let scenario: Scenario;
let db: Database;
let all: Anomaly[];

function spec(overrides: Partial<AnomalySpec> = {}): AnomalySpec {
  return { period: { since: undefined, until: undefined, timezone: 'UTC' }, kinds: [], minUsd: 0, thresholds: DEFAULT_THRESHOLDS, ...overrides };
}

/** Cost of one span from its token counts and the test list prices (USD per million tokens). */
function spanCost(s: SpanRow): number {
  if (!s.is_inference || !s.response_model) return 0;
  const p = TEST_PRICES[s.response_model];
  if (!p) throw new Error(`no test price for ${s.response_model}`);
  const [input, read, w5, w1, output] = p.map(Number) as [number, number, number, number, number];
  return (s.input_tokens * input + s.cache_read_tokens * read + s.cache_write_5m_tokens * w5 + s.cache_write_1h_tokens * w1 + s.output_tokens * output) / 1e6;
}

const dayOf = (s: SpanRow) => s.start_time.slice(0, 10);
const overlaps = (f: Anomaly, startDay: string, endDay: string) => f.start.slice(0, 10) < endDay && f.end.slice(0, 10) > startDay;

function matches(f: Anomaly, inj: Injection): boolean {
  return f.kind === inj.kind && f.tenant === inj.tenant && (inj.route === null || f.route === inj.route) && f.start.slice(0, 10) === inj.startDay;
}

/** A finding is explained by an injection when it names the injection's tenant or route inside its window. */
function explained(f: Anomaly, injections: readonly Injection[]): boolean {
  return injections.some((inj) =>
    overlaps(f, inj.startDay, inj.endDay) &&
    ((inj.tenant !== null && f.tenant === inj.tenant) || (inj.route !== null && f.route === inj.route && (f.tenant === null || f.tenant === inj.tenant))));
}

function touches(f: Anomaly, c: Control): boolean {
  return overlaps(f, c.startDay, c.endDay) && ((c.tenant !== null && f.tenant === c.tenant) || (c.route !== null && f.route === c.route));
}

beforeAll(async () => {
  scenario = generateScenario(42);
  db = await scenarioDb(scenario.spans);
  all = (await detectAnomalies(db, spec())).anomalies;
});

afterAll(() => db.close());

describe('the labelled scenario with default thresholds', () => {
  test('finds every injected anomaly with the right kind, tenant, route and window start', () => {
    const missed = scenario.injections.filter((inj) => !all.some((f) => matches(f, inj)));
    expect(missed).toEqual([]);
  });

  test('every finding is explained by an injection (precision) and nothing touches the clean controls', () => {
    const unexplained = all.filter((f) => !explained(f, scenario.injections));
    const recall = scenario.injections.filter((inj) => all.some((f) => matches(f, inj))).length / scenario.injections.length;
    const precision = (all.length - unexplained.length) / all.length;
    console.log(`anomaly scenario: ${all.length} findings, precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}`);
    expect(unexplained.map((f) => f.summary)).toEqual([]);
    for (const control of scenario.controls) {
      expect(all.filter((f) => touches(f, control)).map((f) => f.summary), control.name).toEqual([]);
    }
  });

  test('findings are sorted by severity, then money at stake', () => {
    expect([...all].sort(compareAnomalies)).toEqual(all);
    const rank = { critical: 0, warn: 1, info: 2 } as const;
    for (let i = 1; i < all.length; i++) {
      const [a, b] = [all[i - 1] as Anomaly, all[i] as Anomaly];
      expect(rank[a.severity] < rank[b.severity] || (a.severity === b.severity && a.evidence.impact_usd >= b.evidence.impact_usd)).toBe(true);
    }
  });

  test('spend_spike figures equal the daily spend computed from token counts × list prices', () => {
    const spike = all.find((f) => f.kind === 'spend_spike' && f.tenant === INJECTED.spikeTenant);
    expect(spike).toBeDefined();
    const traceCost = new Map<string, { day: string; cost: number }>();
    for (const s of scenario.spans) {
      if (s.tenant !== INJECTED.spikeTenant) continue;
      const t = traceCost.get(s.trace_id) ?? { day: dayOf(s), cost: 0 };
      traceCost.set(s.trace_id, { day: t.day, cost: t.cost + spanCost(s) });
    }
    const spendOn = (day: string) => [...traceCost.values()].filter((t) => t.day === day).reduce((sum, t) => sum + t.cost, 0);
    const squaresOn = (day: string) => [...traceCost.values()].filter((t) => t.day === day).reduce((sum, t) => sum + t.cost ** 2, 0);
    const baselineDays = Array.from({ length: 7 }, (_, i) => dayString(INJECTED.spikeDay - 7 + i));
    const baseline = baselineDays.map(spendOn);
    const mean = baseline.reduce((a, b) => a + b, 0) / 7;
    const sampleSd = Math.sqrt(baseline.reduce((a, b) => a + (b - mean) ** 2, 0) / 6);
    const chanceSd = Math.sqrt(baselineDays.map(squaresOn).reduce((a, b) => a + b, 0) / 7);
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

  test('tool_loop: one finding per tenant and day, counting and costing exactly the injected looping traces', () => {
    const truth = new Set(scenario.injections.find((i) => i.kind === 'tool_loop')?.traceIds);
    const loops = all.filter((f) => f.kind === 'tool_loop');
    expect(new Set(loops.map((f) => f.tenant))).toEqual(new Set([INJECTED.loopTenant]));
    const traceCost = new Map<string, number>();
    const traceDay = new Map<string, string>();
    for (const s of scenario.spans) {
      if (!truth.has(s.trace_id)) continue;
      traceCost.set(s.trace_id, (traceCost.get(s.trace_id) ?? 0) + spanCost(s));
      if (!s.parent_span_id) traceDay.set(s.trace_id, dayOf(s));
    }
    const days = new Set(traceDay.values());
    expect(new Set(loops.map((f) => f.start.slice(0, 10)))).toEqual(days);
    for (const f of loops) {
      const ids = [...traceDay].filter(([, d]) => d === f.start.slice(0, 10)).map(([id]) => id);
      expect(f.tool).toBe('search_inbox');
      expect(f.route).toBe('/triage');
      expect(f.evidence.looping_traces).toBe(ids.length);
      expect(f.evidence.trace_count).toBe(ids.length);
      expect(f.evidence.impact_usd).toBeCloseTo(ids.reduce((sum, id) => sum + (traceCost.get(id) ?? 0), 0), 5);
      expect(f.trace_ids.every((id) => truth.has(id))).toBe(true);
    }
  });

  test('prompt_bloat growth equals the weekly prompt tokens per call computed here', () => {
    const bloat = all.find((f) => f.kind === 'prompt_bloat');
    const perCall = (from: number) => {
      const calls = scenario.spans.filter((s) => s.is_inference && s.route === INJECTED.bloatRoute && dayOf(s) >= dayString(from) && dayOf(s) < dayString(from + 7));
      return calls.reduce((sum, s) => sum + (s.prompt_tokens ?? 0), 0) / calls.length;
    };
    const growth = perCall(INJECTED.bloatFromDay) / perCall(INJECTED.bloatFromDay - 7) - 1;
    expect(bloat?.evidence.growth).toBeCloseTo(growth, 4);
    expect(bloat?.end).toBe(`${dayString(INJECTED.bloatFromDay + 7)}T00:00:00`);
  });

  test('memory_runaway names the runaway sessions and their peak', () => {
    const runaway = all.find((f) => f.kind === 'memory_runaway');
    const truth = new Set(scenario.injections.find((i) => i.kind === 'memory_runaway')?.traceIds);
    expect(runaway?.evidence.sessions).toBe(3);
    expect(runaway?.evidence.peak_memory_tokens).toBe(1000 + 1500 * 24);
    expect(runaway?.evidence.trace_count).toBe(truth.size);
    expect(runaway?.trace_ids).toHaveLength(DEFAULT_THRESHOLDS.maxTraceIds);
    expect(runaway?.trace_ids.every((id) => truth.has(id))).toBe(true);
  });

  test('cache_miss_storm hit rate equals cache reads over total input on the storm day', () => {
    const storm = all.find((f) => f.kind === 'cache_miss_storm');
    const calls = scenario.spans.filter((s) => s.is_inference && s.route === INJECTED.stormRoute && dayOf(s) === dayString(INJECTED.stormDay));
    const reads = calls.reduce((sum, s) => sum + s.cache_read_tokens, 0);
    const input = calls.reduce((sum, s) => sum + s.input_tokens + s.cache_read_tokens + s.cache_write_5m_tokens + s.cache_write_1h_tokens, 0);
    expect(storm?.evidence.hit_rate).toBeCloseTo(reads / input, 4);
    expect(storm?.evidence.calls).toBe(calls.length);
    expect(storm?.evidence.baseline_hit_rate).toBeGreaterThanOrEqual(0.7);
  });

  test('model_escalation names the tenant, the models and a positive cost impact', () => {
    const esc = all.filter((f) => f.kind === 'model_escalation');
    expect(esc).toHaveLength(1);
    expect(esc[0]?.model).toBe('claude-opus-4-5');
    expect(esc[0]?.evidence.from_model).toBe('claude-sonnet-4-5');
    expect(esc[0]?.evidence.shift).toBe(1);
    expect(esc[0]?.evidence.impact_usd).toBeGreaterThan(0);
    expect(esc[0]?.summary).toContain('$');
  });
});

describe('options and thresholds change results', () => {
  test('a higher tool_loop.minRepeats than any loop finds no loop', async () => {
    const thresholds = resolveThresholds({ tool_loop: { minRepeats: 15 } });
    const found = (await detectAnomalies(db, spec({ kinds: ['tool_loop'], thresholds }))).anomalies;
    expect(found).toEqual([]);
  });

  test('without the minimum sample, the planned low-volume model change is reported', async () => {
    const thresholds = resolveThresholds({ modelEscalation: { minRuns: 1, minBaselineRuns: 1 } });
    const found = (await detectAnomalies(db, spec({ kinds: ['model_escalation'], thresholds }))).anomalies;
    expect(found.some((f) => f.route === INJECTED.lowVolumeRoute && f.start.startsWith(dayString(INJECTED.plannedChangeDay)))).toBe(true);
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
    expect(loopco.filter((f) => f.kind === 'tool_loop')).toEqual(all.filter((f) => f.kind === 'tool_loop')); // every loop is loopco's

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
