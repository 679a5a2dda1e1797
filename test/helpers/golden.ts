// Golden files: an output compared byte for byte with a committed file. `UPDATE_GOLDEN=1` rewrites
// the file from the output instead (then read the diff by hand before committing it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { expect } from 'vitest';

export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';

export function expectGolden(path: string, actual: string): void {
  if (UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  expect(existsSync(path), `${basename(path)} missing: run with UPDATE_GOLDEN=1 and check it by hand`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
