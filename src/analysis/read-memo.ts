/**
 * What a read works out once. A read command's data cannot change once its inputs are loaded and its
 * price book installed (the workspace then settles it, `settleRead`), so an answer that is a pure
 * function of that data and of a key — whether the stored roll-ups are current, a period's totals —
 * is kept for the rest of the command instead of being asked again by every report section. An
 * engine that was never settled (an ingest, ClickHouse) computes every time.
 */
import type { SqlEngine } from '../db/engine.js';

const settled = new WeakMap<SqlEngine, Map<string, Promise<unknown>>>();

/** From now on `db`'s data is fixed: answers are kept (forgetting any kept before). */
export function settleRead(db: SqlEngine): void {
  settled.set(db, new Map());
}

/** `compute()`, once per key in a settled read; every time otherwise. */
export function onceInRead<T>(db: SqlEngine, key: string, compute: () => Promise<T>): Promise<T> {
  const kept = settled.get(db);
  if (kept === undefined) return compute();
  let answer = kept.get(key) as Promise<T> | undefined;
  if (answer === undefined) {
    answer = compute();
    kept.set(key, answer);
  }
  return answer;
}
