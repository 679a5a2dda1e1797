// The Claude Code fast path (src/ingest/sources/claude-code/stage.ts: calls straight into staging)
// against the generic path it replaces (load.ts: raw table → normaliser), on the same logs: every
// `spans` row, the ingest report and the recorded drops must be identical. The logs vary what the
// normaliser would judge: duplicates (streaming snapshots, sidechain replays), `<synthetic>`,
// lines without usage, missing request id / message id / session id, 5-minute and 1-hour cache
// writes, no cache counts at all, service tiers, several projects, sub-agent logs, a second ingest
// over stored spans, an OTLP file in the same ingest (the driver stages Claude Code after the raw
// files) whose SDK span reports one of the calls (merged by response id); and, under skipInvalid, a
// malformed line, a negative count, a bad timestamp and a blank session.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { claudeCode } from '../../src/ingest/sources/claude-code/index.js';
import { ingestSpanFiles, type IngestReport, type SpanIngestOptions } from '../../src/ingest/spans/index.js';
import { tempDir } from '../helpers/cli.js';
import { otlpLine, sid, tid, writeLines } from '../ingest/otlp-builder.js';
import { generateClaudeLogs } from './claude-code-gen.js';

const SONNET = 'claude-sonnet-4-5-20250929';

type Line = Record<string, unknown>;
const assistant = (fields: Line, usage: Line | undefined, message: Line = {}): string => JSON.stringify({
  type: 'assistant', isSidechain: false, timestamp: '2026-02-03T10:00:00.000Z', uuid: `u-${Math.random().toString(16).slice(2)}`, ...fields,
  message: { model: SONNET, role: 'assistant', content: [], ...(usage ? { usage } : {}), ...message },
});

/** Hand-written lines for what the generator never writes. */
function writeOddLogs(dir: string): void {
  const project = join(dir, 'projects', '-home-dev-odd');
  mkdirSync(join(project, 'sess-odd', 'subagents'), { recursive: true });
  const base = { sessionId: 'Sess-Odd' };
  writeLines(project, 'sess-odd.jsonl', [
    JSON.stringify({ type: 'summary', summary: 'odd things', leafUuid: 'x' }),
    JSON.stringify({ type: 'user', ...base, uuid: 'u-user', timestamp: '2026-02-03T09:59:00.000Z', message: { role: 'user', content: 'hi' } }),
    // no usage at all, and usage without output_tokens: not records
    assistant({ ...base, requestId: 'req_1' }, undefined, { id: 'msg_NoUsage' }),
    assistant({ ...base, requestId: 'req_2' }, { input_tokens: 5 }, { id: 'msg_HalfUsage' }),
    // no cache counts at all: no_cache_counts; service tier given as `default`, `priority`, or absent
    assistant({ ...base, requestId: 'req_3' }, { input_tokens: 40, output_tokens: 9, service_tier: 'default' }, { id: 'msg_NoCache' }),
    assistant({ ...base, requestId: 'req_4' }, { input_tokens: 40, output_tokens: 9, cache_read_input_tokens: 100, service_tier: 'Priority' }, { id: 'msg_Priority' }),
    // cache writes: only the 1-hour split, only the total, a split larger than the total
    assistant({ ...base, requestId: 'req_5' }, { input_tokens: 1, output_tokens: 2, cache_creation: { ephemeral_1h_input_tokens: 700 } }, { id: 'msg_Split1h' }),
    assistant({ ...base, requestId: 'req_6' }, { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 300 }, { id: 'msg_Total' }),
    assistant({ ...base, requestId: 'req_7' }, { input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 100, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 250 } }, { id: 'msg_Over' }),
    // no request id: the message id alone; then the same message with one: another call
    assistant({ ...base, timestamp: '2026-02-03T10:01:00.000Z' }, { input_tokens: 3, output_tokens: 4 }, { id: 'msg_NoReq' }),
    assistant({ ...base, timestamp: '2026-02-03T10:01:02.000Z' }, { input_tokens: 3, output_tokens: 8 }, { id: 'msg_NoReq' }),
    // no message id: the line's uuid
    assistant({ ...base, uuid: 'u-only' }, { input_tokens: 3, output_tokens: 4 }),
    // tie on tokens: the non-sidechain copy wins, the times span both lines
    assistant({ ...base, requestId: 'req_8', isSidechain: true, timestamp: '2026-02-03T10:02:00.000Z' }, { input_tokens: 9, output_tokens: 9 }, { id: 'msg_Tie' }),
    assistant({ ...base, requestId: 'req_8', timestamp: '2026-02-03T10:02:05.500Z' }, { input_tokens: 9, output_tokens: 9 }, { id: 'msg_Tie' }),
    // a synthetic message, and one without a model
    assistant({ ...base, requestId: 'req_9' }, { input_tokens: 0, output_tokens: 0 }, { id: 'msg_Syn', model: '<synthetic>' }),
    assistant({ ...base, requestId: 'req_10' }, { input_tokens: 2, output_tokens: 2 }, { id: 'msg_NoModel', model: null }),
    // no timestamp at all
    JSON.stringify({ type: 'assistant', ...base, requestId: 'req_11', uuid: 'u-notime', message: { id: 'msg_NoTime', model: SONNET, usage: { input_tokens: 1, output_tokens: 1 } } }),
  ]);
  // a log without sessionId (known by its opening line): the file's name is the session
  writeLines(join(project, 'sess-odd', 'subagents'), 'agent-7.jsonl', [
    JSON.stringify({ type: 'file-history-snapshot', messageId: 'm', snapshot: {} }),
    assistant({ requestId: 'req_12', isSidechain: true }, { input_tokens: 6, output_tokens: 6 }, { id: 'msg_Agent' }),
  ]);
}

/** Lines the normaliser rejects, each its own call: a malformed line, a negative count, a bad timestamp, a blank session. */
function writeBadLogs(dir: string): void {
  const project = join(dir, 'projects', '-home-dev-bad');
  mkdirSync(project, { recursive: true });
  writeLines(project, 'sess-bad.jsonl', [
    assistant({ sessionId: 'sess-bad', requestId: 'req_ok' }, { input_tokens: 1, output_tokens: 1 }, { id: 'msg_Ok' }),
    '{"type":"assistant", broken',
    assistant({ sessionId: 'sess-bad', requestId: 'req_neg' }, { input_tokens: -5, output_tokens: 1 }, { id: 'msg_Neg' }),
    assistant({ sessionId: 'sess-bad', requestId: 'req_late', timestamp: 'yesterday' }, { input_tokens: 1, output_tokens: 1 }, { id: 'msg_Late' }),
    assistant({ sessionId: ' ', requestId: 'req_blank' }, { input_tokens: 1, output_tokens: 1 }, { id: 'msg_Blank' }),
  ]);
}

/** An Anthropic SDK span (OTLP) of the call `msg_Tie` of writeOddLogs, under a tenant of its own. */
function sdkSpanOfTie(dir: string): string {
  return writeLines(dir, 'sdk.jsonl', [otlpLine({
    scope: '@opentelemetry/instrumentation-anthropic',
    spans: [{
      trace: tid(7), span: sid(7), name: 'chat claude-sonnet-4-5', start: '1770112920000000000', attrs: {
        'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': SONNET,
        'gen_ai.usage.input_tokens': 9, 'gen_ai.usage.output_tokens': 9, 'gen_ai.response.id': 'msg_Tie', 'acme.tenant_id': 'acme',
      },
    }],
  })]);
}

interface Outcome {
  reports: IngestReport[];
  spans: unknown[];
  drops: unknown[];
}

const opened: Database[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

/** Ingest each batch of paths in turn into one new database, by the fast path or (staged: false) the generic one. */
async function ingestAll(batches: string[][], options: SpanIngestOptions, staged: boolean): Promise<Outcome> {
  const db = await Database.open();
  opened.push(db);
  const source = claudeCode as { stage?: unknown };
  const stage = source.stage;
  if (!staged) delete source.stage;
  try {
    const reports: IngestReport[] = [];
    for (const paths of batches) reports.push(await ingestSpanFiles(db, paths, options));
    const spans = await db.all('SELECT * FROM spans ORDER BY trace_id, span_id');
    const drops = await db.all('SELECT * FROM ingest_drops ORDER BY ingest_id, rule');
    return { reports, spans, drops };
  } finally {
    source.stage = stage;
  }
}

async function bothPaths(batches: string[][], options: SpanIngestOptions = {}): Promise<Outcome> {
  const generic = await ingestAll(batches, options, false);
  const fast = await ingestAll(batches, options, true);
  expect(fast.spans).toEqual(generic.spans);
  expect(fast.drops).toEqual(generic.drops);
  // a rejected call's `line` is its ordinal among the calls in both paths (the JSON reader gives no
  // line numbers), in no fixed order: compared without it
  const unnumbered = (o: Outcome): unknown[] => o.reports.map((r) => ({
    ...r, problems: r.problems.map(({ line: _line, ...p }) => p).sort((a, b) => a.message.localeCompare(b.message)),
  }));
  expect(unnumbered(fast)).toEqual(unnumbered(generic));
  return fast;
}

describe('the Claude Code fast path writes exactly the spans the generic path writes', () => {
  it('on generated logs (growing snapshots, sidechain replays, synthetic messages) and odd hand-written ones', async () => {
    const dir = tempDir('costattr-claude-stage-');
    generateClaudeLogs(dir, { seed: 17, growingOutput: true, projects: 4, sessionsPerProject: 3 });
    writeOddLogs(dir);
    const fast = await bothPaths([[dir]]);
    // not vacuous: many calls, duplicates dropped, both conventions, both cache-write classes
    expect(fast.spans.length).toBeGreaterThan(100);
    const rows = fast.spans as Array<Record<string, unknown>>;
    expect(new Set(rows.map((r) => r.input_convention))).toEqual(new Set(['exclusive', 'no_cache_counts']));
    expect(rows.some((r) => Number(r.cache_write_1h_tokens) > 0 && Number(r.cache_write_5m_tokens) > 0)).toBe(true);
    expect(rows.find((r) => r.span_id === 'msg_tie:req_8')).toMatchObject({
      start_time: '2026-02-03 10:02:00', end_time: '2026-02-03 10:02:05.5', tags_json: '{"claude_code.sidechain":false}',
    });
    expect(fast.reports[0]?.duplicates).toBeGreaterThan(0);
  });

  it('on a second ingest over stored spans, and two trees in one ingest', async () => {
    const first = tempDir('costattr-claude-stage-a-');
    const second = tempDir('costattr-claude-stage-b-');
    generateClaudeLogs(first, { seed: 3, growingOutput: false, projects: 2 });
    generateClaudeLogs(second, { seed: 4, growingOutput: true, projects: 2 });
    writeOddLogs(second);
    await bothPaths([[first], [first, second]]);
  });

  it('beside an OTLP file in the same ingest or a later one, merging the call both report', async () => {
    const dir = tempDir('costattr-claude-stage-mixed-');
    writeOddLogs(dir);
    const sdk = sdkSpanOfTie(tempDir('costattr-claude-stage-sdk-'));
    const together = await bothPaths([[sdk, dir]]);
    const rows = together.spans as Array<Record<string, unknown>>;
    // not vacuous: the response-id merge saw both copies of msg_Tie, and counted it once
    expect(rows.filter((r) => r.response_id === 'msg_Tie').map((r) => r.is_inference).sort()).toEqual([false, true]);
    await bothPaths([[dir], [sdk]]);
  });

  it('under skipInvalid, rejecting the same lines with the same problems', async () => {
    const dir = tempDir('costattr-claude-stage-bad-');
    writeBadLogs(dir);
    const fast = await bothPaths([[dir]], { skipInvalid: true });
    expect(fast.reports[0]).toMatchObject({ loaded: 1, rejected: 4 });
    expect(fast.reports[0]?.problems.map((p) => `${p.field ?? ''}: ${p.message}`).sort()).toEqual([
      'input_tokens: negative token count: -5', 'start_time: bad timestamp: yesterday', 'trace_id: missing trace id',
    ]);
  });
});
