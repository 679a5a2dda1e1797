// The source registry drives detection: each source's own file is claimed first by that source,
// and by nothing else but the flat table of its container (which comes later in the order), every
// registered source is reached, --format overrides detection, and a log tree becomes one entry.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { claudeCode } from '../../src/ingest/sources/claude-code/index.js';
import { flatCsv, flatJsonl, flatParquet } from '../../src/ingest/sources/flat/index.js';
import { FileHead } from '../../src/ingest/sources/head.js';
import { langfuse } from '../../src/ingest/sources/langfuse/index.js';
import { litellm } from '../../src/ingest/sources/litellm/index.js';
import { otlp } from '../../src/ingest/sources/otlp/index.js';
import { SPAN_SOURCES, sourceOf } from '../../src/ingest/sources/registry.js';
import type { SpanSource } from '../../src/ingest/sources/source.js';
import { expandSpanPaths } from '../../src/ingest/spans/files.js';
import { ROOT, tempDir } from '../helpers/cli.js';
import { openMemoryDb, otlpLine, sid, tid, writeLines } from '../ingest/otlp-builder.js';

const FIXTURES = join(ROOT, 'fixtures');
const claudeLine = JSON.stringify({
  type: 'assistant', sessionId: 'sess-1', requestId: 'req_A', uuid: 'u-1', timestamp: '2026-01-02T10:00:00.000Z',
  message: { id: 'msg_A', model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 3, output_tokens: 8 } },
});

let dir: string;
let cases: Array<[string, SpanSource]>;

beforeAll(async () => {
  dir = tempDir('costattr-registry-');
  const otlpGz = join(dir, 'spans.jsonl.gz');
  writeFileSync(otlpGz, gzipSync(`${otlpLine({ spans: [{ trace: tid(1), span: sid(1) }] })}\n`));
  const parquet = join(dir, 'flat.parquet');
  const scratch = await openMemoryDb();
  await scratch.exec(`COPY (SELECT 't' AS trace_id, 's' AS span_id, 5 AS input_tokens) TO '${parquet}' (FORMAT parquet)`);
  scratch.close();
  cases = [
    [parquet, flatParquet],
    [writeLines(dir, 'session.jsonl', [claudeLine]), claudeCode],
    [writeLines(dir, 'summary.jsonl', [JSON.stringify({ type: 'summary', summary: 'a session', leafUuid: 'u-0' })]), claudeCode],
    [join(FIXTURES, 'sources/litellm-spendlogs.jsonl'), litellm],
    [join(FIXTURES, 'sources/litellm-spendlogs.csv'), litellm],
    [join(FIXTURES, 'sources/langfuse-observations.jsonl'), langfuse],
    [join(FIXTURES, 'sources/langfuse-blob-export.csv'), langfuse],
    [writeLines(dir, 'flat.csv', ['trace_id,span_id,input_tokens', 't,s,5']), flatCsv],
    [join(FIXTURES, 'sdk/spans/sdk-export.jsonl'), otlp],
    [join(FIXTURES, 'otlp-handmade/pretty-document.json'), otlp],
    [otlpGz, otlp],
    [writeLines(dir, 'flat.jsonl', [JSON.stringify({ trace_id: 't', span_id: 's', input_tokens: 5 })]), flatJsonl],
  ];
});

describe('span source registry', () => {
  it('gives each file to its own source; only the flat table of its container claims it too, later', () => {
    for (const [path, expected] of cases) {
      const head = new FileHead(path);
      const claimants = SPAN_SOURCES.filter((source) => source.detect(head));
      expect(claimants[0], path).toBe(expected);
      expect(claimants.slice(1).every((source) => source.name === 'flat'), path).toBe(true);
      expect(sourceOf(head, 'auto'), path).toBe(expected);
    }
  });

  it('reaches every registered source, each once, with its own format', () => {
    expect(new Set(cases.map(([, source]) => source))).toEqual(new Set(SPAN_SOURCES));
    expect(new Set(SPAN_SOURCES.map((source) => source.format)).size).toBe(SPAN_SOURCES.length);
  });

  it('lets --format name the source instead', () => {
    const litellmCsv = new FileHead(join(FIXTURES, 'sources/litellm-spendlogs.csv'));
    expect(sourceOf(litellmCsv, 'csv')).toBe(flatCsv);
    expect(sourceOf(new FileHead(join(FIXTURES, 'sdk/spans/sdk-export.jsonl')), 'jsonl')).toBe(flatJsonl);
  });

  it('lists the logs of a tree-reading source under one path as one entry, ahead of the other files', () => {
    const root = join(dir, 'tree');
    const project = join(root, 'projects', 'app');
    mkdirSync(project, { recursive: true });
    const a = writeLines(project, 'a.jsonl', [claudeLine]);
    const b = writeLines(project, 'b.jsonl', [claudeLine]);
    const spend = writeLines(root, 'aa-spend.jsonl', [JSON.stringify({ request_id: 'r', call_type: 'completion', spend: 0.1 })]);
    expect(expandSpanPaths([root]).map((f) => [f.path, f.source.format, f.files])).toEqual([
      [root, 'claude-code', [a, b]],
      [spend, 'litellm', [spend]],
    ]);
  });
});
