/**
 * Paths are literal: DuckDB's readers expand `*`, `?`, `[…]` and `{…}` in a path they are given, so
 * a file named `sp[1].csv` would be read as `sp1.csv`. A span file whose path holds such a character
 * is handed to its source through a symlink with a plain name (same extension) in a private
 * temporary directory; messages that name the link are given back the user's path.
 */
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { CostattrError } from '../../errors.js';
import type { SpanFile } from '../sources/source.js';

const GLOB_CHARACTERS = /[*?[\]{}]/;

export interface LiteralSpanFile {
  /** The file as its source should read it. */
  file: SpanFile;
  /** An error from reading it, naming the user's paths again. */
  restore(err: unknown): unknown;
  dispose(): void;
}

export function literalSpanFile(file: SpanFile): LiteralSpanFile {
  const globbed = [file.path, ...file.files].filter((p) => GLOB_CHARACTERS.test(p));
  if (globbed.length === 0) return { file, restore: (err) => err, dispose: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'costattr-literal-'));
  const links = new Map<string, string>();
  const link = (path: string): string => {
    if (!GLOB_CHARACTERS.test(path)) return path;
    let alias = links.get(path);
    if (alias === undefined) {
      alias = join(dir, `${links.size}-${basename(path).replace(/[*?[\]{}]/g, '_')}`);
      symlinkSync(resolve(path), alias);
      links.set(path, alias);
    }
    return alias;
  };
  const literal: SpanFile = { ...file, path: link(file.path), files: file.files.map(link) };
  return {
    file: literal,
    restore: (err) => {
      if (!(err instanceof CostattrError)) return err;
      let message = err.message;
      for (const [path, alias] of links) message = message.replaceAll(alias, path);
      return message === err.message ? err : new CostattrError(err.code, message, { hint: err.hint, exitCode: err.exitCode, cause: err });
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
