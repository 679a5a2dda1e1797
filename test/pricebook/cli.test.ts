// `costattr pricing list|check` end to end through the built CLI.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { insertSpans } from './spans.js';

const rates = (input: string, output: string) => ({ input, cache_read: input, cache_write_5m: input, cache_write_1h: input, output });

describe('costattr pricing list', () => {
  it('prints the rows in effect on a date as JSON, rates as written', async () => {
    const result = await runCli(['pricing', 'list', '--provider', 'openai', '--as-of', '2025-09-01', '--format', 'json']);
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { as_of: string; models: Array<{ model: string; prices: Array<{ tier: string; per_mtok: Record<string, string> }> }> };
    expect(list.as_of).toBe('2025-09-01');
    const gpt5 = list.models.find((m) => m.model === 'gpt-5');
    expect(gpt5?.prices.find((p) => p.tier === 'standard')?.per_mtok).toEqual({ input: '1.25', cache_read: '0.125', cache_write_5m: '1.25', cache_write_1h: '1.25', output: '10' });
    expect(list.models.map((m) => m.model)).not.toContain('gpt-5.5'); // first priced 2026-04-23
  });

  it('exits 2 naming the file and field of a malformed override', async () => {
    const file = join(tempDir(), 'bad.json');
    writeFileSync(file, JSON.stringify({ provider: 'acme', models: [{ model: 'm', prices: [{ effective_from: '2025-01-01', per_mtok: { ...rates('1', '1'), output: 2.5 } }] }] }));
    const result = await runCli(['pricing', 'list', '--pricing', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: models[0].prices[0].per_mtok.output: expected a decimal string`);
  });
});

describe('costattr pricing check', () => {
  let dbFile: string;
  beforeAll(async () => {
    dbFile = join(tempDir(), 'spans.duckdb');
    const db = await Database.open({ path: dbFile });
    await insertSpans(db, [
      { id: '1', model: 'claude-sonnet-4-5-20250929', input: 600, output: 400 },
      { id: '2', model: 'acme-llm-7b', input: 250, cacheRead: 50, output: 200 },
      { id: '3', model: 'gpt-4.1', tier: 'flex', input: 300, output: 200 },
    ]);
    db.close();
  });

  it('lists the unpriced models with reason, spans, tokens per class and share (exit 0)', async () => {
    const result = await runCli(['pricing', 'check', '--db', dbFile, '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { unpriced: unknown[]; priced_share: number; unpriced_spans: number };
    expect(report.unpriced_spans).toBe(2);
    expect(report.priced_share).toBe(0.5); // 1,000 of 2,000 tokens
    expect(report.unpriced).toEqual([
      { model: 'acme-llm-7b', provider: null, reason: 'unknown_model', spans: 1, input_tokens: 250, cache_read_tokens: 50, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 200, tokens: 500, token_share: 0.25 },
      { model: 'gpt-4.1', provider: null, reason: 'no_flex_rate', spans: 1, input_tokens: 300, cache_read_tokens: 0, cache_write_5m_tokens: 0, cache_write_1h_tokens: 0, output_tokens: 200, tokens: 500, token_share: 0.25 },
    ]);
    expect(result.stderr).toContain('cost totals are a lower bound');
  });

  it('prices a private model from a --pricing override', async () => {
    const file = join(tempDir(), 'private.json');
    writeFileSync(file, JSON.stringify({ provider: 'acme', models: [{ model: 'acme-llm-7b', prices: [{ effective_from: '2025-01-01', per_mtok: rates('0.1', '0.2') }] }] }));
    const result = await runCli(['pricing', 'check', '--db', dbFile, '--pricing', file, '--format', 'table']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('acme-llm-7b');
    expect(result.stdout).toContain('no_flex_rate');
  });
});
