/**
 * Writes demo runs as the OpenTelemetry Collector file exporter does: JSON Lines, one
 * `ExportTraceServiceRequest` (`{"resourceSpans":[…]}`) per batch of spans, through the atomic writer.
 */
import { AtomicFile } from '../app/atomic-file.js';
import { SERVICE_NAME, type DemoRun } from './trace-builder.js';

export const SPANS_PER_BATCH = 500;

const RESOURCE = JSON.stringify({
  attributes: [
    { key: 'service.name', value: { stringValue: SERVICE_NAME } },
    { key: 'deployment.environment.name', value: { stringValue: 'production' } },
  ],
});
const SCOPE = JSON.stringify({ name: 'acme.inbox-agent', version: '2.3.0' });
const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.41.0';

function batchLine(spans: readonly string[]): string {
  return `{"resourceSpans":[{"resource":${RESOURCE},"scopeSpans":[{"scope":${SCOPE},"spans":[${spans.join(',')}]}],"schemaUrl":"${SCHEMA_URL}"}]}\n`;
}

/** Write `runs` (already in export order) to `path`; returns the number of spans written. */
export function writeOtlpJsonLines(path: string, runs: readonly DemoRun[]): number {
  const file = new AtomicFile(path);
  let batch: string[] = [];
  let written = 0;
  try {
    for (const run of runs) {
      for (const span of run.spans) {
        batch.push(span);
        if (batch.length === SPANS_PER_BATCH) {
          file.write(batchLine(batch));
          written += batch.length;
          batch = [];
        }
      }
    }
    if (batch.length > 0) {
      file.write(batchLine(batch));
      written += batch.length;
    }
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
  return written;
}
