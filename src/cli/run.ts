/**
 * How every command runs: flags checked, the workspace opened around the command's one analysis
 * (lazily imported, so start-up loads no DuckDB), its rendering emitted, a failed gate reported last.
 */
import type { Workspace, WorkspaceSpec } from '../app/workspace.js';
import type { Format } from '../render/formats.js';
import type { Rendering } from '../render/rendering.js';
import { formatOf } from './common.js';
import { emit } from './output.js';

export interface OutputFlags {
  format?: string;
  out?: string;
  quiet?: boolean;
}

/** Render and write a command's result; a failed gate is thrown after the output is out. */
export function deliver(rendering: Rendering, flags: OutputFlags, format: Format): void {
  emit(rendering, { format, out: flags.out, quiet: flags.quiet });
  if (rendering.failure) throw rendering.failure;
}

/** A command that needs no database: its body returns the rendering. */
export async function runCommand(flags: OutputFlags, formats: readonly Format[], body: () => Promise<Rendering>): Promise<void> {
  const format = formatOf(flags, formats);
  deliver(await body(), flags, format);
}

/** A command over a workspace: opened before the body, closed after it, whatever happens. */
export async function runInWorkspace(
  flags: OutputFlags,
  formats: readonly Format[],
  spec: WorkspaceSpec,
  body: (workspace: Workspace) => Promise<Rendering>,
): Promise<void> {
  const format = formatOf(flags, formats);
  const { withWorkspace } = await import('../app/workspace.js');
  deliver(await withWorkspace(spec, body), flags, format);
}
