/**
 * Span ingest: each file, given to its source (src/ingest/sources/registry.ts), is loaded into the
 * raw table → validation → normalised staging → one transaction that dedupes, writes `ingests`,
 * inserts spans and resolves tags. The driver owns what sources share: the row ids each file
 * writes, the problems, the dedupe, the transaction and the report. A bad record stops the ingest
 * (the database is untouched) unless `skipInvalid` is set, in which case it is left out and reported.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { badInput } from '../../errors.js';
import type { SourceLoadContext, SourceLoadResult, SpanFile } from '../sources/source.js';
import { expandSpanPaths } from './files.js';
import { boundIngestMemory } from './memory.js';
import { commitIngest, dropMergeTables, selectFreshSpans } from './merge.js';
import { resolveNamespace } from './namespace.js';
import { createNormaliseMacros, dropInvalidStagedRows, normaliseIntoStaging, STAGE_TABLE, stagedProblems, uncountedSpans } from './normalise.js';
import { createCodedTables, dropCodedTables } from './raw-coded.js';
import { createRawTable, RAW_TABLE } from './raw-table.js';
import type { IngestProblem, IngestReport, SpanIngestOptions } from './types.js';

export type { ConventionOverride, IngestProblem, IngestReport, SpanFormatOption, SpanIngestOptions, FileIngestReport, IngestProgress } from './types.js';
export { parseColumnMapping, readMappingFile } from '../sources/flat/mapping.js';

/** What sources keep open across the files of one ingest (SourceLoadContext.keepOpen), closed in the order opened. */
class KeptOpen {
  private readonly values = new Map<string, unknown>();
  private readonly closers: Array<() => Promise<void>> = [];

  async keep<T>(key: string, open: () => Promise<T>, close: (value: T) => Promise<void>): Promise<T> {
    if (this.values.has(key)) return this.values.get(key) as T;
    const value = await open();
    this.values.set(key, value);
    this.closers.push(() => close(value));
    return value;
  }

  async closeAll(): Promise<void> {
    for (const close of this.closers) await close();
  }
}

/** Each file into the raw table through its source, each given the next free range of row ids. */
async function loadFiles(db: Database, files: readonly SpanFile[], options: SpanIngestOptions): Promise<SourceLoadResult[]> {
  const kept = new KeptOpen();
  const results: SourceLoadResult[] = [];
  let ridBase = 1;
  let total = 0;
  try {
    for (const [fileIdx, file] of files.entries()) {
      let streamed = 0;
      const ctx: SourceLoadContext = {
        db,
        options,
        fileIdx,
        ridBase,
        onRecords: (records) => {
          streamed += records;
          options.onProgress?.({ file: file.path, records: total + streamed });
        },
        keepOpen: (key, open, close) => kept.keep(key, open, close),
      };
      const result = await file.source.load(ctx, file);
      results.push(result);
      ridBase += result.rows;
      total += result.records;
      options.onProgress?.({ file: file.path, records: total });
    }
  } finally {
    await kept.closeAll();
  }
  return results;
}

type FileProblem = IngestProblem & { fileIdx: number };

/** Where a problem is, in its file: a line, or a Parquet row. */
function problemAt(files: readonly SpanFile[], fileIdx: number, line: number, field: string | undefined, message: string): FileProblem {
  const file = files[fileIdx] as SpanFile;
  const at = file.source.position === 'row' ? { row: line } : { line };
  return { fileIdx, file: file.path, ...at, field, message };
}

async function dropWorkTables(db: Database): Promise<void> {
  await dropCodedTables(db);
  for (const t of [RAW_TABLE, STAGE_TABLE]) await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
  await dropMergeTables(db);
}

export async function ingestSpanFiles(db: Database, paths: string[], options: SpanIngestOptions = {}): Promise<IngestReport> {
  const files = expandSpanPaths(paths, options.format ?? 'auto');
  const restoreMemory = options.userMemoryLimit ? async () => undefined : await boundIngestMemory(db);
  await createRawTable(db);
  await createCodedTables(db);
  try {
    await createNormaliseMacros(db);
    const loaded = await loadFiles(db, files, options);
    const namespace = resolveNamespace(options.namespace, new Set(loaded.flatMap((r) => [...(r.namespaces ?? [])])));
    await normaliseIntoStaging(db, options.convention ?? 'auto', namespace);
    await dropCodedTables(db);
    await db.exec(`DROP TABLE ${quoteIdent(RAW_TABLE)}`);

    const invalid = await stagedProblems(db);
    const problems = [
      ...loaded.flatMap((r, idx) => (r.problems ?? []).map((p) => problemAt(files, idx, p.line, p.field, p.message))),
      ...invalid.map((p) => problemAt(files, p.file_idx, p.line, p.field, p.message)),
    ].sort((a, b) => a.fileIdx - b.fileIdx || (a.line ?? a.row ?? 0) - (b.line ?? b.row ?? 0));
    const first = problems[0];
    if (first && !options.skipInvalid) {
      throw badInput(first.file, { line: first.line, row: first.row }, first.field, first.message);
    }
    if (invalid.length > 0) await dropInvalidStagedRows(db);
    const uncounted = await uncountedSpans(db);

    const counts = await selectFreshSpans(db);
    const specs = files.map((file, idx) => {
      const r = loaded[idx] as SourceLoadResult;
      const c = counts.get(idx) ?? { staged: 0, fresh: 0, conventions: {} };
      const sourceDuplicates = (r.duplicateRules ?? []).reduce((n, rule) => n + (r.dropped?.[rule] ?? 0), 0);
      return {
        path: file.path,
        format: file.source.format,
        recordsRead: r.records,
        loaded: c.fresh,
        duplicates: c.staged - c.fresh + sourceDuplicates,
        rejected: problems.filter((p) => p.fileIdx === idx).length + (r.rejected ?? 0),
        conventions: c.conventions,
        dropped: r.dropped,
      };
    });
    const ids = await commitIngest(db, specs, counts, namespace);

    const report: IngestReport = {
      files: specs.map(({ path, format, dropped, ...figures }, idx) => ({ path, format, ingestId: ids[idx] ?? 0, ...figures, ...(dropped ? { dropped } : {}) })),
      recordsRead: 0,
      loaded: 0,
      duplicates: 0,
      rejected: 0,
      problems: problems.map(({ file, line, row, field, message }) => ({ file, line, row, field, message })),
      namespace,
      conventions: {},
      uncounted,
    };
    for (const f of report.files) {
      report.recordsRead += f.recordsRead;
      report.loaded += f.loaded;
      report.duplicates += f.duplicates;
      report.rejected += f.rejected;
      for (const [k, n] of Object.entries(f.conventions)) report.conventions[k] = (report.conventions[k] ?? 0) + n;
    }
    return report;
  } finally {
    await dropWorkTables(db);
    await restoreMemory();
  }
}
