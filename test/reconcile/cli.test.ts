// `costattr reconcile` end to end through the built CLI: the JSON contract's keys, --invoice
// loading next to a --db of spans, and the --tolerance gate's exit code.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';
import { insertSpans, usd, writeInvoiceCsv, type InvoiceLine } from './setup.js';
import { Database } from '../../src/db/database.js';

const D5 = '2026-10-05';
let dbPath = '';
let invoicePath = '';

beforeAll(async () => {
  const dir = tempDir('costattr-rec-');
  dbPath = join(dir, 'spans.duckdb');
  const db = await Database.open({ path: dbPath });
  await insertSpans(db, [{ id: 's1', provider: 'anthropic', model: 'claude-sonnet-4-5', start: `${D5} 10:00:00`, input: 100_000, output: 20_000 }]);
  db.close();
  // the spans carry 10,000 more input tokens than were billed: $0.03 of unexplained (quantity) variance
  const lines: InvoiceLine[] = [
    { provider: 'anthropic', day: D5, model: 'Claude Sonnet 4.5', token_class: 'input', quantity: 90_000, amount_usd: String(usd(90_000, 3)) },
    { provider: 'anthropic', day: D5, model: 'Claude Sonnet 4.5', token_class: 'output', quantity: 20_000, amount_usd: String(usd(20_000, 15)) },
  ];
  invoicePath = writeInvoiceCsv(lines, dir);
});

const args = (...more: string[]) => ['reconcile', '--db', dbPath, '--invoice', invoicePath, '--month', '2026-10', ...more];

describe('costattr reconcile', () => {
  it('prints the JSON contract and exits 1 when the unexplained variance is over --tolerance 2%', async () => {
    const result = await runCli(args('--tolerance', '2%', '--format', 'json'));
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['schema_version', 'invoice_usd', 'span_usd', 'variance_usd', 'variance_pct', 'unattributed_usd', 'untraced_usd', 'lines', 'tenants', 'segments', 'portfolio', 'cache']);
    const invoice = usd(90_000, 3) + usd(20_000, 15);
    expect(report.invoice_usd).toBeCloseTo(invoice, 9);
    expect(report.span_usd).toBeCloseTo(usd(100_000, 3) + usd(20_000, 15), 9);
    expect(report.untraced_usd).toBeCloseTo(-usd(10_000, 3), 9);
    const lines = report.lines as Array<Record<string, unknown>>;
    expect(Object.keys(lines[0] ?? {})).toEqual(['provider', 'model', 'day', 'token_class', 'invoice_tokens', 'span_tokens', 'invoice_usd', 'span_usd', 'variance_usd', 'cause']);
    expect(lines.find((l) => l.token_class === 'input')).toMatchObject({ cause: 'quantity', invoice_tokens: 90_000, span_tokens: 100_000 });
    expect(Object.keys(report.cache as object)).toEqual(['hit_rate', 'naive_usd', 'actual_usd', 'savings_usd']);
    expect(result.stderr).toMatch(/unexplained variance .* over the tolerance/);
  });

  it('exits 0 when the unexplained variance is within the tolerance', async () => {
    // 0.03 / 0.57 ≈ 5.3%
    const result = await runCli(args('--tolerance', '6%', '--format', 'json'));
    expect(result.code).toBe(0);
  });

  it('the table fits one screen and --detail adds the lines', async () => {
    const plain = await runCli(args());
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('__untraced__');
    expect(plain.stdout).toContain('quantity');
    expect(plain.stdout.split('\n').length).toBeLessThan(40);
    const detail = await runCli(args('--detail'));
    expect(detail.stdout).toContain('2026-10-05');
    const csv = await runCli(args('--format', 'csv'));
    expect(csv.stdout.split('\n')[0]).toBe('provider,model,day,token_class,invoice_tokens,span_tokens,invoice_usd,span_usd,variance_usd,cause');
  });

  it('a bad --tolerance is a usage error', async () => {
    expect((await runCli(args('--tolerance', '7'))).code).toBe(2);
  });
});
