/**
 * A Claude Code configuration directory (`~/.claude`, `~/.config/claude`, `$CLAUDE_CONFIG_DIR`):
 * its session logs are `projects/**\/*.jsonl`; everything else in it (settings.json, todos/,
 * statsig/, shell-snapshots/, plugins/, history.jsonl, …) is Claude Code's own state, not spans.
 * Recognised by a `projects` directory beside at least one of those entries, as ccusage reads it;
 * with no path given (`--source claude-code`), found where ccusage looks for it.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CostattrError } from '../../../errors.js';

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

/**
 * The log directories of the Claude Code installations on this machine, as ccusage finds them:
 * each directory `$CLAUDE_CONFIG_DIR` lists (comma-separated), else both `$XDG_CONFIG_HOME/claude`
 * (`~/.config/claude`, the current default) and `~/.claude` (the older one); those holding a
 * `projects` directory, as their `projects` directory. None is exit 2 naming the places searched.
 */
export function defaultClaudeLogDirs(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string[] {
  const listed = (env.CLAUDE_CONFIG_DIR ?? '').split(',').map((dir) => dir.trim()).filter((dir) => dir !== '');
  const configDirs = listed.length > 0 ? listed : [join(env.XDG_CONFIG_HOME || join(home, '.config'), 'claude'), join(home, '.claude')];
  const searched = configDirs.map((dir) => join(dir, 'projects'));
  const found = searched.filter(isDirectory);
  if (found.length === 0) {
    throw new CostattrError('NOT_FOUND', `no Claude Code logs found: searched ${searched.join(', ')}`, {
      hint: listed.length > 0 ? 'check CLAUDE_CONFIG_DIR, or give the logs with --spans DIR' : 'set CLAUDE_CONFIG_DIR to the Claude Code config directory, or give the logs with --spans DIR',
    });
  }
  return [...new Set(found)];
}
