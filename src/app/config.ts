/**
 * `costattr.config.json` in the working directory: option defaults for any command (camelCase or
 * kebab-case keys) and settings read where they are used (e.g. anomaly thresholds). Read once per run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CostattrError, parseJsonDocument } from '../errors.js';

export const CONFIG_FILE = 'costattr.config.json';

export type Config = Readonly<Record<string, unknown>>;

const loaded = new Map<string, Config>();

export function readConfig(dir: string): Config {
  const path = join(dir, CONFIG_FILE);
  if (!existsSync(path)) return {};
  const parsed = parseJsonDocument(path, readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CostattrError('BAD_INPUT', `${path}: expected a JSON object of option defaults`);
  }
  return parsed as Config;
}

/** The configuration of this run: the file in `dir`, read the first time it is asked for. */
export function runConfig(dir: string = process.cwd()): Config {
  let config = loaded.get(dir);
  if (config === undefined) {
    config = readConfig(dir);
    loaded.set(dir, config);
  }
  return config;
}
