// One hand-written fixture per invoice format (fixtures/invoices/, columns as the providers export
// them): the parsed lines' classes, quantities and exact dollars, and header detection.
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles, type InvoiceIngestOptions } from '../../src/ingest/invoices/index.js';
import { ROOT } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures/invoices');

interface Line {
  day: string;
  model: string | null;
  token_class: string;
  quantity: string | null;
  amount_usd: string | null;
  list_amount_usd: string | null;
  tier: string;
  long_context: boolean;
  provider: string;
  kind: string;
  description: string | null;
}

let db: Database | undefined;
afterEach(() => db?.close());

async function load(file: string, options: InvoiceIngestOptions = {}): Promise<{ format: string; lines: Line[] }> {
  db = await Database.open();
  const report = await ingestInvoiceFiles(db, [join(FIXTURES, file)], options);
  const lines = await db.all<Line & Record<string, unknown>>(
    `SELECT strftime(day, '%Y-%m-%d') AS day, model, token_class, quantity::VARCHAR AS quantity, amount_usd::VARCHAR AS amount_usd,
            list_amount_usd::VARCHAR AS list_amount_usd, tier, long_context, provider, kind, description
     FROM invoice_lines ORDER BY day, model NULLS LAST, token_class`,
  );
  return { format: report.files[0]?.format ?? '', lines };
}

const pick = (lines: Line[], model: string | null, cls: string, day?: string) => {
  const found = lines.filter((l) => l.model === model && l.token_class === cls && (day === undefined || l.day === day));
  expect(found, `${model} ${cls}`).toHaveLength(1);
  return found[0] as Line;
};

describe('Anthropic', () => {
  it('Console cost CSV: display names kept as billed, token_type → class, dollars exact, list price and context window', async () => {
    const { format, lines } = await load('anthropic-cost.csv');
    expect(format).toBe('anthropic-cost-csv');
    expect(lines).toHaveLength(6); // the 0.00 row carries nothing
    expect(pick(lines, 'Claude Haiku 4.5', 'input')).toMatchObject({ day: '2026-08-04', amount_usd: '0.050000000000000', quantity: null, kind: 'cost', provider: 'anthropic' });
    expect(pick(lines, 'Claude Sonnet 4.5', 'cache_read')).toMatchObject({ amount_usd: '0.012345678901234', long_context: true });
    expect(pick(lines, 'Claude Sonnet 4.5', 'cache_write_1h')).toMatchObject({ amount_usd: '1.350000000000000', list_amount_usd: '1.500000000000000', long_context: false });
    expect(pick(lines, 'Claude Sonnet 4.5', 'other')).toMatchObject({ amount_usd: '0.100000000000000', description: 'web_search' });
  });

  it('Console cost CSV of 2024 (no context_window, list price or cost_type columns)', async () => {
    const { format, lines } = await load('anthropic-cost-2024.csv');
    expect(format).toBe('anthropic-cost-csv');
    expect(lines).toEqual([expect.objectContaining({ day: '2024-12-07', model: 'Claude Sonnet 4', token_class: 'output', amount_usd: '1.500000000000000' })]);
  });

  it('Console usage CSV: one line per class, hourly rows summed into the day, usage_type → tier', async () => {
    const { format, lines } = await load('anthropic-usage.csv');
    expect(format).toBe('anthropic-usage-csv');
    expect(pick(lines, 'claude-opus-5', 'input')).toMatchObject({ quantity: '46981', amount_usd: null, kind: 'usage' });
    expect(pick(lines, 'claude-opus-5', 'cache_write_5m').quantity).toBe('15969');
    expect(pick(lines, 'claude-opus-5', 'output').quantity).toBe('16932');
    expect(pick(lines, 'claude-haiku-4-5-20251001', 'input')).toMatchObject({ day: '2026-03-31', quantity: String(1_124_832 + 1_000), tier: 'batch' });
    expect(pick(lines, 'claude-haiku-4-5-20251001', 'output').quantity).toBe(String(254_558 + 100));
    expect(pick(lines, 'claude-haiku-4-5-20251001', 'cache_read').quantity).toBe('200');
    expect(lines.some((l) => l.model === 'claude-opus-5' && l.token_class === 'cache_read')).toBe(false); // zero counts are not lines
  });

  it('Admin API cost_report: amount in cents as a decimal string → exact dollars', async () => {
    const { format, lines } = await load('anthropic-cost-report.json');
    expect(format).toBe('anthropic-cost-json');
    expect(pick(lines, 'claude-sonnet-4-20250514', 'input')).toMatchObject({ day: '2025-08-01', amount_usd: '1.237891200000000' });
    expect(pick(lines, 'claude-sonnet-4-20250514', 'cache_write_1h')).toMatchObject({ amount_usd: '0.450000000000000', tier: 'batch', long_context: true });
    expect(pick(lines, 'claude-haiku-4-5-20251001', 'output').amount_usd).toBe('0.005000000000000');
    expect(pick(lines, null, 'other')).toMatchObject({ day: '2025-08-02', amount_usd: '10.000000000000000', description: 'Web Search' });
  });

  it('Admin API usage_report/messages: disjoint classes from the nested cache_creation object', async () => {
    const { format, lines } = await load('anthropic-usage-report.json');
    expect(format).toBe('anthropic-usage-json');
    const byClass = Object.fromEntries(lines.map((l) => [l.token_class, l.quantity]));
    expect(byClass).toEqual({ input: '1500', cache_read: '200', cache_write_5m: '500', cache_write_1h: '1000', output: '500' });
  });
});

describe('OpenAI', () => {
  it('dashboard cost CSV: model, piece, tier and long context parsed from line_item; empty days skipped', async () => {
    const { format, lines } = await load('openai-cost.csv');
    expect(format).toBe('openai-cost-csv');
    expect(lines).toHaveLength(5);
    expect(pick(lines, 'gpt-4.1-mini-2025-04-14', 'cache_read')).toMatchObject({ day: '2025-10-05', quantity: '5760', amount_usd: '0.000576000000000' });
    expect(pick(lines, 'gpt-4.1-mini-2025-04-14', 'input')).toMatchObject({ quantity: '53440', amount_usd: '0.123456789012345' });
    expect(pick(lines, 'gpt-5-mini', 'other')).toMatchObject({ tier: 'flex', amount_usd: '2.500000000000000' });
    expect(pick(lines, 'gpt-5.4-2026-03-05', 'output')).toMatchObject({ tier: 'priority', long_context: true, quantity: '20000' }); // 20 × 1000_tokens
    expect(pick(lines, null, 'other')).toMatchObject({ description: 'web search tool calls', quantity: null, amount_usd: '0.030000000000000' });
  });

  it('Costs API JSON: long decimal strings and numbers to exact dollars, unix bucket days, modality lines as other', async () => {
    const { format, lines } = await load('openai-costs.json');
    expect(format).toBe('openai-cost-json');
    expect(pick(lines, 'gpt-4o-mini-2024-07-18', 'input')).toMatchObject({ day: '2025-10-05', quantity: '30', amount_usd: '0.000004500000000' });
    expect(pick(lines, 'gpt-4o-mini-2024-07-18', 'output')).toMatchObject({ amount_usd: '0.060000000000000', tier: 'standard' });
    expect(pick(lines, 'gpt-audio-mini-2025-12-15', 'other')).toMatchObject({ day: '2025-10-06', amount_usd: '1.234567890123456' });
  });

  it('activity CSV: input includes cached tokens; float counts; batch flag → tier', async () => {
    const { format, lines } = await load('openai-usage.csv');
    expect(format).toBe('openai-usage-csv');
    expect(pick(lines, 'gpt-4o-2024-08-06', 'input').quantity).toBe(String(59_200 - 5_760));
    expect(pick(lines, 'gpt-4o-2024-08-06', 'cache_read').quantity).toBe('5760');
    expect(pick(lines, 'gpt-4o-2024-08-06', 'output').quantity).toBe('10646');
    expect(pick(lines, 'gpt-4o-mini-2024-07-18', 'input')).toMatchObject({ quantity: '1000', tier: 'batch' });
  });

  it('Usage API JSON: uncached, cached and cache-write split; service_tier flex', async () => {
    const { format, lines } = await load('openai-usage.json');
    expect(format).toBe('openai-usage-json');
    const byClass = Object.fromEntries(lines.map((l) => [l.token_class, l.quantity]));
    expect(byClass).toEqual({ input: '3000', cache_read: '1800', cache_write_5m: '200', output: '1000' });
    expect(lines.every((l) => l.tier === 'flex' && l.day === '2025-10-05')).toBe(true);
  });
});

describe('FOCUS and generic', () => {
  it('FOCUS 1.x CSV: BilledCost, token units scaled, token type from the SKU meter, taxes as other', async () => {
    const { format, lines } = await load('focus.csv');
    expect(format).toBe('focus-csv');
    expect(pick(lines, 'claude-sonnet-4-5', 'input')).toMatchObject({ provider: 'anthropic', quantity: '900000', amount_usd: '2.700000000000000', list_amount_usd: '3.000000000000000' });
    expect(pick(lines, 'claude-sonnet-4-5', 'cache_read')).toMatchObject({ quantity: '1000000', amount_usd: '0.300000000000000' });
    expect(pick(lines, null, 'other')).toMatchObject({ description: 'Sales tax', amount_usd: '1.000000000000000' });
  });

  it('generic CSV through a column mapping', async () => {
    const mapping = JSON.parse(readFileSync(join(FIXTURES, 'generic-mapping.json'), 'utf8')) as Record<string, string>;
    const { format, lines } = await load('generic.csv', { mapping });
    expect(format).toBe('generic-csv');
    expect(pick(lines, 'gpt-4.1', 'cache_read')).toMatchObject({ provider: 'openai', quantity: '1000000', amount_usd: '0.500000000000000' });
    expect(pick(lines, 'gpt-4.1', 'output').amount_usd).toBe('2.000000000100000');
  });
});
