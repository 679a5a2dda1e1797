/**
 * Loading the price book: every built-in `pricing/*.json`, then `--pricing` override files merged
 * over it (same format; a row with the same model, tier, threshold and date replaces, others add).
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CostattrError, parseJsonDocument } from '../errors.js';
import { parsePriceBookFile, rowKey, type ModelEntry, type PriceBook, type PriceBookFile, type PriceRow } from './book.js';

/** The built-in book's folder: `pricing/` at the package root, from both `src/` and `dist/`. */
export const BUILT_IN_PRICING_DIR = fileURLToPath(new URL('../../pricing/', import.meta.url));

export async function loadPriceBook(overrideFiles: readonly string[]): Promise<PriceBook> {
  const names = (await readdir(BUILT_IN_PRICING_DIR)).filter((name) => name.endsWith('.json')).sort();
  const builtIn = await Promise.all(names.map((name) => readBookFile(`${BUILT_IN_PRICING_DIR}${name}`, `pricing/${name}`)));
  const overrides = await Promise.all(overrideFiles.map((file) => readBookFile(file, file)));
  return mergePriceBook(builtIn, overrides);
}

async function readBookFile(path: string, label: string): Promise<PriceBookFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CostattrError('BAD_INPUT', `${label}: cannot read price book file: ${(err as Error).message}`, { cause: err });
  }
  return parsePriceBookFile(label, parseJsonDocument(label, text, 'invalid JSON'));
}

type Draft = ModelEntry & { rows: Map<string, Omit<PriceRow, 'effectiveTo'>> };

/** Merge validated files: built-in first (a model defined twice is an error), then overrides in order. */
export function mergePriceBook(builtIn: readonly PriceBookFile[], overrides: readonly PriceBookFile[]): PriceBook {
  const models = new Map<string, Draft>();
  for (const file of builtIn) {
    for (const entry of file.models) {
      if (models.has(entry.model)) throw new CostattrError('BAD_INPUT', `${file.file}: model ${entry.model} is already defined by another price book file`);
      models.set(entry.model, { provider: entry.provider, model: entry.model, aliases: [...entry.aliases], rows: new Map(entry.rows.map((row) => [rowKey(row), row])) });
    }
  }
  for (const file of overrides) {
    for (const entry of file.models) {
      const existing = models.get(entry.model);
      if (!existing) {
        models.set(entry.model, { provider: entry.provider, model: entry.model, aliases: [...entry.aliases], rows: new Map(entry.rows.map((row) => [rowKey(row), row])) });
        continue;
      }
      if (existing.provider !== entry.provider) {
        throw new CostattrError('BAD_INPUT', `${file.file}: model ${entry.model} belongs to provider ${existing.provider}, not ${entry.provider}`);
      }
      existing.aliases = [...new Set([...existing.aliases, ...entry.aliases])];
      for (const row of entry.rows) existing.rows.set(rowKey(row), row);
    }
  }
  checkAliases([...models.values()]);
  return {
    models: [...models.values()].map(({ provider, model, aliases }) => ({ provider, model, aliases })),
    rows: withEffectiveTo([...models.values()].flatMap((m) => [...m.rows.values()])),
  };
}

/** Every name (canonical id or alias) must lead to exactly one model. */
function checkAliases(models: readonly ModelEntry[]): void {
  const owner = new Map<string, string>(models.map((m) => [m.model, m.model]));
  for (const m of models) {
    for (const alias of m.aliases) {
      const other = owner.get(alias);
      if (other !== undefined && other !== m.model) {
        throw new CostattrError('BAD_INPUT', `price book: name ${alias} refers to both ${other} and ${m.model}`, {
          hint: 'an override must use the canonical model id (see `costattr pricing list`)',
        });
      }
      owner.set(alias, m.model);
    }
  }
}

/** A row applies until the next row for the same (model, tier, min_input_tokens) starts. */
function withEffectiveTo(rows: ReadonlyArray<Omit<PriceRow, 'effectiveTo'>>): PriceRow[] {
  const sorted = [...rows].sort((a, b) =>
    a.model.localeCompare(b.model) || a.tier.localeCompare(b.tier) || a.minInputTokens - b.minInputTokens || a.effectiveFrom.localeCompare(b.effectiveFrom));
  return sorted.map((row, i) => {
    const next = sorted[i + 1];
    const sameSeries = next !== undefined && next.model === row.model && next.tier === row.tier && next.minInputTokens === row.minInputTokens;
    return { ...row, effectiveTo: sameSeries ? next.effectiveFrom : null };
  });
}
