/**
 * Streams one OTLP/JSON file (JSON Lines, or one whole document; gzip by extension) into the raw
 * table: the main thread reads and cuts whole lines into ~2 MB batches, the parse workers flatten
 * them while the main thread appends the batches before them, in file order (so row ids follow the
 * lines, whatever worker finishes first). At most `maxInFlight` batches are held, so memory stays
 * bounded whatever the file size.
 */
import { CostattrError } from '../../../errors.js';
import type { RawAppender } from '../../spans/raw-appender.js';
import { DEFAULT_INPUT_LIMITS, readInput } from '../input.js';
import type { SourceLoadContext, SourceLoadResult, SourceProblem } from '../source.js';
import type { FlatBatch } from './flatten.js';
import type { OtlpParsePool } from './pool.js';

/**
 * Bytes of lines per batch (the ~2 MB the reader cut before, two 1 MiB reads): each batch carries its
 * own profiles and dictionary, which the appender maps again. SpanIngestOptions.batchBytes overrides
 * it (tests force many batches).
 */
const BATCH_BYTES = 2 << 20;
const NEWLINE = 10;

export interface OtlpStreams {
  pool: OtlpParsePool;
  appender: RawAppender;
  maxInFlight: number;
}

function countNewlines(bytes: Uint8Array): number {
  let count = 0;
  let at = bytes.indexOf(NEWLINE);
  while (at >= 0) {
    count += 1;
    at = bytes.indexOf(NEWLINE, at + 1);
  }
  return count;
}

/** Copy parts into one standalone buffer (never Node's shared pool: it is transferred to a worker). */
function joinParts(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A pretty-printed document starts with a line that is only `{` or starts with `[`. */
function looksLikeDocument(head: Uint8Array): boolean {
  const text = new TextDecoder().decode(head.subarray(0, 4096));
  const firstLine = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return firstLine === '{' || firstLine.startsWith('[');
}

export async function loadOtlpFile(ctx: SourceLoadContext, path: string, streams: OtlpStreams): Promise<SourceLoadResult> {
  let records = 0;
  let rows = 0;
  const problems: SourceProblem[] = [];
  const namespaces = new Set<string>();
  const disk = { bytesRead: 0 }; // on-disk bytes read so far: the progress, gzip or not
  const absorb = (batch: FlatBatch): void => {
    streams.appender.append(ctx.fileIdx, ctx.ridBase + rows, batch);
    rows += batch.rows;
    records += batch.records;
    problems.push(...batch.problems);
    for (const ns of batch.candidates) namespaces.add(ns);
    ctx.onRecords(batch.records, disk.bytesRead);
  };
  // batches being parsed, in file order: the oldest is appended once the queue is full
  const queue: Promise<FlatBatch>[] = [];
  const dispatch = async (kind: 'lines' | 'document', bytes: Uint8Array, firstLine: number): Promise<void> => {
    const parsed = streams.pool.parse(kind, bytes, firstLine);
    parsed.catch(() => undefined); // a failed parse is thrown where it is awaited, in order
    queue.push(parsed);
    if (queue.length >= streams.maxInFlight) absorb(await (queue.shift() as Promise<FlatBatch>));
  };

  let parts: Uint8Array[] = [];
  let size = 0;
  let nextLine = 1;
  let mode: 'lines' | 'document' | undefined;
  const flush = async (): Promise<void> => {
    if (size === 0) return;
    const bytes = joinParts(parts, size);
    parts = [];
    size = 0;
    const firstLine = nextLine;
    nextLine += countNewlines(bytes);
    await dispatch('lines', bytes, firstLine);
  };

  const batchBytes = ctx.options.batchBytes ?? BATCH_BYTES;
  const limits = ctx.options.limits ?? DEFAULT_INPUT_LIMITS;
  for await (const chunk of readInput(path, limits, disk)) {
    mode ??= looksLikeDocument(chunk) ? 'document' : 'lines';
    if (mode === 'document') {
      parts.push(chunk);
      size += chunk.length;
      // a pretty-printed document is parsed whole: it is held to the bound of one line
      if (size > limits.lineBytes) throw new CostattrError('BAD_INPUT', `${path}:1: a JSON document longer than ${limits.lineBytes} bytes`, { hint: 'raise the limit with --input-limits line=…, or export JSON Lines' });
      continue;
    }
    // a batch ends at the first newline once it holds batchBytes
    let from = 0;
    while (from < chunk.length) {
      const enough = from + Math.max(0, batchBytes - size - 1);
      const cut = enough < chunk.length ? chunk.indexOf(NEWLINE, enough) : -1;
      if (cut < 0) {
        parts.push(chunk.subarray(from));
        size += chunk.length - from;
        break;
      }
      parts.push(chunk.subarray(from, cut + 1));
      size += cut + 1 - from;
      from = cut + 1;
      await flush();
    }
  }
  if (mode === 'document') await dispatch('document', joinParts(parts, size), 1);
  else await flush();
  for (const parsed of queue.splice(0)) absorb(await parsed);
  streams.appender.flush();
  return { records, rows, problems, namespaces };
}
