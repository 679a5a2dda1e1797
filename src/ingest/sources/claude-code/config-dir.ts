/**
 * A Claude Code configuration directory (`~/.claude`, `~/.config/claude`, `$CLAUDE_CONFIG_DIR`):
 * its session logs are `projects/**\/*.jsonl`; everything else in it (settings.json, todos/,
 * statsig/, shell-snapshots/, plugins/, history.jsonl, …) is Claude Code's own state, not spans.
 * Recognised by a `projects` directory beside at least one of those entries, as ccusage reads it.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

const CONFIG_ENTRIES = [
  'settings.json', 'settings.local.json', '.credentials.json', 'CLAUDE.md', 'history.jsonl',
  'todos', 'statsig', 'shell-snapshots', 'ide', 'plugins', 'file-history', 'session-env', 'local', 'debug',
];

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The directory to list for span files under `dir`: its `projects` folder when `dir` is a config directory. */
export function claudeLogRoot(dir: string): string {
  const projects = join(dir, 'projects');
  if (!isDirectory(projects)) return dir;
  return CONFIG_ENTRIES.some((entry) => existsSync(join(dir, entry))) ? projects : dir;
}
