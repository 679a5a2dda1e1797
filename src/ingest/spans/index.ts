/**
 * Span ingest: each file, given to its source (src/ingest/sources/registry.ts), is loaded into the
 * raw table → validation → normalised staging → one transaction that dedupes, writes `ingests`,
 * inserts spans and resolves tags. The driver owns what sources share: the row ids each file
 * writes, the problems, the dedupe, the transaction and the report. A bad record stops the ingest
 * (the database is untouched) unless `skipInvalid` is set, in which case it is left out and reported.
 */
import { statSync } from 'node:fs';
import type { Database } from '../../db/database.js';
import { killPoint } from '../../db/kill-point.js';
import { quoteIdent } from '../../db/quote.js';
import { badInput, CostattrError } from '../../errors.js';
import type { SourceLoadContext, SourceLoadResult, SpanFile } from '../sources/source.js';
import { findConflicts } from './conflicts.js';
import { expandSpanPaths } from './files.js';
import { literalSpanFile } from './literal-paths.js';
import { boundIngestMemory } from './memory.js';
import { commitIngest, dropMergeTables, selectFreshSpans } from './merge.js';
import { resolveNamespace } from './namespace.js';
import { createNormaliseMacros, createStagingTable, dropInvalidStagedRows, normaliseIntoStaging, STAGE_TABLE, stagedProblems, uncountedSpans } from './normalise.js';
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

/**
 * Each file into the raw table through its source, each given the next free range of row ids; then
 * `normalise` (raw → staging), then the files whose source stages its own spans (SpanSource.stage),
 * appended to staging. Results are in file order.
 */
async function loadFiles(
  db: Database, files: readonly SpanFile[], options: SpanIngestOptions, normalise: (raw: readonly SourceLoadResult[]) => Promise<void>,
): Promise<SourceLoadResult[]> {
  const kept = new KeptOpen();
  const results: SourceLoadResult[] = [];
  const rawFirst = [...files.keys()].sort((a, b) => Number(files[a]?.source.stage !== undefined) - Number(files[b]?.source.stage !== undefined));
  let normalised = false;
  let ridBase = 1;
  let total = 0;
  // bytes on disk, for progress: the files done, plus what the current one's source says it has read
  const sizes = files.map((file) => file.files.reduce((sum, path) => sum + statSync(path).size, 0));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let doneBytes = 0;
  try {
    for (const fileIdx of rawFirst) {
      const file = files[fileIdx] as SpanFile;
      const stage = file.source.stage?.bind(file.source);
      if (stage && !normalised) {
        await normalise(results.filter((r) => r !== undefined));
        normalised = true;
      }
      let streamed = 0;
      const ctx: SourceLoadContext = {
        db,
        options,
        fileIdx,
        ridBase,
        onRecords: (records, bytesRead) => {
          streamed += records;
          options.onProgress?.({ file: file.path, records: total + streamed, bytes: doneBytes + (bytesRead ?? 0), totalBytes });
        },
        keepOpen: (key, open, close) => kept.keep(key, open, close),
      };
      const literal = literalSpanFile(file);
      let result: SourceLoadResult;
      try {
        result = stage ? await stage(ctx, literal.file, STAGE_TABLE) : await file.source.load(ctx, literal.file);
      } catch (err) {
        throw literal.restore(err);
      } finally {
        literal.dispose();
      }
      results[fileIdx] = result;
      ridBase += result.rows;
      total += result.records;
      doneBytes += sizes[fileIdx] ?? 0;
      options.onProgress?.({ file: file.path, records: total, bytes: doneBytes, totalBytes });
    }
    if (!normalised) await normalise(results);
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

/**
 * Ingest span files; `alsoCommit` runs inside the commit transaction after the spans are written
 * (the workspace loads invoices, revenue and the ingest marker there, so the run commits as one).
 */
/** Span files that hold no span at all: never an empty answer (exit 2), saying what was read. */
function noSpans(files: readonly SpanFile[], loaded: readonly SourceLoadResult[]): CostattrError {
  const read = files.map((f, idx) => `${f.path} (${f.source.format}${f.files.length > 1 ? `, ${f.files.length} files` : ''}, ${loaded[idx]?.rows ?? 0} rows)`);
  return new CostattrError('BAD_INPUT', `no spans in ${read.join(', ')}: nothing to load`, {
    hint: 'check that the files are the span export (OTLP/JSON, flat JSONL/CSV/Parquet, Claude Code, LiteLLM, Langfuse) and not empty',
  });
}

export async function ingestSpanFiles(db: Database, paths: string[], options: SpanIngestOptions = {}, alsoCommit?: () => Promise<void>): Promise<IngestReport> {
  const files = expandSpanPaths(paths, options.format ?? 'auto');
  const restoreMemory = options.userMemoryLimit ? async () => undefined : await boundIngestMemory(db);
  await createRawTable(db);
  await createCodedTables(db);
  try {
    await createNormaliseMacros(db);
    let namespace: string | null = null;
    const loaded = await loadFiles(db, files, options, async (raw) => {
      namespace = resolveNamespace(options.namespace, new Set(raw.flatMap((r) => [...(r.namespaces ?? [])])));
      await createStagingTable(db);
      // files whose source stages its own spans (the only ones, often) leave the raw table empty: its
      // two large statements would cost their planning alone (~80 ms) for no row
      if (raw.length > 0) await normaliseIntoStaging(db, options.convention ?? 'auto', namespace);
      await dropCodedTables(db);
      await db.exec(`DROP TABLE ${quoteIdent(RAW_TABLE)}`);
    });
    if (loaded.every((r) => r.records === 0)) throw noSpans(files, loaded);

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

    const conflicts = await findConflicts(db);
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
        conflicts: conflicts.byFile.get(idx) ?? 0,
      };
    });
    killPoint('staged');
    const ids = await commitIngest(db, specs, counts, namespace, alsoCommit);

    const report: IngestReport = {
      files: specs.map(({ path, format, dropped, conflicts: _conflicts, ...figures }, idx) => ({ path, format, ingestId: ids[idx] ?? 0, ...figures, ...(dropped ? { dropped } : {}) })),
      recordsRead: 0,
      loaded: 0,
      duplicates: 0,
      rejected: 0,
      problems: problems.map(({ file, line, row, field, message }) => ({ file, line, row, field, message })),
      namespace,
      conventions: {},
      ...(conflicts.first.length > 0 ? {
        conflicts: {
          count: [...conflicts.byFile.values()].reduce((a, b) => a + b, 0),
          first: conflicts.first.map((c) => ({ file: (files[c.fileIdx] as SpanFile).path, traceId: c.traceId, spanId: c.spanId })),
        },
      } : {}),
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
