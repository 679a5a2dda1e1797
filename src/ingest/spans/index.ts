/**
 * Span ingest: files (OTLP/JSON, flat JSONL/CSV/Parquet, the sources of src/ingest/sources) → raw table → validation → normalised
 * staging → one transaction that dedupes, writes `ingests`, inserts spans and resolves tags.
 * A bad record stops the ingest (the database is untouched) unless `skipInvalid` is set, in
 * which case it is left out and reported.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { badInput } from '../../errors.js';
import { isSourceFormat, loadSourceFile, type SourceLoad } from '../sources/index.js';
import { expandSpanPaths, type SpanFile } from './files.js';
import { loadFlatFile } from './flat-load.js';
import { commitIngest, dropMergeTables, selectFreshSpans } from './merge.js';
import { resolveNamespace } from './namespace.js';
import { createNormaliseMacros, dropInvalidStagedRows, normaliseIntoStaging, STAGE_TABLE, stagedProblems } from './normalise.js';
import { loadOtlpFile } from './otlp-load.js';
import { defaultWorkerCount, OtlpParsePool } from './otlp-pool.js';
import { RawAppender } from './raw-appender.js';
import { boundIngestMemory } from './memory.js';
import { createCodedTables, dropCodedTables } from './raw-coded.js';
import { createRawTable, RAW_TABLE } from './raw-table.js';
import type { IngestProblem, IngestReport, SpanIngestOptions } from './types.js';

export type { ConventionOverride, IngestProblem, IngestReport, SpanFormatOption, SpanIngestOptions, FileIngestReport, IngestProgress } from './types.js';
export { parseColumnMapping, readMappingFile } from './mapping.js';

interface LoadedFiles {
  records: number[];
  problems: Array<IngestProblem & { fileIdx: number }>;
  candidates: Set<string>;
  sources: Map<number, SourceLoad>;
}

function position(file: SpanFile, at: number): { line?: number; row?: number } {
  return file.format === 'parquet' ? { row: at } : { line: at };
}

async function loadAll(db: Database, files: SpanFile[], options: SpanIngestOptions): Promise<LoadedFiles> {
  const loaded: LoadedFiles = { records: files.map(() => 0), problems: [], candidates: new Set(), sources: new Map() };
  const appender = await RawAppender.open(db);
  const workers = options.workers ?? defaultWorkerCount();
  let pool: OtlpParsePool | undefined;
  let total = 0;
  try {
    for (const [idx, file] of files.entries()) {
      if (file.format === 'otlp') {
        pool ??= new OtlpParsePool(workers);
        const result = await loadOtlpFile(file.path, idx, {
          pool,
          appender,
          maxInFlight: workers * 2 + 1,
          onRecords: (n) => {
            total += n;
            options.onProgress?.({ file: file.path, records: total });
          },
        });
        loaded.records[idx] = result.records;
        for (const p of result.problems) loaded.problems.push({ fileIdx: idx, file: file.path, line: p.line, field: p.field, message: p.message });
        for (const ns of result.candidates) loaded.candidates.add(ns);
      } else if (isSourceFormat(file.format)) {
        appender.flush();
        const source = await loadSourceFile(db, { ...file, format: file.format }, idx, appender.nextRowId, options);
        appender.skip(source.rows + 1);
        loaded.records[idx] = source.records;
        loaded.sources.set(idx, source);
        total += source.records;
        options.onProgress?.({ file: file.path, records: total });
      } else {
        appender.flush();
        const ridBase = appender.nextRowId;
        const flat = await loadFlatFile(db, file.path, file.format, idx, ridBase, options.mapping ?? {});
        appender.skip(flat.records + 1);
        loaded.records[idx] = flat.records;
        for (const p of flat.problems) loaded.problems.push({ fileIdx: idx, file: file.path, ...p });
        total += flat.records;
        options.onProgress?.({ file: file.path, records: total });
      }
    }
  } finally {
    appender.close();
    await pool?.close();
  }
  return loaded;
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
    const loaded = await loadAll(db, files, options);
    const namespace = resolveNamespace(options.namespace, loaded.candidates);
    await normaliseIntoStaging(db, options.convention ?? 'auto', namespace);
    await dropCodedTables(db);
    await db.exec(`DROP TABLE ${quoteIdent(RAW_TABLE)}`);

    const invalid = await stagedProblems(db);
    const problems = [
      ...loaded.problems,
      ...invalid.map((p) => {
        const file = files[p.file_idx] as SpanFile;
        return { fileIdx: p.file_idx, file: file.path, ...position(file, p.line), field: p.field, message: p.message };
      }),
    ].sort((a, b) => a.fileIdx - b.fileIdx || (a.line ?? a.row ?? 0) - (b.line ?? b.row ?? 0));
    const first = problems[0];
    if (first && !options.skipInvalid) {
      throw badInput(first.file, { line: first.line, row: first.row }, first.field, first.message);
    }
    if (invalid.length > 0) await dropInvalidStagedRows(db);
    const rejected = files.map((_, idx) => problems.filter((p) => p.fileIdx === idx).length + (loaded.sources.get(idx)?.rejected ?? 0));

    const counts = await selectFreshSpans(db);
    const specs = files.map((file, idx) => ({
      path: file.path,
      format: file.format,
      recordsRead: loaded.records[idx] ?? 0,
      rejected: rejected[idx] ?? 0,
      dropped: loaded.sources.get(idx)?.dropped,
      duplicateRules: loaded.sources.get(idx)?.duplicateRules,
    }));
    const ids = await commitIngest(db, specs, counts, namespace);

    const report: IngestReport = {
      files: files.map((file, idx) => {
        const c = counts.get(idx) ?? { staged: 0, fresh: 0, conventions: {} };
        const source = loaded.sources.get(idx);
        const sourceDuplicates = (source?.duplicateRules ?? []).reduce((n, rule) => n + (source?.dropped[rule] ?? 0), 0);
        return {
          path: file.path,
          format: file.format,
          ingestId: ids[idx] ?? 0,
          recordsRead: loaded.records[idx] ?? 0,
          loaded: c.fresh,
          duplicates: c.staged - c.fresh + sourceDuplicates,
          rejected: rejected[idx] ?? 0,
          conventions: c.conventions,
          ...(source ? { dropped: source.dropped } : {}),
        };
      }),
      recordsRead: 0,
      loaded: 0,
      duplicates: 0,
      rejected: 0,
      problems: problems.map(({ file, line, row, field, message }) => ({ file, line, row, field, message })),
      namespace,
      conventions: {},
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
