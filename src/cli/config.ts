/**
 * `costattr.config.json` in the working directory supplies defaults for any option
 * (camelCase or kebab-case keys); flags given on the command line always win.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CostattrError, parseJsonDocument } from '../errors.js';

export const CONFIG_FILE = 'costattr.config.json';

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function readConfig(dir: string): Record<string, unknown> {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return {};
  const parsed = parseJsonDocument(path, readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CostattrError('BAD_INPUT', `${path}: expected a JSON object of option defaults`);
  }
  return parsed as Record<string, unknown>;
}

export function applyConfigDefaults(command: Command, dir: string): void {
  const config = readConfig(dir);
  const known = new Set(command.options.map((o) => o.attributeName()));
  for (const [rawKey, value] of Object.entries(config)) {
    const key = camel(rawKey);
    if (!known.has(key)) continue; // keys for other commands (e.g. anomaly thresholds) are read where used
    const source = command.getOptionValueSource(key);
    if (source === undefined || source === 'default') command.setOptionValueWithSource(key, value, 'config');
  }
}
