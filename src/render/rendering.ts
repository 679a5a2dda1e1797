/**
 * What a command hands to the output layer: its result as text in each format it renders, and the
 * notes that go to stderr. Commands never branch on the format; the output layer picks one of these.
 */
import type { CostattrError } from '../errors.js';
import type { Format } from './formats.js';
import { renderJsonDocument } from './json.js';
import type { TableModel } from './model.js';
import { renderTableModels, type TableFormat } from './tables.js';

export interface RenderContext {
  color: boolean;
  /** Terminal columns a table must fit; undefined: every column (`--wide`, a file, a pipe). */
  width?: number | undefined;
}

export type Renderers = Partial<Record<Format, (context: RenderContext) => string>>;

export interface Rendering {
  renderers: Renderers;
  /** Lines for stderr after the data, by the format chosen (a table may already carry them). */
  notes?: (format: Format) => readonly string[];
  /** A file written beside the data (e.g. the pass-through bill), atomically, with a note. */
  files?: ReadonlyArray<{ path: string; text: string; note: string }>;
  /** When true an empty text writes nothing to stdout (and an empty --out file): a skipped PR comment. */
  emptyIsSilence?: boolean;
  /** A gate that failed on this result: reported after the output, exit 1. */
  failure?: CostattrError | undefined;
}

/** JSON: the document as the stable, two-space, versioned JSON every command prints. */
export function jsonRenderer(document: () => object): Renderers {
  return { json: () => renderJsonDocument(document()) };
}

/** table/md/csv from table models: CSV holds one table, so commands give it its own. */
export function tableRenderers(
  formats: readonly TableFormat[],
  models: (format: TableFormat) => readonly TableModel[],
): Renderers {
  const renderers: Renderers = {};
  for (const format of formats) renderers[format] = (context) => renderTableModels(models(format), format, context);
  return renderers;
}
