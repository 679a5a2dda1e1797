// Injection: tenant ids, routes, user ids, tool names and file paths holding quotes, `;`, `--`, `$`,
// newlines and Unicode stay data. They round-trip exactly through ingest and every query (values are
// bound, identifiers quoted); CSV output neutralises formula cells; Markdown and HTML escape them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

const HOSTILE_TENANTS = [
  "o'brien; DROP TABLE spans; --",
  'say "hi" $1 $tenant ${x}',
  'line\nbreak\r\nand tab\there',
  '=HYPERLINK("http://evil","x")',
  '+1+cmd|" /C calc"!A0',
  '-2+3',
  '@SUM(A1:A9)',
  '<script>alert(1)</script> & *bold* | pipe `tick` [link](x)',
  'ünïcødé 🚀 ‮rtl',
];
const ROUTE = "route'); DELETE FROM ingests; --";
const TOOL = 'tool"; SELECT 1; --$$';

// haiku: 1000 input × $1/M + 100 output × $5/M = $0.0015 per call, one call per tenant
const PER_CALL_USD = 0.0015;

const dir = join(tempDir('costattr-inject-'), `it's a "dir"; -- $HOME ü`);
const db = join(dir, `costs 'db"; --.duckdb`);
const spans = join(dir, `spans; rm -rf $HOME '--.jsonl`);

const T0 = 1790812800n * 1_000_000_000n;
const text = (key: string, value: string) => ({ key, value: { stringValue: value } });

function exportLine(i: number, tenant: string): string {
  const traceId = (i + 1).toString(16).padStart(32, '0');
  const start = String(T0 + BigInt(i) * 60_000_000_000n);
  const chat = {
    traceId, spanId: (i * 2 + 1).toString(16).padStart(16, '0'), name: 'chat claude-haiku-4-5', kind: 3, startTimeUnixNano: start, endTimeUnixNano: start,
    attributes: [text('gen_ai.operation.name', 'chat'), text('gen_ai.provider.name', 'anthropic'), text('gen_ai.request.model', 'claude-haiku-4-5'),
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '1000' } }, { key: 'gen_ai.usage.output_tokens', value: { intValue: '100' } },
      text('acme.tenant_id', tenant), text('acme.route', ROUTE), text('acme.user_id', tenant)],
  };
  const tool = {
    traceId, spanId: (i * 2 + 2).toString(16).padStart(16, '0'), parentSpanId: chat.spanId, name: `execute_tool ${TOOL}`, kind: 1,
    startTimeUnixNano: start, endTimeUnixNano: start,
    attributes: [text('gen_ai.operation.name', 'execute_tool'), text('gen_ai.tool.name', TOOL), text('gen_ai.tool.call.arguments', `{"q": "${'\\"'}; --"}`)],
  };
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [text('service.name', 'inject')] }, scopeSpans: [{ scope: { name: 'h' }, spans: [chat, tool] }] }] });
}

interface CostsJsonRow {
  tenant: string;
  route: string;
  cost_usd: number;
}

describe('injection', () => {
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(spans, `${HOSTILE_TENANTS.map((t, i) => exportLine(i, t)).join('\n')}\n`);
    const ingest = await runCli(['ingest', '--db', db, '--namespace', 'acme', spans]);
    expect(ingest.code, ingest.stderr).toBe(0);
  });

  it('hostile tenant ids, routes and paths round-trip exactly as data through costs --format json', async () => {
    const result = await runCli(['costs', '--db', db, '--by', 'tenant,route', '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    const rows = (JSON.parse(result.stdout) as { rows: CostsJsonRow[] }).rows;
    expect(rows.map((r) => r.tenant).sort()).toEqual([...HOSTILE_TENANTS].sort());
    for (const row of rows) {
      expect(row.route).toBe(ROUTE);
      expect(row.cost_usd).toBeCloseTo(PER_CALL_USD, 9);
    }
  });

  it('an audit of a tenant named like an SQL statement finds exactly that tenant, and every table survives', async () => {
    const tenant = HOSTILE_TENANTS[0] as string;
    const audit = await runCli(['audit', '--db', db, '--tenant', tenant, '--format', 'json']);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.stdout).toContain(JSON.stringify(tenant));
    const check = await runCli(['sql', '--db', db, '--format', 'json',
      `SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM ingests) AS ingests, (SELECT count(DISTINCT tool_name) FROM spans WHERE tool_name = '${TOOL.replaceAll("'", "''")}') AS tools`]);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(/"spans":\s*"?18"?/);
    expect(check.stdout).toMatch(/"ingests":\s*"?1"?/);
    expect(check.stdout).toMatch(/"tools":\s*"?1"?/);
  });

  it('CSV output neutralises formula cells (= + - @) and keeps the rest intact', async () => {
    const result = await runCli(['costs', '--db', db, '--by', 'tenant', '--format', 'csv']);
    expect(result.code, result.stderr).toBe(0);
    const cells = result.stdout.split('\n').slice(1).map((line) => line.split(',')[0] ?? '');
    for (const start of ['=', '+', '-', '@']) {
      expect(result.stdout).not.toMatch(new RegExp(`(^|\\n|,)"?\\${start}`));
      expect(cells.some((cell) => cell.replace(/^"/, '').startsWith(`'${start}`)), start).toBe(true);
    }
  });

  it('Markdown escapes table and formatting syntax; a newline cannot break a row', async () => {
    const result = await runCli(['costs', '--db', db, '--by', 'tenant', '--format', 'md']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('\\<script\\>');
    expect(result.stdout).toContain('\\*bold\\*');
    expect(result.stdout).toContain('\\| pipe');
    expect(result.stdout).not.toContain('<script>');
    const tableRows = result.stdout.split('\n').filter((line) => line.startsWith('|'));
    const columns = (tableRows[0]?.match(/(?<!\\)\|/g) ?? []).length;
    for (const row of tableRows) expect((row.match(/(?<!\\)\|/g) ?? []).length, row).toBe(columns);
  });

  it('HTML (the monthly report) escapes every input string', async () => {
    const result = await runCli(['report', 'monthly', '--db', db, '--month', '2026-10', '--format', 'html']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(result.stdout).not.toContain('<script>alert(1)');
    expect(result.stdout).toContain('o&#39;brien; DROP TABLE spans');
    expect(result.stdout).not.toContain("o'brien");
  });
});
