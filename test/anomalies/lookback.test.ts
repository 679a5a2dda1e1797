// The detectors read only the days their verdicts need (--since minus their baselines' reach, scope.ts
// `Lookback`): over the labelled scenario, for periods of a day, a week and more, in UTC and at a
// quarter-hour offset, every finding equals the one the same detectors give when they
// read every day before --until. A lookback one day too short, a cache-storm first pass without its
// own 7 days, or a spend-spike series cut at the first day read, changes findings here.
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { DEFAULT_THRESHOLDS, detectAnomalies, type AnomalySpec } from '../../src/analysis/anomalies/index.js';
import type { Database } from '../../src/db/database.js';
import { Builder, MODELS } from './scenario/builder.js';
import { dayString, generateScenario } from './scenario/generate.js';
import { scenarioDb } from './scenario/load.js';

type Detect = typeof detectAnomalies;

let db: Database;
let everyDay: Detect;

/**
 * Beside the scenario, two cases whose baselines reach past the first day a short lookback reads:
 * `gappy` spends every day but days 10–11 and spikes on day 18 (its 7-day baseline counts the two
 * quiet days: its series must start before them); `late` spikes on day 18 too but has calls only from
 * day 12 (its spans before are not calls: its series starts on day 12, a baseline too short); `/storm2` loses its cache on days 11–16 and on
 * day 19 (day 19's normal leaves out the storm days that the first pass, looking back 7 days more, flags).
 * Two `nightowl` traces loop across midnight (UTC, and Kathmandu's): 2 calls late on day 9, 6 after
 * midnight. Their loops start on day 9, so a period from day 10 has no loop of theirs (reading only
 * the calls from --since would find 6 on day 10).
 */
function edgeCases(): Builder {
  const b = new Builder(7);
  const call = (model: string, prompt: number, hitRate: number) => ({ model, prompt, tool: 0, memory: 0, output: 200, hitRate });
  for (let day = 0; day < 28; day++) {
    const gappyTraces = day === 18 ? 40 : day === 10 || day === 11 || day > 18 ? 0 : 8;
    for (let i = 0; i < gappyTraces; i++) {
      const root = b.root(b.hex(32), 'gappy', '/gap', day, 3600 + i * 60);
      b.chat(root, day, 3601 + i * 60, call(MODELS.sonnet, day === 18 ? 100_000 : 2_000, 0));
    }
    for (let i = 0; i < (day < 10 ? 8 : day >= 12 && day < 18 ? 8 : day === 18 ? 40 : 0); i++) {
      const root = b.root(b.hex(32), 'late', '/late', day, 5400 + i * 60);
      if (day >= 12) b.chat(root, day, 5401 + i * 60, call(MODELS.sonnet, day === 18 ? 100_000 : 2_000, 0));
    }
    const storm = (day >= 11 && day <= 16) || day === 19;
    for (let i = 0; i < 150; i++) {
      const root = b.root(b.hex(32), 'stormco', '/storm2', day, 7200 + i * 30);
      b.chat(root, day, 7201 + i * 30, call(MODELS.haiku, 3_000, storm ? 0.05 : 0.8));
    }
  }
  const nightOwl = (midnight: number): void => {
    const root = b.root(b.hex(32), 'nightowl', '/night', 9, midnight - 180);
    b.chat(root, 9, midnight - 170, call(MODELS.sonnet, 2_000, 0));
    for (const at of [-120, -60, 60, 120, 180, 240, 300, 360]) b.tool(root, 9, midnight + at, 'search', '{"q":"invoices"}');
  };
  nightOwl(86_400); // UTC midnight
  nightOwl(86_400 - (5 * 3600 + 45 * 60)); // Kathmandu's midnight (UTC+05:45)
  return b;
}

beforeAll(async () => {
  db = await scenarioDb([...generateScenario(42).spans, ...edgeCases().spans]);
  // the same detectors, told that no --since bounds what they read
  vi.resetModules();
  vi.doMock('../../src/analysis/anomalies/scope.js', async (importOriginal) => {
    const actual = await importOriginal<typeof import('../../src/analysis/anomalies/scope.js')>();
    return { ...actual, lookbackStart: () => undefined, inScope: (input: Parameters<typeof actual.inScope>[0], table: 'priced_spans' | 'spans') => actual.inScope(input, table) };
  });
  everyDay = (await import('../../src/analysis/anomalies/index.js')).detectAnomalies;
  vi.doUnmock('../../src/analysis/anomalies/scope.js');
  // the worker runs other files next (isolate: false): they must import the detectors unmocked
  vi.resetModules();
});

afterAll(() => db.close());

function spec(since: number, days: number, timezone: string): AnomalySpec {
  return { period: { since: dayString(since), until: dayString(since + days), timezone }, kinds: [], minUsd: 0, thresholds: DEFAULT_THRESHOLDS };
}

// days into the 28-day scenario: single days inside and after the injected incidents, a week from a Monday, a longer span
const PERIODS: Array<[number, number]> = [[8, 1], [10, 1], [15, 1], [17, 1], [18, 1], [19, 1], [22, 1], [14, 7], [9, 12]];

describe('detectors read from --since minus their lookback', () => {
  test.each(['UTC', 'Asia/Kathmandu'])('the findings of every period equal reading every day (%s)', async (timezone) => {
    const kinds = new Set<string>();
    for (const [since, days] of PERIODS) {
      const bounded = await detectAnomalies(db, spec(since, days, timezone));
      expect(bounded, `${timezone} ${dayString(since)} + ${days} days`).toEqual(await everyDay(db, spec(since, days, timezone)));
      for (const a of bounded.anomalies) kinds.add(a.kind);
    }
    // every detector is compared on findings of its own
    expect([...kinds].sort()).toEqual(['cache_miss_storm', 'memory_runaway', 'model_escalation', 'prompt_bloat', 'spend_spike', 'tool_loop']);
  });
});
