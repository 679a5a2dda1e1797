// The published JSON Schemas (schemas/*.schema.json) are written from the zod schemas of
// src/render/schemas (UPDATE_GOLDEN=1 rewrites them, like goldens), and the commands' JSON output
// satisfies them: the e2e goldens are the built CLI's stdout byte for byte (test/e2e/commands.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/render/json.js';
import { DOCUMENT_SCHEMAS, documentJsonSchema, type DocumentName } from '../../src/render/schemas/index.js';
import { ROOT } from '../helpers/cli.js';
import { expectGolden } from '../helpers/golden.js';

const GOLDEN = join(ROOT, 'test/e2e/golden');
const OUTPUTS: Record<DocumentName, string[]> = {
  costs: ['inbox/costs-by-tenant.json', 'inbox/costs-by-route-model.json', 'inbox/costs-by-day.json', 'inbox/costs-by-layer.json', 'costs-by-tenant.json'],
  reconcile: ['inbox/reconcile.json'],
  anomalies: ['inbox/anomalies.json'],
  guard: ['inbox/guard-policy.json'],
  diff: ['inbox/diff.json'],
};
const NAMES = Object.keys(DOCUMENT_SCHEMAS) as DocumentName[];
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')) as Record<string, unknown>;

describe('JSON Schemas', () => {
  it.each(NAMES)('schemas/%s.schema.json is the zod schema, as JSON Schema', (name) => {
    expectGolden(join(ROOT, 'schemas', `${name}.schema.json`), `${JSON.stringify(documentJsonSchema(name), null, 2)}\n`);
  });

  it.each(NAMES)('%s: the command\'s JSON output satisfies its schema', (name) => {
    for (const file of OUTPUTS[name]) {
      const parsed = DOCUMENT_SCHEMAS[name].safeParse(read(file));
      expect(parsed.error?.issues ?? [], file).toEqual([]);
    }
  });

  it('every document is versioned, and a missing, extra or mistyped key fails', () => {
    const doc = read('inbox/costs-by-tenant.json');
    expect(Object.keys(doc)[0]).toBe('schema_version');
    expect(doc.schema_version).toBe(SCHEMA_VERSION);
    const unversioned = Object.fromEntries(Object.entries(doc).filter(([key]) => key !== 'schema_version'));
    expect(DOCUMENT_SCHEMAS.costs.safeParse(unversioned).success).toBe(false);
    expect(DOCUMENT_SCHEMAS.costs.safeParse({ ...doc, extra: 1 }).success).toBe(false);
    expect(DOCUMENT_SCHEMAS.costs.safeParse({ ...doc, totals: { ...(doc.totals as object), cost_usd: '1.00' } }).success).toBe(false);
  });

  it('the JSON Schema files say the same: required keys and types', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/reconcile.schema.json'), 'utf8')) as {
      required: string[]; additionalProperties: boolean; properties: Record<string, { type?: string; const?: number }>;
    };
    expect(schema.required).toEqual(expect.arrayContaining(['schema_version', 'invoice_usd', 'lines', 'tenants', 'segments', 'portfolio', 'cache']));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.schema_version?.const).toBe(SCHEMA_VERSION);
    expect(schema.properties.invoice_usd?.type).toBe('number');
  });
});
