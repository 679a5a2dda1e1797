// Terminal safety: names from input holding ESC (screen clears, colours), CR (overwrite the line),
// BEL and OSC-8 (forged links) reach a terminal — tables, Markdown, notes and error messages — with
// those characters shown as visible `\xNN` escapes, never raw. JSON keeps them exact (it is data).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const CLEAR = 'clear\x1b[2J\x1b[Hscreen';
const OVERWRITE = 'real\rloaded 2 spans';
const LINK = 'link\x1b]8;;https://evil.example\x07click\x1b]8;;\x07';
const C1 = 'csi\x9b31mred';
const TENANTS = [CLEAR, OVERWRITE, LINK, C1];
// every raw control character but the newline that ends a line
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

const dir = tempDir('costattr-terminal-');
const db = join(dir, 'costs.duckdb');
const spans = join(dir, 'spans.jsonl');
const T0 = 1790812800n * 1_000_000_000n;
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

function exportLine(i: number, tenant: string): string {
  const start = String(T0 + BigInt(i) * 60_000_000_000n);
  const chat = {
    traceId: (i + 1).toString(16).padStart(32, '0'), spanId: (i + 1).toString(16).padStart(16, '0'), name: 'chat', kind: 3,
    startTimeUnixNano: start, endTimeUnixNano: start,
    attributes: [text('gen_ai.operation.name', 'chat'), text('gen_ai.provider.name', 'anthropic'), text('gen_ai.request.model', 'claude-haiku-4-5'),
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '1000' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '100' } },
      text('acme.tenant_id', tenant), text('acme.route', `route ${tenant}`), text('acme.user_id', tenant)],
  };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'h' }, spans: [chat] }] }] });
}

beforeAll(async () => {
  writeFileSync(spans, `${TENANTS.map((t, i) => exportLine(i, t)).join('\n')}\n`);
  const ingest = await runCli(['ingest', spans, '--db', db, '--namespace', 'acme']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

describe('terminal safety', () => {
  it.each([
    ['costs table', ['costs', '--by', 'tenant,route,user']],
    ['costs md', ['costs', '--by', 'tenant,route', '--format', 'md']],
    ['audit table', ['audit', '--tenant', CLEAR]],
    ['reconcile table', ['reconcile', '--detail']],
    ['anomalies table', ['anomalies']],
    ['report daily', ['report', 'daily', '--date', '2026-10-01']],
  ])('%s shows no raw control character, and shows the names escaped', async (_name, args) => {
    const r = await runCli([...args, '--db', db]);
    expect(RAW_CONTROL.test(r.stdout), r.stdout).toBe(false);
    expect(RAW_CONTROL.test(r.stderr), r.stderr).toBe(false);
    if (args[0] === 'costs' && !args.includes('md')) expect(r.stdout).toContain('clear\\x1b[2J\\x1b[Hscreen');
  });

  it('an error message echoing a hostile value escapes it', async () => {
    const r = await runCli(['costs', '--by', `tenant\x1b[2J`, '--db', db]);
    expect(r.code).toBe(2);
    expect(RAW_CONTROL.test(r.stderr), r.stderr).toBe(false);
    expect(r.stderr.toLowerCase()).toContain('\\x1b[2j');
  });

  it('JSON keeps the names exact', async () => {
    const r = await runCli(['costs', '--by', 'tenant', '--db', db, '--format', 'json']);
    const tenants = (JSON.parse(r.stdout) as { rows: Array<{ tenant: string }> }).rows.map((row) => row.tenant);
    expect(tenants.sort()).toEqual([...TENANTS].sort());
  });
});
