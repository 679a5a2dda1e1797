/**
 * Which project (→ tenant) a Claude Code log belongs to, from its path: the directory right under
 * the nearest `projects` directory (`~/.claude/projects/<project>/<session>.jsonl`, also for
 * sub-agent logs deeper down); outside such a tree, the first directory under the path given, or
 * the directory holding the file.
 */
import { basename, dirname, relative, sep } from 'node:path';

export function projectOf(root: string, file: string): string {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('projects');
  if (at >= 0 && at + 2 < parts.length) return parts[at + 1] ?? 'unknown';
  const rel = relative(root, file).split(sep);
  if (rel.length > 1 && rel[0] !== '..' && rel[0] !== '') return rel[0] ?? 'unknown';
  return basename(dirname(file));
}
