/** The running costattr's version, from its package.json (recorded in snapshots, printed by --version). */
import { readFileSync } from 'node:fs';

export function costattrVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}
