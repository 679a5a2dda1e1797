/**
 * Span sources beyond OTLP and flat tables, each in its own folder: Claude Code session logs,
 * LiteLLM spend logs, Langfuse observation exports. A loader writes the source's records into the
 * raw span table (src/ingest/spans/raw-table.ts); validation, the input-token convention (fixed per
 * source, see SOURCE_CONVENTIONS), dedupe and tag resolution are then shared with every format.
 * OpenInference attributes inside OTLP spans are spellings in src/ingest/spans/attributes.ts.
 */
import type { Database } from '../../db/database.js';
import type { SpanFile } from '../spans/files.js';
import type { SourceFormat, SpanIngestOptions } from '../spans/types.js';
import { loadClaudeCode } from './claude-code/load.js';
import { loadLangfuse } from './langfuse/load.js';
import { loadLiteLlm } from './litellm/load.js';
import { dropRecords } from './records.js';
import type { SourceLoad } from './types.js';

export type { SourceLoad } from './types.js';

const SOURCE_FORMATS: ReadonlySet<string> = new Set<SourceFormat>(['claude-code', 'litellm', 'langfuse']);

export function isSourceFormat(format: string): format is SourceFormat {
  return SOURCE_FORMATS.has(format);
}

export async function loadSourceFile(
  db: Database,
  file: SpanFile & { format: SourceFormat },
  fileIdx: number,
  ridBase: number,
  options: SpanIngestOptions,
): Promise<SourceLoad> {
  const mapping = options.mapping ?? {};
  try {
    switch (file.format) {
      case 'claude-code':
        return await loadClaudeCode(db, file.path, file.files ?? [file.path], fileIdx, ridBase, options.skipInvalid === true);
      case 'litellm':
        return await loadLiteLlm(db, file.path, fileIdx, ridBase, mapping);
      case 'langfuse':
        return await loadLangfuse(db, file.path, fileIdx, ridBase, mapping);
      default:
        return file.format satisfies never;
    }
  } finally {
    await dropRecords(db);
  }
}
