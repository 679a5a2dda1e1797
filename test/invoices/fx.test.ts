// A generic invoice CSV billed in EUR is refused unless its rate is given (--fx EUR=1.08), and the
// rate used is stated; amounts convert exactly: €100.00 × 1.08 = $108.00, €0.05 × 1.08 = $0.054.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

function eurInvoice(): { dir: string; file: string } {
  const dir = tempDir('costattr-fx-');
  const file = join(dir, 'invoice.csv');
  writeFileSync(file, 'provider,day,model,token_class,quantity,amount_usd,currency\n'
    + 'openai,2026-01-05,gpt-4.1,input,50000000,100.00,EUR\nopenai,2026-01-05,gpt-4.1,output,1000,0.05,usd\n');
  return { dir, file };
}

it('refuses EUR without a rate, naming file, row and the currency field; nothing is stored', async () => {
  const { dir, file } = eurInvoice();
  const db = join(dir, 'x.duckdb');
  const r = await runCli(['ingest', '--invoice', file, '--db', db]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`${file} row 2: field currency: amount in EUR, not USD: give its rate, e.g. --fx EUR=1.08 (USD per EUR)`);
  expect(existsSync(db)).toBe(false); // a failed first ingest leaves no database behind
});

it('converts at --fx EUR=1.08 exactly and says so; USD rows stay as billed', async () => {
  const { dir, file } = eurInvoice();
  const db = join(dir, 'x.duckdb');
  const r = await runCli(['ingest', '--invoice', file, '--db', db, '--fx', 'EUR=1.08']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain(`${file}: amounts in EUR converted at 1.08 USD per EUR (--fx)`);
  const q = await runCli(['sql', 'SELECT token_class, amount_usd::VARCHAR AS usd FROM invoice_lines ORDER BY token_class', '--db', db, '--format', 'csv']);
  expect(q.stdout).toBe('token_class,usd\ninput,108.000000000000000\noutput,0.050000000000000\n');
});

it('refuses a malformed rate naming the option', async () => {
  const { dir, file } = eurInvoice();
  const r = await runCli(['ingest', '--invoice', file, '--db', join(dir, 'x.duckdb'), '--fx', 'EUR=abc']);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('--fx EUR=abc: expected CURRENCY=RATE in USD per unit, e.g. EUR=1.08');
});
