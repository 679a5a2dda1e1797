// The documented rules in isolation: the tool-argument similarity rule, config thresholds, flags, grain choice.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareAnomalies, DEFAULT_THRESHOLDS, detectAnomalies, resolveThresholds, type Anomaly } from '../../src/analysis/anomalies/index.js';
import { keepBestGrain } from '../../src/analysis/anomalies/grains.js';
import { parseKinds, parseMinUsd } from '../../src/cli/commands/anomalies.js';
import type { Database } from '../../src/db/database.js';
import { CostattrError } from '../../src/errors.js';
import { anomaliesTable } from '../../src/render/anomalies.js';
import { renderMarkdown } from '../../src/render/md.js';
import type { SpanRow } from './scenario/generate.js';
import { scenarioDb } from './scenario/load.js';

function toolSpan(trace: string, i: number, args: string | null, tenant = 'acme'): SpanRow {
  return {
    trace_id: trace, span_id: `${trace.slice(0, 8)}${String(i).padStart(8, '0')}`, parent_span_id: null, ingest_id: 1, source: 'test',
    name: 'execute_tool lookup', operation: 'execute_tool', start_time: `2026-10-01 10:00:${String(i).padStart(2, '0')}`,
    end_time: `2026-10-01 10:00:${String(i).padStart(2, '0')}`, is_inference: false, provider: null, request_model: null, response_model: null,
    service_tier: 'standard', input_tokens: 0, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 0,
    reasoning_tokens: 0, reported_input_tokens: null, input_convention: 'inclusive', has_cache_counts: false, tag_tenant: tenant, tag_route: '/r',
    tenant, user_id: null, route: '/r', prompt_tokens: null, tool_tokens: null, memory_tokens: null, tool_name: 'lookup', tool_arguments: args, conversation_id: null,
  };
}

const trace = (n: number) => n.toString(16).padStart(32, '0');

describe('tool_loop similarity rule', () => {
  let db: Database;
  beforeAll(async () => {
    const spans = [
      // nearly identical: key order, whitespace, case, uuid, timestamp and numbers differ → one loop
      ...[
        '{"q": "Unpaid invoices", "id": "0f8fad5b-d9cb-469f-a165-70867728950e", "at": "2026-10-01T10:00:00Z", "page": 1}',
        '{"page": 2, "at": "2026-10-01T10:00:05Z", "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "q": "unpaid  invoices"}',
        '{"q":"unpaid invoices","id":"16fd2706-8baf-433b-82eb-8c7fada847da","at":"2026-10-01T10:00:09Z","page":3}',
        '{"id": "b3b8f1c2-1111-4222-8333-944455556666", "q": "unpaid invoices", "page": 4, "at": "2026-10-01 10:00:12"}',
        '{"q": "UNPAID INVOICES", "page": 5, "at": "2026-10-01T10:00:15Z", "id": "c2c2c2c2-aaaa-4bbb-8ccc-dddddddddddd"}',
      ].map((args, i) => toolSpan(trace(1), i, args)),
      // different words each time → not a loop
      ...['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((name, i) => toolSpan(trace(2), i, JSON.stringify({ name }))),
      // identical but only four times → below minRepeats
      ...[0, 1, 2, 3].map((i) => toolSpan(trace(3), i, '{"a": 1}')),
      // not JSON: compared as masked text
      ...[0, 1, 2, 3, 4].map((i) => toolSpan(trace(4), i, `retry attempt ${i}`, 'beta')),
      // nested structure differs (array vs object) → not identical
      ...['{"x": [1]}', '{"x": {"y": 1}}', '{"x": [2]}', '{"x": {"y": 2}}', '{"x": "1"}'].map((args, i) => toolSpan(trace(5), i, args, 'gamma')),
    ];
    db = await scenarioDb(spans);
  });
  afterAll(() => db.close());

  test('finds exactly the traces whose arguments match after normalisation and masking', async () => {
    const found = (await detectAnomalies(db, {
      period: { since: undefined, until: undefined, timezone: 'UTC' }, kinds: ['tool_loop'], minUsd: 0, thresholds: DEFAULT_THRESHOLDS,
    })).anomalies;
    expect(found.map((f) => [f.tenant, f.trace_ids, f.evidence.max_repeats])).toEqual([
      ['acme', [trace(1)], 5],
      ['beta', [trace(4)], 5],
    ]);
    expect(found[0]?.tool).toBe('lookup');
    expect(found[0]?.start).toBe('2026-10-01T00:00:00');
    expect(found[0]?.end).toBe('2026-10-02T00:00:00');
  });

  test('every detector runs with a non-UTC --timezone; windows are wall-clock days there', async () => {
    const found = (await detectAnomalies(db, {
      period: { since: '2026-09-30', until: '2026-10-02', timezone: 'Asia/Tokyo' }, kinds: [], minUsd: 0, thresholds: DEFAULT_THRESHOLDS,
    })).anomalies;
    // 10:00 UTC is 19:00 in Tokyo, the same calendar day
    expect(found.map((f) => [f.kind, f.tenant, f.start])).toEqual([
      ['tool_loop', 'acme', '2026-10-01T00:00:00'],
      ['tool_loop', 'beta', '2026-10-01T00:00:00'],
    ]);
  });
});

describe('Markdown output', () => {
  test('names from the input cannot change the table', () => {
    const md = renderMarkdown(anomaliesTable({ anomalies: [finding('evil|tenant *x*', 2, { route: '/a_b' })] }));
    const row = md.split('\n').find((l) => l.startsWith('| warn'));
    expect(row).toContain('evil\\|tenant \\*x\\*');
    expect(row).toContain('/a\\_b');
    expect(row?.split(' | ')).toHaveLength(8);
  });
});

describe('thresholds from costattr.config.json', () => {
  test('merges over the defaults, in snake_case or camelCase kind keys', () => {
    expect(resolveThresholds({ incidentGapDays: 0 }).incidentGapDays).toBe(0);
    expect(resolveThresholds({ cache_miss_storm: { minDrop: 0.3 } }).cache_miss_storm).toEqual({ ...DEFAULT_THRESHOLDS.cache_miss_storm, minDrop: 0.3 });
    expect(() => resolveThresholds({ cache_miss_storm: { healthyRate: 0.5 } })).toThrow(/cache_miss_storm\.healthyRate: unknown/);
    const t = resolveThresholds({ spend_spike: { warnZ: 3 }, memoryRunaway: { budgetTokens: 20000 }, maxTraceIds: 3 });
    expect(t.spend_spike).toEqual({ ...DEFAULT_THRESHOLDS.spend_spike, warnZ: 3 });
    expect(t.memory_runaway.budgetTokens).toBe(20000);
    expect(t.maxTraceIds).toBe(3);
    expect(t.tool_loop).toEqual(DEFAULT_THRESHOLDS.tool_loop);
    expect(resolveThresholds(undefined)).toEqual(DEFAULT_THRESHOLDS);
  });

  test('rejects unknown kinds, unknown keys and bad values, naming the key', () => {
    expect(() => resolveThresholds({ tool_loops: {} })).toThrow(/anomalies\.tool_loops/);
    expect(() => resolveThresholds({ tool_loop: { minRepeat: 3 } })).toThrow(/tool_loop\.minRepeat: unknown/);
    expect(() => resolveThresholds({ spend_spike: { warnZ: 'high' } })).toThrow(CostattrError);
    expect(() => resolveThresholds([])).toThrow(CostattrError);
  });
});

describe('flags', () => {
  test('--kind takes a comma list of known kinds', () => {
    expect(parseKinds('tool_loop, spend_spike')).toEqual(['tool_loop', 'spend_spike']);
    expect(parseKinds(undefined)).toEqual([]);
    expect(() => parseKinds('loops')).toThrow(/--kind loops/);
  });

  test('--min-usd is a non-negative amount', () => {
    expect(parseMinUsd('2.5')).toBe(2.5);
    expect(parseMinUsd(3)).toBe(3);
    expect(() => parseMinUsd('-1')).toThrow(CostattrError);
    expect(() => parseMinUsd('lots')).toThrow(CostattrError);
  });
});

function finding(tenant: string | null, impact: number, over: Partial<Anomaly> = {}): Anomaly {
  return {
    kind: 'cache_miss_storm', severity: 'warn', tenant, route: '/r', model: null, tool: null,
    start: '2026-10-01T00:00:00', end: '2026-10-02T00:00:00', summary: '', evidence: { impact_usd: impact, trace_count: 0 }, trace_ids: [], ...over,
  };
}

describe('choosing between route-wide and per-tenant findings', () => {
  test('one tenant carrying most of the money is the story; a spread problem is route-wide', () => {
    const route = finding(null, 10);
    const dominant = finding('a', 8);
    expect(keepBestGrain([route, dominant])).toEqual([dominant]);
    const spread = [finding('a', 3), finding('b', 3), finding('c', 3)];
    expect(keepBestGrain([route, ...spread])).toEqual([route]);
    const elsewhere = finding('d', 1, { start: '2026-10-05T00:00:00', end: '2026-10-06T00:00:00' });
    expect(keepBestGrain([route, ...spread, elsewhere])).toEqual([route, elsewhere]);
  });

  test('sorting: money at stake, then severity, kind and window', () => {
    const a = finding('a', 1, { severity: 'critical' });
    const b = finding('b', 5);
    const c = finding('c', 5, { kind: 'tool_loop' });
    const d = finding('d', 5, { severity: 'critical' });
    expect([a, b, c, d].sort(compareAnomalies)).toEqual([d, c, b, a]);
  });
});
