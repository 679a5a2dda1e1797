/**
 * `costattr.config.json` against the program: every key must name an option some command has (or a
 * settings section); options given no value on the command line take theirs from it; flags win.
 */
import type { Command } from 'commander';
import { camelKey, runConfig, validateConfig } from '../app/config.js';
import { collect } from './common.js';

/** Every option attribute name of every command (and subcommand). */
function optionKeys(program: Command): Set<string> {
  const keys = new Set<string>();
  const visit = (cmd: Command): void => {
    for (const option of cmd.options) keys.add(option.attributeName());
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
  return keys;
}

export async function applyConfigDefaults(program: Command, command: Command, dir: string): Promise<void> {
  const config = runConfig(dir);
  await validateConfig(config, optionKeys(program), dir);
  const options = new Map(command.options.map((o) => [o.attributeName(), o]));
  for (const [rawKey, value] of Object.entries(config)) {
    const key = camelKey(rawKey);
    const option = options.get(key);
    if (option === undefined) continue; // keys for other commands (e.g. anomaly thresholds) are read where used
    const source = command.getOptionValueSource(key);
    // a repeatable option takes one value or a list from the file
    const given = option.parseArg === collect && !Array.isArray(value) ? [value] : value;
    if (source === undefined || source === 'default') command.setOptionValueWithSource(key, given, 'config');
  }
}
