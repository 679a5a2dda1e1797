/** Options given no value on the command line take theirs from `costattr.config.json`; flags always win. */
import type { Command } from 'commander';
import { runConfig } from '../app/config.js';

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function applyConfigDefaults(command: Command, dir: string): void {
  const known = new Set(command.options.map((o) => o.attributeName()));
  for (const [rawKey, value] of Object.entries(runConfig(dir))) {
    const key = camel(rawKey);
    if (!known.has(key)) continue; // keys for other commands (e.g. anomaly thresholds) are read where used
    const source = command.getOptionValueSource(key);
    if (source === undefined || source === 'default') command.setOptionValueWithSource(key, value, 'config');
  }
}
