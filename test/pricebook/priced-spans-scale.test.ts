// priced_spans money at the edges of its fast path (whole 10⁻¹⁵ USD in BIGINT) and the frozen
// (materialised) price bands: figures worked out here from token counts × list prices per MTok.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { installPriceBook, loadPriceBook, materialisePricedSpans } from '../../src/pricebook/index.js';
import { tempDir } from '../helpers/cli.js';
import { exact, insertSpans, pricedById, type TestSpan } from './spans.js';

let db: Database | undefined;
afterEach(() => db?.close());

async function open(files: string[] = []): Promise<Database> {
  db = await Database.open();
  await installPriceBook(db, await loadPriceBook(files));
  return db;
}

const COST_COLUMNS = ['cost_input', 'cost_cache_read', 'cost_cache_write_5m', 'cost_cache_write_1h', 'cost_output', 'cost_usd'] as const;

describe('priced_spans money beyond the BIGINT fast path', () => {
  it('prices token counts whose cost overflows 64 bits of 10⁻¹⁵ USD exactly (Sonnet 4.5, $15/MTok output)', async () => {
    const d = await open();
    // 10¹² output tokens × $15/MTok = $15,000,000 = 1.5·10²² femto-USD, past 9.2·10¹⁸
    await insertSpans(d, [
      { id: 'huge', model: 'claude-sonnet-4-5', input: 1000, output: 1_000_000_000_000 },
      { id: 'small', model: 'claude-sonnet-4-5', input: 1000, output: 1000 },
    ]);
    const rows = await pricedById(d);
    expect(exact(rows.get('huge')?.cost_output)).toBe('15000000');
    expect(exact(rows.get('huge')?.cost_input)).toBe('0.003'); // 1000 × 3 / 1e6, still the fast path
    expect(exact(rows.get('huge')?.cost_usd)).toBe('15000000.003');
    expect(exact(rows.get('small')?.cost_usd)).toBe('0.018'); // 1000 × 3 + 1000 × 15 micro-dollars
    const sum = await d.one<{ total: string }>('SELECT sum(cost_usd)::VARCHAR AS total FROM priced_spans');
    expect(exact(sum?.total)).toBe('15000000.021');
  });

  it('prices a rate too large for 10⁻¹⁵ USD in a BIGINT ($20,000 per token) exactly', async () => {
    const file = join(tempDir('pricebook-'), 'override.json');
    writeFileSync(file, JSON.stringify({
      provider: 'acme',
      models: [{ model: 'acme-oracle', aliases: [], prices: [{ effective_from: '2025-01-01', tier: 'standard',
        per_mtok: { input: '20000000000', cache_read: '0.1', cache_write_5m: '1', cache_write_1h: '2', output: '4' } }] }],
    }));
    const d = await open([file]);
    await insertSpans(d, [{ id: 'a', model: 'acme-oracle', input: 3, cacheRead: 7, output: 5 }]);
    const row = (await pricedById(d)).get('a');
    expect(exact(row?.cost_input)).toBe('60000'); // 3 × $20,000
    expect(exact(row?.cost_cache_read)).toBe('0.0000007'); // 7 × 0.1 / 1e6
    expect(exact(row?.cost_usd)).toBe('60000.0000207'); // + 5 × 4 / 1e6
  });
});

describe('materialisePricedSpans', () => {
  const spans: TestSpan[] = [
    { id: '1-sonnet', model: 'claude-sonnet-4-5-20250929', input: 1000, cacheRead: 2000, cacheWrite5m: 3000, cacheWrite1h: 4000, output: 500 },
    { id: '2-long', model: 'claude-sonnet-4-5', input: 150_000, cacheRead: 60_000, output: 1000 },
    { id: '3-batch', model: 'anthropic/claude-haiku-4-5', tier: 'batch', input: 1000, output: 1000 },
    { id: '4-unknown', model: 'mystery-model', input: 10 },
    { id: '5-before', model: 'o3-2025-04-16', start: '2025-06-09 23:59:59', input: 1_000_000, output: 1_000_000 },
    { id: '6-after', model: 'o3', start: '2025-06-10 00:00:00', input: 1_000_000, output: 1_000_000 },
    { id: '7-no-model', model: null, input: 5 },
  ];

  it('gives the same rows as the live view, column for column', async () => {
    const d = await open();
    await insertSpans(d, spans);
    const live = await pricedById(d);
    await materialisePricedSpans(d);
    const frozen = await pricedById(d);
    expect([...frozen.entries()]).toEqual([...live.entries()]);
    // hand-checked anchors: Sonnet 4.5 list $3/$0.30/$3.75/$6/$15; over 200k input $6/$0.60/…/$22.50; o3 cut 2025-06-10
    expect(exact(frozen.get('1-sonnet')?.cost_usd)).toBe('0.04635');
    expect(frozen.get('2-long')).toMatchObject({ long_context: true, priced: true });
    expect(exact(frozen.get('2-long')?.cost_usd)).toBe('0.9585'); // 150000 × 6 + 60000 × 0.6 + 1000 × 22.5 micro-dollars
    expect(exact(frozen.get('3-batch')?.cost_usd)).toBe('0.003'); // batch Haiku 4.5: 1000 × 0.5 + 1000 × 2.5
    expect(frozen.get('4-unknown')).toMatchObject({ priced: false, unpriced_reason: 'unknown_model', model: 'mystery-model' });
    expect(exact(frozen.get('5-before')?.cost_usd)).toBe('50');
    expect(exact(frozen.get('6-after')?.cost_usd)).toBe('10');
    for (const column of COST_COLUMNS) expect(exact(frozen.get('4-unknown')?.[column])).toBe('0');
  });
});
