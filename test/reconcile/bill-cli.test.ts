// `costattr reconcile --bill FILE --share-unattributed …` end to end: the pass-through bill CSV
// (exact decimals, formula-safe tenant names) and tenant costs that carry the shared spend.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { insertSpans, usd, writeInvoiceCsv } from './setup.js';

const D5 = '2026-10-05';
let dir = '';
let dbPath = '';
let invoicePath = '';
let revenuePath = '';

beforeAll(async () => {
  dir = tempDir('costattr-bill-');
  dbPath = join(dir, 'spans.duckdb');
  const db = await Database.open({ path: dbPath });
  // Sonnet 4.5 output at $15/MTok: t1 $0.60, "=evil" $0.30, no tenant $0.15
  await insertSpans(db, [
    { id: 's1', provider: 'anthropic', model: 'claude-sonnet-4-5', start: `${D5} 10:00:00`, tenant: 't1', output: 40_000 },
    { id: 's2', provider: 'anthropic', model: 'claude-sonnet-4-5', start: `${D5} 11:00:00`, tenant: '=evil', output: 20_000 },
    { id: 's3', provider: 'anthropic', model: 'claude-sonnet-4-5', start: `${D5} 12:00:00`, tenant: null, output: 10_000 },
  ]);
  db.close();
  invoicePath = writeInvoiceCsv([{ provider: 'anthropic', day: D5, model: 'Claude Sonnet 4.5', token_class: 'output', quantity: 70_000, amount_usd: String(usd(70_000, 15)) }], dir);
  revenuePath = join(dir, 'revenue.csv');
  writeFileSync(revenuePath, 'tenant,month,revenue_usd,plan,markup\nt1,2026-10,10,pass_through,25%\n=evil,2026-10,1,pass_through,0.1\n');
});

const args = (...more: string[]) => ['reconcile', '--db', dbPath, '--invoice', invoicePath, '--revenue', revenuePath, '--month', '2026-10', ...more];

describe('costattr reconcile --bill', () => {
  it('writes cost × (1 + markup) per pass-through tenant, without sharing by default', async () => {
    const bill = join(dir, 'bill.csv');
    const result = await runCli(args('--bill', bill));
    expect(result.code).toBe(0);
    // t1: 0.60 × 1.25 = 0.75; =evil: 0.30 × 1.1 = 0.33 (the name is neutralised for spreadsheets)
    expect(readFileSync(bill, 'utf8')).toBe('tenant,month,cost_usd,markup,bill_usd\n\'=evil,2026-10,0.300000,0.1,0.330000\nt1,2026-10,0.600000,0.25,0.750000\n');
  });

  it('--share-unattributed proportional moves the $0.15 into tenant costs, margins and the bill', async () => {
    const bill = join(dir, 'bill-shared.csv');
    const result = await runCli(args('--share-unattributed', 'proportional', '--bill', bill, '--format', 'json'));
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { tenants: Array<{ tenant: string; cost_usd: number; margin_pct: number }>; portfolio: { cost_usd: number }; unattributed_usd: number };
    // 0.15 split 0.60 : 0.30 → 0.10 and 0.05
    expect(report.tenants.map((t) => [t.tenant, t.cost_usd])).toEqual([['=evil', 0.35], ['t1', 0.7]]);
    expect(report.tenants.find((t) => t.tenant === 't1')?.margin_pct).toBeCloseTo((10 - 0.7) / 10, 12);
    expect(report.portfolio.cost_usd).toBeCloseTo(1.05, 12);
    expect(report.unattributed_usd).toBeCloseTo(0.15, 12); // the headline still shows the tenant-less span spend
    // t1: 0.70 × 1.25 = 0.875; =evil: 0.35 × 1.1 = 0.385
    expect(readFileSync(bill, 'utf8')).toBe('tenant,month,cost_usd,markup,bill_usd\n\'=evil,2026-10,0.350000,0.1,0.385000\nt1,2026-10,0.700000,0.25,0.875000\n');
  });

  it('refuses an unknown sharing mode, and --bill without one calendar month of margins', async () => {
    expect((await runCli(args('--share-unattributed', 'fair'))).code).toBe(2);
    const partMonth = await runCli(['reconcile', '--db', dbPath, '--invoice', invoicePath, '--since', '2026-10-01', '--until', '2026-10-15', '--bill', join(dir, 'x.csv')]);
    expect(partMonth.code).toBe(2);
    expect(partMonth.stderr).toMatch(/--bill needs revenue .* one calendar month/);
  });
});
