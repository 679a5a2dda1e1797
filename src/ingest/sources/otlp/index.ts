/**
 * OTLP/JSON trace exports (ExportTraceServiceRequest per line, or one whole document; gzip by
 * extension), OpenTelemetry GenAI and OpenInference attributes alike (attributes.ts). Parsed in
 * worker threads (V8's JSON.parse beats DuckDB's reader on these large nested lines) and appended
 * in the coded raw layout; the workers and the appender stay open for every OTLP file of an ingest.
 */
import { RawAppender } from '../../spans/raw-appender.js';
import type { SpanSource } from '../source.js';
import { loadOtlpFile, type OtlpStreams } from './load.js';
import { defaultWorkerCount, OtlpParsePool } from './pool.js';

/** An OTLP request names its `resourceSpans` (`resource_spans`) near the start. */
const OTLP_HEAD = /"resource_?[sS]pans"/;

export const otlp: SpanSource = {
  name: 'otlp',
  format: 'otlp',
  detect: (head) => OTLP_HEAD.test(head.text),
  async load(ctx, file) {
    const workers = ctx.options.workers ?? defaultWorkerCount();
    const streams = await ctx.keepOpen<OtlpStreams>(
      'otlp',
      async () => ({ appender: await RawAppender.open(ctx.db), pool: new OtlpParsePool(workers), maxInFlight: workers * 2 + 1 }),
      async ({ appender, pool }) => {
        appender.close();
        await pool.close();
      },
    );
    return loadOtlpFile(ctx, file.path, streams);
  },
};
