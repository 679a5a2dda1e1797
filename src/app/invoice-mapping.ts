/** A generic-CSV invoice column mapping file: `{"day": "Date", "amount_usd": "Cost", …}`. */
import { readFileSync } from 'node:fs';
import { CostattrError } from '../errors.js';

export function readInvoiceMapping(path: string | undefined): Record<string, string> | undefined {
  if (path === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${path}: cannot read the invoice mapping: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Object.values(doc).every((v) => typeof v === 'string')) {
    throw new CostattrError('BAD_INPUT', `${path}: expected an object {"canonical column": "source column", …}`);
  }
  return doc as Record<string, string>;
}
