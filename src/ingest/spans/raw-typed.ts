/**
 * Typed raw relations: a source whose reader already yields typed columns (a flat Parquet table)
 * does not copy its rows into the raw table. It registers a view over its file shaped like the raw
 * table (text columns, integers in their typed twins, see RAW_NUMBER_COLUMNS), the raw view
 * (raw-coded.ts) unions it in, and the normaliser reads the file in place, straight into staging.
 * The file is read when the normaliser runs: a reader error then names the file (exit 2).
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { CostattrError } from '../../errors.js';

const TYPED_PREFIX = 'costattr_span_typed_';

/** Per database: view name → the file it reads, as the source named it. */
const registered = new WeakMap<Database, Map<string, string>>();

/** Register `select` (columns exactly those of the raw view, in order) as the rows of file `fileIdx`, read from `path`. */
export async function addTypedRelation(db: Database, fileIdx: number, path: string, select: string): Promise<void> {
  const view = `${TYPED_PREFIX}${fileIdx}`;
  await db.exec(`CREATE OR REPLACE TEMP VIEW ${quoteIdent(view)} AS ${select}`);
  const views = registered.get(db) ?? new Map<string, string>();
  views.set(view, path);
  registered.set(db, views);
}

/** The views registered so far. */
export function typedRelations(db: Database): string[] {
  return [...(registered.get(db)?.keys() ?? [])];
}

export async function dropTypedRelations(db: Database): Promise<void> {
  for (const view of typedRelations(db)) await db.exec(`DROP VIEW IF EXISTS ${quoteIdent(view)}`);
  registered.delete(db);
}

/** Run `work` (which reads the typed relations); a reader's error naming one of their files becomes a usage error. */
export async function readingTypedRelations<T>(db: Database, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const message = err instanceof Error ? err.message : '';
    const path = [...(registered.get(db)?.values() ?? [])].find((p) => message.includes(p));
    if (path === undefined || err instanceof CostattrError) throw err;
    throw new CostattrError('BAD_INPUT', `${path}: cannot read: ${message.split('\n')[0] ?? ''}`, { cause: err });
  }
}
