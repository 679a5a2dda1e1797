/**
 * The contract between a span source (one folder here) and the span ingest (src/ingest/spans): a
 * source recognises its files from their head and loads one file (or log tree) into the raw span
 * table, or (its fast path) writes the spans already normalised. The ingest owns everything around that: which row ids a file gets, validation and
 * normalisation, dedupe, the one transaction and the report.
 */
import type { Database } from '../../db/database.js';
import type { InputConvention, SpanIngestOptions } from '../spans/types.js';
import type { FileHead } from './head.js';

export interface SpanSource {
  /** The `source` its spans carry (flat tables of every format share one). */
  readonly name: string;
  /** What `ingests.format` and the report say of a file it loaded; `--format` names the ones it may force. */
  readonly format: string;
  /** The input-token convention all its spans follow, applied ahead of --convention; absent: judged per span. */
  readonly convention?: InputConvention;
  /** Its files found under one path are loaded together, as one entry named by that path (a log tree in one scan). */
  readonly readsTree?: boolean;
  /** What the raw `line` of its rows counts, when not the file's lines: Parquet's rows. */
  readonly position?: 'line' | 'row';
  /** Whether the file is this source's; the registry's order settles which of several claimants wins. */
  detect(head: FileHead): boolean;
  load(ctx: SourceLoadContext, file: SpanFile): Promise<SourceLoadResult>;
  /**
   * The fast path of a source whose records need none of the generic normaliser's judgement (and
   * carry no custom attributes): insert the file's spans already normalised into the staging table
   * `table` (columns of `spans` with tags unresolved, plus `rid`, `line` and `problem` as
   * `field|message`), past the raw table and its normaliser. Used instead of `load` when present;
   * such files load after every other file is normalised, so staging exists.
   */
  stage?(ctx: SourceLoadContext, file: SpanFile, table: string): Promise<SourceLoadResult>;
}

/** One entry of an ingest: a file, or a log tree read as one. */
export interface SpanFile {
  path: string;
  source: SpanSource;
  /** The files it reads: the path itself, or the logs found under it. */
  files: readonly string[];
}

export interface SourceLoadContext {
  readonly db: Database;
  readonly options: SpanIngestOptions;
  /** The entry's index in this ingest: every raw row the source writes carries it as `file_idx`. */
  readonly fileIdx: number;
  /** The source's rows take the ids ridBase, ridBase + 1, …, ridBase + rows - 1 (`rows` as it reports). */
  readonly ridBase: number;
  /**
   * `records` more read (for progress), from a source that streams a large file, and `bytesRead` of
   * the file on disk so far when it knows; the driver counts the rest when it returns.
   */
  onRecords(records: number, bytesRead?: number): void;
  /**
   * Something a source keeps open across the files of one ingest (OTLP's parse workers): opened on
   * the first call with `key`, the same value after, closed when the ingest has loaded every file.
   */
  keepOpen<T>(key: string, open: () => Promise<T>, close: (value: T) => Promise<void>): Promise<T>;
}

/** A record the source could not take, at its line (or row). */
export interface SourceProblem {
  line: number;
  field?: string | undefined;
  message: string;
}

export interface SourceLoadResult {
  /** Records the file holds (Claude Code: assistant messages with usage, before dedupe). */
  records: number;
  /** Rows written to the raw span table. */
  rows: number;
  /** Records left out as unreadable, each named: one stops the ingest unless skipInvalid. */
  problems?: readonly SourceProblem[];
  /** Records left out as unreadable without a name (Claude Code's malformed lines, under skipInvalid only). */
  rejected?: number;
  /** Records left out before staging, by rule. */
  dropped?: Readonly<Record<string, number>>;
  /** The rules in `dropped` that remove duplicates (the rest, e.g. ignored models, are not). */
  duplicateRules?: readonly string[];
  /** Custom attribute namespaces seen carrying tenant/user/task/route keys. */
  namespaces?: Iterable<string>;
}
