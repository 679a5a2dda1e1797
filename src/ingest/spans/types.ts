/**
 * The span-ingest contract: options a caller passes, and the report every ingest returns
 * (totals, per-file figures, the problems it skipped, the namespace and conventions it applied).
 */
import type { InputLimits } from '../sources/input.js';

export type InputConvention = 'inclusive' | 'exclusive' | 'no_cache_counts';
export type ConventionOverride = 'auto' | 'inclusive' | 'exclusive';
/** `--format`: detected per file, or forced to one of the containers; the other sources are only ever detected. */
export type SpanFormatOption = 'auto' | 'otlp' | 'jsonl' | 'csv' | 'parquet';

export interface IngestProgress {
  file: string;
  /** Records (spans, or rows of a flat table) read so far in this ingest. */
  records: number;
  /** Bytes of the input files read so far (on disk, so compressed for `.gz`), and their total. */
  bytes: number;
  totalBytes: number;
}

export interface SpanIngestOptions {
  namespace?: string | undefined;
  convention?: ConventionOverride | undefined;
  skipInvalid?: boolean | undefined;
  format?: SpanFormatOption | undefined;
  /** canonical column ← source column, for flat tables. */
  mapping?: Record<string, string> | undefined;
  onProgress?: ((progress: IngestProgress) => void) | undefined;
  /** Worker threads parsing OTLP lines; default min(2, available cores). */
  workers?: number | undefined;
  /** Bytes of OTLP lines per parse batch (default ~1 MB); tests set it small to force many batches. */
  batchBytes?: number | undefined;
  /** The user chose DuckDB's memory_limit (`--memory-limit`): keep it instead of the ingest's own budget. */
  userMemoryLimit?: boolean | undefined;
  /** Bounds on each input file (`--input-limits`; src/ingest/sources/input.ts); defaults otherwise. */
  limits?: InputLimits | undefined;
}

/** One record left out under --skip-invalid (or the first one that stopped the ingest). */
export interface IngestProblem {
  file: string;
  line?: number;
  row?: number;
  field?: string;
  message: string;
}

export interface FileIngestReport {
  path: string;
  /** The format of the source that read it (src/ingest/sources/registry.ts): otlp, jsonl, claude-code, … */
  format: string;
  ingestId: number;
  recordsRead: number;
  loaded: number;
  duplicates: number;
  rejected: number;
  conventions: Record<string, number>;
  /** Records a source left out before staging, by rule (e.g. Claude Code streaming snapshots). */
  dropped?: Record<string, number>;
}

export interface IngestReport {
  files: FileIngestReport[];
  recordsRead: number;
  loaded: number;
  duplicates: number;
  rejected: number;
  problems: IngestProblem[];
  namespace: string | null;
  /** Inference spans loaded, by the input-token convention applied. */
  conventions: Record<string, number>;
  /** Copies of a (trace id, span id) already seen with different token counts: the first copy kept, these dropped (the first ones listed). */
  conflicts?: { count: number; first: Array<{ file: string; traceId: string; spanId: string }> } | undefined;
  /** Spans that name a model but carry no token counter costattr reads (priced at $0), and the counter-like attributes seen on them. */
  uncounted: { spans: number; attributes: string[] };
}
