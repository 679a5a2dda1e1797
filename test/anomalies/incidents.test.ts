// Incident grouping on hand-made detector windows, compared with a golden file whose figures are
// re-derived here (sums, windows, trace order); and folding spend spikes into the incident that caused them.
// Regenerate the golden with UPDATE_GOLDEN=1 (then check the diff by hand).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { foldExplainedSpikes } from '../../src/analysis/anomalies/explained-spikes.js';
import { groupIncidents, tenantRouteEntity } from '../../src/analysis/anomalies/incidents.js';
import { cacheMissStormIncidents } from '../../src/analysis/anomalies/cache-miss-storm.js';
import { spendSpikeIncidents } from '../../src/analysis/anomalies/spend-spike.js';
import { toolLoopIncidents } from '../../src/analysis/anomalies/tool-loop.js';
import type { Anomaly, Finding } from '../../src/analysis/anomalies/types.js';
import { renderJson } from '../../src/render/json.js';
import { ROOT } from '../helpers/cli.js';

const GOLDEN = join(ROOT, 'test/anomalies/golden/incidents.json');

function golden(actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(GOLDEN), { recursive: true });
    writeFileSync(GOLDEN, actual);
  }
  expect(existsSync(GOLDEN), 'golden missing: run with UPDATE_GOLDEN=1 and check it by hand').toBe(true);
  expect(actual).toBe(readFileSync(GOLDEN, 'utf8'));
}

const day = (d: number) => `2026-10-${String(d).padStart(2, '0')}`;

/** A tool_loop day window of tenant `tenant`: `traces` traces costing `costs` each (ids `<tenant>-d<day>-<i>`). */
function loopDay(tenant: string, d: number, costs: number[], over: Partial<Finding> = {}): Finding {
  const ids = costs.map((_c, i) => `${tenant}-d${d}-${i}`);
  const impact = costs.reduce((a, b) => a + b, 0);
  return {
    kind: 'tool_loop', severity: 'warn', tenant, route: '/triage', model: 'm', tool: 'search',
    start: `${day(d)}T00:00:00`, end: `${day(d + 1)}T00:00:00`, summary: `tenant ${tenant} looped on ${day(d)}`,
    evidence: { impact_usd: impact, trace_count: costs.length, looping_traces: costs.length, loop_calls: costs.length * 10, max_repeats: 10 + d, tools: ['search'], tenant_day_usd: impact * 2, share_of_tenant_day: 0.5 },
    trace_ids: ids, traceWeights: costs, ...over,
  };
}

const OPTIONS = { maxTraceIds: 4, gapDays: 1 };

describe('incident grouping', () => {
  // acme loops Oct 1, 2, 3, (quiet 4), 5 → one incident; then Oct 8 (2 quiet days) → another.
  // beta loops Oct 2 → its own incident. Oct 3 is critical and on another route.
  const windows: Finding[] = [
    loopDay('acme', 1, [1, 0.5]),
    loopDay('acme', 2, [3]),
    loopDay('acme', 3, [0.25, 2, 0.75], { severity: 'critical', route: '/other' }),
    loopDay('acme', 5, [1.5]),
    loopDay('acme', 8, [4]),
    loopDay('beta', 2, [0.1]),
  ];
  const incidents = groupIncidents(windows, toolLoopIncidents, OPTIONS);

  test('consecutive days (a quiet day between allowed) of one tenant are one incident with the sums of its days', () => {
    const acme = incidents.filter((a) => a.tenant === 'acme');
    expect(acme.map((a) => [a.start, a.end])).toEqual([[`${day(1)}T00:00:00`, `${day(6)}T00:00:00`], [`${day(8)}T00:00:00`, `${day(9)}T00:00:00`]]);
    const first = acme[0] as Anomaly;
    expect(first.evidence.impact_usd).toBe(1 + 0.5 + 3 + 0.25 + 2 + 0.75 + 1.5);
    expect(first.evidence.trace_count).toBe(7);
    expect(first.evidence.looping_traces).toBe(7);
    expect(first.evidence.days).toBe(4);
    expect(first.severity).toBe('critical');
    expect(first.route).toBeNull(); // two routes
    expect(first.tool).toBe('search');
    // the four most expensive traces of all its days, most expensive first
    expect(first.trace_ids).toEqual(['acme-d2-0', 'acme-d3-1', 'acme-d5-0', 'acme-d1-0']);
    expect((first.evidence.by_day as unknown[]).length).toBe(4);
    expect(first.summary).toBe(`tenant acme: 7 traces looped on search (up to 15 near-identical calls) on 4 days, ${day(1)} – ${day(5)}, costing $9.00`);
    // a lone day keeps its detector's summary
    expect(acme[1]?.summary).toBe(`tenant acme looped on ${day(8)}`);
    expect(incidents.filter((a) => a.tenant === 'beta')).toHaveLength(1);
  });

  test('with no gap allowed, a quiet day ends the incident', () => {
    const strict = groupIncidents(windows, toolLoopIncidents, { ...OPTIONS, gapDays: 0 });
    expect(strict.filter((a) => a.tenant === 'acme').map((a) => a.start.slice(0, 10))).toEqual([day(1), day(5), day(8)]);
  });

  test('an hour window joins the next day; a storm incident pools its hit rate', () => {
    const storm = (start: string, end: string, reads: number, input: number): Finding => ({
      kind: 'cache_miss_storm', severity: 'warn', tenant: null, route: '/chat', model: null, tool: null, start, end, summary: 'one',
      evidence: { impact_usd: 1, trace_count: 1, hit_rate: reads / input, baseline_hit_rate: 0.5, calls: 10, baseline_calls: 100, cache_read_tokens: reads, input_tokens: input, resolution: 'day' },
      trace_ids: [start], traceWeights: [1],
    });
    const [merged] = groupIncidents([storm(`${day(3)}T14:00:00`, `${day(3)}T17:00:00`, 10, 100), storm(`${day(4)}T00:00:00`, `${day(5)}T00:00:00`, 30, 200)], cacheMissStormIncidents, OPTIONS);
    expect([merged?.start, merged?.end]).toEqual([`${day(3)}T14:00:00`, `${day(5)}T00:00:00`]);
    expect(merged?.evidence.hit_rate).toBe(0.1333);
    expect(merged?.evidence.days).toBe(2);
    expect(tenantRouteEntity(merged as Finding)).toBe('[null,"/chat"]');
  });

  test('the grouped incidents match the golden file', () => {
    golden(renderJson({ anomalies: incidents }));
  });
});

describe('spend spikes another incident explains', () => {
  const spike = (tenant: string, d: number, excess: number): Finding => ({
    kind: 'spend_spike', severity: 'critical', tenant, route: null, model: null, tool: null,
    start: `${day(d)}T00:00:00`, end: `${day(d + 1)}T00:00:00`, summary: `spike ${tenant}`,
    evidence: { impact_usd: excess, trace_count: 3, day_usd: excess + 1, baseline_mean_usd: 1, z: 5 }, trace_ids: [], traceWeights: [],
  });

  test('fold into the incident whose money on those days is at least half the excess; others stay', () => {
    const loops = groupIncidents([loopDay('acme', 1, [1, 0.5]), loopDay('acme', 2, [3])], toolLoopIncidents, OPTIONS);
    const spikes = groupIncidents([spike('acme', 2, 5), spike('acme', 9, 5), spike('beta', 2, 5)], spendSpikeIncidents, OPTIONS);
    const folded = foldExplainedSpikes([...loops, ...spikes]);
    // Oct 2: the loop cost $3 that day ≥ half of the $5 excess → folded; Oct 9 has no loop; beta has none
    expect(folded.filter((a) => a.kind === 'spend_spike').map((a) => [a.tenant, a.start.slice(0, 10)])).toEqual([['acme', day(9)], ['beta', day(2)]]);
    const loop = folded.find((a) => a.kind === 'tool_loop');
    expect(loop?.evidence.spend_spike_days).toEqual([day(2)]);
    expect(loop?.evidence.spend_spike_usd).toBe(5);
    // a loop costing less than half the excess on the day does not explain it
    const small = foldExplainedSpikes([...groupIncidents([loopDay('acme', 2, [2])], toolLoopIncidents, OPTIONS), ...groupIncidents([spike('acme', 2, 5)], spendSpikeIncidents, OPTIONS)]);
    expect(small.map((a) => a.kind).sort()).toEqual(['spend_spike', 'tool_loop']);
  });
});
