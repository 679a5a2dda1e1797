// Every price-book rate that litellm's price map also lists must agree with it (a typo in the book fails here).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKEN_CLASSES } from '../../src/db/schema.js';
import { loadPriceBook } from '../../src/pricebook/index.js';
import { ROOT } from '../helpers/cli.js';
import { litellmField, litellmKeys, type LitellmEntry } from './litellm.js';

const SUBSET = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/litellm-subset.json'), 'utf8')) as Record<string, LitellmEntry>;
const FULL_REFERENCE = join(ROOT, '../shared/reference/litellm-model-prices.json');

describe('price book vs litellm model_prices', () => {
  it('agrees on every current rate both list, and every book model is found there', async () => {
    const book = await loadPriceBook([]);
    const mismatches: string[] = [];
    let compared = 0;
    for (const model of book.models) {
      const entries = litellmKeys(model).filter((key) => key in SUBSET);
      expect(entries, `${model.model} has no litellm entry`).not.toHaveLength(0);
      // litellm holds today's list prices: compare the rows still in effect (superseded rows are history)
      for (const row of book.rows.filter((r) => r.model === model.model && r.effectiveTo === null)) {
        for (const cls of TOKEN_CLASSES) {
          const field = litellmField(row, cls);
          if (field === undefined) continue;
          for (const key of entries) {
            const perToken = SUBSET[key]?.[field];
            if (typeof perToken !== 'number') continue;
            compared += 1;
            const bookPerMtok = Number(row.perMtok[cls]);
            if (Math.abs(bookPerMtok - perToken * 1e6) > 1e-9) {
              mismatches.push(`${row.model} ${row.tier} ≥${row.minInputTokens} ${cls}: book ${row.perMtok[cls]}, litellm ${key}.${field} = ${perToken * 1e6}`);
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(400);
  });

  it.skipIf(!existsSync(FULL_REFERENCE))('uses a subset identical to the shared reference file', () => {
    const full = JSON.parse(readFileSync(FULL_REFERENCE, 'utf8')) as Record<string, LitellmEntry>;
    for (const [key, entry] of Object.entries(SUBSET)) {
      if (key === '_source') continue;
      for (const [field, value] of Object.entries(entry)) expect(full[key]?.[field], `${key}.${field}`).toEqual(value);
    }
  });
});
