// OpenAI Usage API pages of every endpoint (fixtures shaped after the API reference's response
// examples, grouped by project, API key and model): each result is a usage line with its model,
// project and API key; token endpoints in token classes, the rest as `other` in their own unit.
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Database } from '../../src/db/database.js';
import { ingestInvoiceFiles } from '../../src/ingest/invoices/index.js';
import { ROOT } from '../helpers/cli.js';

const FIXTURES = join(ROOT, 'fixtures/invoices');
let db: Database;
beforeEach(async () => {
  db = await Database.open();
});
afterEach(() => db.close());

type Row = { model: string | null; token_class: string; quantity: string; kind: string; project: string; api_key: string | null; description: string | null; day: string };

async function lines(file: string): Promise<Row[]> {
  await ingestInvoiceFiles(db, [join(FIXTURES, file)]);
  return db.all<Row & Record<string, unknown>>(
    `SELECT model, token_class, quantity::VARCHAR AS quantity, kind, project, api_key, description, strftime(day, '%Y-%m-%d') AS day
     FROM invoice_lines ORDER BY model NULLS LAST, token_class, description`);
}

it('reads an embeddings page (refused before) as input tokens with its model, project and key', async () => {
  const rows = await lines('openai-usage-embeddings.json');
  expect(rows).toEqual([
    { model: 'text-embedding-3-small', token_class: 'input', quantity: '16', kind: 'usage', project: 'proj_abc', api_key: 'key_abc', description: null, day: '2024-11-01' },
  ]);
});

it('reads every endpoint: completions split, embeddings and moderations as input, the rest in their own unit', async () => {
  const rows = await lines('openai-usage-endpoints.json');
  expect(rows.map((r) => [r.model, r.token_class, r.quantity, r.description])).toEqual([
    ['dall-e-3', 'other', '2', 'images: images, 1024x1024, image.generation'],
    // 1000 input tokens include the 400 cached: 600 uncached
    ['gpt-4o-mini-2024-07-18', 'cache_read', '400', null],
    ['gpt-4o-mini-2024-07-18', 'input', '600', null],
    ['gpt-4o-mini-2024-07-18', 'output', '500', null],
    ['omni-moderation-latest', 'input', '16', null],
    ['text-embedding-3-small', 'input', '16', null],
    ['tts-1', 'other', '45', 'audio_speeches: characters'],
    ['whisper-1', 'other', '20', 'audio_transcriptions: seconds'],
    [null, 'other', '1', 'code_interpreter_sessions: num_sessions'],
    [null, 'other', '1024', 'vector_stores: usage_bytes'],
  ]);
  expect(new Set(rows.map((r) => r.project))).toEqual(new Set(['proj_abc']));
  expect(rows.filter((r) => r.model !== null).every((r) => r.api_key === 'key_abc' && r.kind === 'usage' && r.day === '2024-11-01')).toBe(true);
});
