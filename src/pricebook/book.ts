/**
 * The price book's shape, and validating one price-book file (built-in or `--pricing` override)
 * into it. Errors name the file and the JSON path of the bad field.
 */
import { createHash } from 'node:crypto';
import { TOKEN_CLASSES, type TokenClass } from '../db/schema.js';
import { CostattrError } from '../errors.js';
import { isRateString, MAX_PER_MTOK_FRACTION_DIGITS } from './decimal.js';

export const SERVICE_TIERS = ['standard', 'batch', 'flex', 'priority'] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** USD per million tokens, one exact decimal string per token class. */
export type RatesPerMtok = Record<TokenClass, string>;

export interface PriceRow {
  provider: string;
  model: string;
  tier: ServiceTier;
  /** 0, or the long-context threshold: the row prices a request whose total input is ≥ it. */
  minInputTokens: number;
  /** ISO date the row applies from (inclusive). */
  effectiveFrom: string;
  /** ISO date the next row for the same (model, tier, minInputTokens) starts; null = open. */
  effectiveTo: string | null;
  perMtok: RatesPerMtok;
  /** File the row came from. */
  source: string;
}

export interface ModelEntry {
  provider: string;
  /** Canonical model id. */
  model: string;
  /** Lowercased alternative names: dated snapshots, invoice display names. */
  aliases: string[];
}

export interface PriceBook {
  models: ModelEntry[];
  rows: PriceRow[];
}

/** One validated file, before merging (rows carry no effectiveTo yet). */
export interface PriceBookFile {
  file: string;
  provider: string;
  models: Array<ModelEntry & { rows: Array<Omit<PriceRow, 'effectiveTo'>> }>;
}

type Json = unknown;

function fail(file: string, path: string, problem: string): never {
  throw new CostattrError('BAD_INPUT', `${file}: ${path}: ${problem}`, {
    hint: 'see "Price book" in the README for the file format',
  });
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(file: string, path: string, value: Json): string {
  if (typeof value !== 'string' || value.trim().length === 0) fail(file, path, 'expected a non-empty string');
  return value.trim();
}

function isoDate(file: string, path: string, value: Json): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) fail(file, path, 'expected a date YYYY-MM-DD');
  const parsed = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) fail(file, path, `not a calendar date: ${value}`);
  return value;
}

function ratesOf(file: string, path: string, value: Json): RatesPerMtok {
  if (!isObject(value)) fail(file, path, `expected an object with ${TOKEN_CLASSES.join(', ')}`);
  for (const key of Object.keys(value)) {
    if (!(TOKEN_CLASSES as readonly string[]).includes(key)) fail(file, `${path}.${key}`, `unknown token class (expected one of ${TOKEN_CLASSES.join(', ')})`);
  }
  const rates = {} as RatesPerMtok;
  for (const cls of TOKEN_CLASSES) {
    const rate = value[cls];
    if (!isRateString(rate)) {
      fail(file, `${path}.${cls}`, `expected a decimal string (USD per million tokens, at most ${MAX_PER_MTOK_FRACTION_DIGITS} decimals), got ${JSON.stringify(rate)}`);
    }
    rates[cls] = rate;
  }
  return rates;
}

function tierOf(file: string, path: string, value: Json): ServiceTier {
  if (typeof value !== 'string' || !(SERVICE_TIERS as readonly string[]).includes(value)) {
    fail(file, path, `expected one of ${SERVICE_TIERS.join(', ')}`);
  }
  return value as ServiceTier;
}

function thresholdOf(file: string, path: string, value: Json): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(file, path, 'expected a non-negative integer');
  return value;
}

/** Validate one parsed price-book file. `file` is the name used in error messages. */
export function parsePriceBookFile(file: string, doc: Json): PriceBookFile {
  if (!isObject(doc)) fail(file, '$', 'expected an object {"provider", "models": [...]}');
  const provider = nonEmptyString(file, 'provider', doc.provider);
  if (!Array.isArray(doc.models)) fail(file, 'models', 'expected an array');
  const seenRows = new Set<string>();
  const models = doc.models.map((entry: Json, i: number) => {
    const at = `models[${i}]`;
    if (!isObject(entry)) fail(file, at, 'expected an object');
    const model = nonEmptyString(file, `${at}.model`, entry.model).toLowerCase();
    const aliasesJson = entry.aliases ?? [];
    if (!Array.isArray(aliasesJson)) fail(file, `${at}.aliases`, 'expected an array of strings');
    const aliases = aliasesJson.map((alias: Json, j: number) => nonEmptyString(file, `${at}.aliases[${j}]`, alias).toLowerCase());
    const pricesJson = entry.prices ?? [];
    if (!Array.isArray(pricesJson)) fail(file, `${at}.prices`, 'expected an array');
    const rows = pricesJson.map((price: Json, j: number) => {
      const rowAt = `${at}.prices[${j}]`;
      if (!isObject(price)) fail(file, rowAt, 'expected an object');
      const row = {
        provider,
        model,
        tier: tierOf(file, `${rowAt}.tier`, price.tier ?? 'standard'),
        minInputTokens: thresholdOf(file, `${rowAt}.min_input_tokens`, price.min_input_tokens),
        effectiveFrom: isoDate(file, `${rowAt}.effective_from`, price.effective_from),
        perMtok: ratesOf(file, `${rowAt}.per_mtok`, price.per_mtok),
        source: file,
      };
      const key = rowKey(row);
      if (seenRows.has(key)) fail(file, rowAt, `duplicate row for ${key}`);
      seenRows.add(key);
      return row;
    });
    return { provider, model, aliases, rows };
  });
  return { file, provider, models };
}

/** Identity of a price row: an override with the same key replaces it. */
export function rowKey(row: Pick<PriceRow, 'model' | 'tier' | 'minInputTokens' | 'effectiveFrom'>): string {
  return `${row.model} ${row.tier} min_input_tokens=${row.minInputTokens} from ${row.effectiveFrom}`;
}

/**
 * What the book prices by, as a hash: its rows (without the file they came from) and model names.
 * Stored beside prices computed at ingest (`pricing_state`), so a read with another book knows.
 */
export function priceBookHash(book: PriceBook): string {
  const rows = book.rows.map((row) => ({ ...row, source: undefined }));
  return createHash('sha256').update(JSON.stringify({ models: book.models, rows })).digest('hex');
}
