/**
 * `costattr.config.json` in the working directory: option defaults for any command (camelCase or
 * kebab-case keys) and settings read where they are used (e.g. anomaly thresholds). Read once per run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closestNames } from '../analysis/closest.js';
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

/** `time-zone` and `timeZone` name the same option. */
export function camelKey(key: string): string {
  return key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Settings sections read where they are used, beside the option defaults. */
const SECTIONS = ['anomalies'];

/**
 * Refuse a key no command knows (a misspelt `"namespce"` would otherwise be ignored) and a value of
 * the wrong shape, naming the key and the file.
 */
export async function validateConfig(config: Config, optionKeys: ReadonlySet<string>, dir: string = process.cwd()): Promise<void> {
  if (Object.keys(config).length === 0) return;
  const path = join(dir, CONFIG_FILE);
  const known = [...optionKeys, ...SECTIONS];
  for (const key of Object.keys(config)) {
    if (known.includes(camelKey(key))) continue;
    const closest = closestNames(camelKey(key), known, 1)[0];
    throw new CostattrError('BAD_INPUT', `${path}: unknown key "${key}"`, { hint: closest ? `did you mean "${closest}"?` : 'see the README for the option names' });
  }
  const { z } = await import('zod'); // only when there is a config file: start-up stays light
  const value = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())], { error: 'expected a string, a number, true/false or a list of strings' });
  const section = z.record(z.string(), z.unknown(), { error: 'expected an object' });
  const schema = z.object({
    ...Object.fromEntries([...optionKeys].map((k) => [k, value.optional()])),
    ...Object.fromEntries(SECTIONS.map((k) => [k, section.optional()])),
  });
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(config).map(([k, v]) => [camelKey(k), v])));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CostattrError('BAD_INPUT', `${path}: key "${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid value'}`);
  }
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
