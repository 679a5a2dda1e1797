// Claude Code config directories read as ccusage reads them (projects/**/*.jsonl only, whatever
// else Claude Code keeps beside them), and a junk line refused naming the file, the line and the
// field in the product's words, never the JSON engine's text.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { lineProblem } from '../../src/ingest/sources/claude-code/diagnose.js';
import { ingestSpanFiles } from '../../src/ingest/spans/index.js';
import { tempDir } from '../helpers/cli.js';
import { classes, openMemoryDb, spansById, writeLines } from '../ingest/otlp-builder.js';

let db: Database;
beforeEach(async () => {
  db = await openMemoryDb();
});
afterEach(() => db.close());

const assistant = (session: string, msg: string, usage: Record<string, unknown>): string => JSON.stringify({
  parentUuid: 'p1', isSidechain: false, userType: 'external', cwd: '/home/me/app', sessionId: session, version: '2.0.14',
  message: { id: msg, type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: 'ok' }], usage },
  requestId: `req_${msg}`, type: 'assistant', uuid: `u-${msg}`, timestamp: '2026-02-03T10:00:00.000Z',
});
const usage = { input_tokens: 12, cache_creation_input_tokens: 100, cache_read_input_tokens: 4000, output_tokens: 250 };

/** A directory laid out like a real ~/.claude: state and settings beside the project logs. */
function fakeClaudeHome(): string {
  const home = tempDir('costattr-dot-claude-');
  writeFileSync(join(home, 'settings.json'), JSON.stringify({ model: 'opus', permissions: { allow: ['Bash(npm test)'] } }));
  writeLines(home, 'history.jsonl', [JSON.stringify({ display: 'fix the tests', pastedContents: {}, timestamp: 1764756000000, project: '/home/me/app' })]);
  for (const dir of ['todos', 'statsig', 'shell-snapshots', 'ide', 'plugins']) mkdirSync(join(home, dir));
  writeFileSync(join(home, 'todos', 'abc-agent-abc.json'), JSON.stringify([{ content: 'x', status: 'pending', activeForm: 'x' }]));
  writeFileSync(join(home, 'statsig', 'statsig.cached.evaluations.1a2b.json'), JSON.stringify({ source: 'Network', data: '{}' }));
  writeFileSync(join(home, 'plugins', 'config.json'), JSON.stringify({ repositories: {} }));
  writeFileSync(join(home, 'shell-snapshots', 'snapshot-zsh-1.sh'), 'export PATH=/usr/bin\n');
  const project = join(home, 'projects', '-home-me-app');
  mkdirSync(project, { recursive: true });
  writeLines(project, 'sess-1.jsonl', [
    JSON.stringify({ type: 'summary', summary: 'Fix tests', leafUuid: 'u-msg_1' }),
    JSON.stringify({ type: 'user', sessionId: 'sess-1', uuid: 'u0', timestamp: '2026-02-03T09:59:00.000Z', message: { role: 'user', content: 'go' } }),
    assistant('sess-1', 'msg_1', usage),
    assistant('sess-1', 'msg_2', { ...usage, output_tokens: 30 }),
  ]);
  return home;
}

describe('Claude Code config directory', () => {
  it('reads projects/**/*.jsonl only, ignoring settings, history, todos, statsig and the rest', async () => {
    const home = fakeClaudeHome();
    const report = await ingestSpanFiles(db, [home]);
    expect(report.files.map((f) => f.format)).toEqual(['claude-code']);
    expect(report).toMatchObject({ loaded: 2, rejected: 0 });
    const spans = await spansById(db);
    // input, cache read, 5m write (no split given: all 5m), 1h write, output: as logged
    expect(classes(spans.get('msg_1:req_msg_1'))).toEqual([12, 4000, 100, 0, 250]);
    expect(classes(spans.get('msg_2:req_msg_2'))).toEqual([12, 4000, 100, 0, 30]);
    expect(spans.get('msg_1:req_msg_1')).toMatchObject({ tenant: '-home-me-app', task: 'sess-1' });
  });

  it('names the file, the line and the field of a junk line', async () => {
    const home = fakeClaudeHome();
    const log = join(home, 'projects', '-home-me-app', 'sess-2.jsonl');
    writeFileSync(log, `${assistant('sess-2', 'msg_3', usage)}\n${assistant('sess-2', 'msg_4', { ...usage, input_tokens: '12a' })}\n`);
    const refused = ingestSpanFiles(db, [home]);
    await expect(refused).rejects.toThrow(`${log}:2: field message.usage.input_tokens: expected a whole number of tokens, found "12a"`);
    await expect(refused).rejects.not.toThrow(/auto_detect|transform/i);
    expect((await db.all('SELECT * FROM spans')).length).toBe(0);
  });

  it('judges each line against the typed fields', () => {
    expect(lineProblem(assistant('s', 'm', usage))).toBeUndefined();
    expect(lineProblem('')).toBeUndefined();
    expect(lineProblem('[1]')).toEqual({ field: undefined, problem: 'expected a JSON object per line' });
    expect(lineProblem(JSON.stringify({ type: 'assistant', isSidechain: 'no' }))).toEqual({ field: 'isSidechain', problem: 'expected true or false, found "no"' });
    expect(lineProblem(JSON.stringify({ message: { usage: { output_tokens: 1.5 } } }))).toMatchObject({ field: 'message.usage.output_tokens' });
    expect(lineProblem('{"type": "assistant",')?.problem).toMatch(/^not valid JSON/);
  });
});
