// The ingest progress bar: drawn on a terminal with bytes, spans, rate and ETA; absent with --quiet,
// when stderr is not a terminal, and so in the piped CLI; fed by the driver with the input's bytes.
import { statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { withWorkspace } from '../../src/app/workspace.js';
import { ingestProgressBar } from '../../src/cli/progress.js';
import type { IngestProgress } from '../../src/ingest/spans/types.js';
import { runCli, tempDir } from '../helpers/cli.js';

const SPANS = 'test/e2e/fixtures/inbox/spans.otlp.jsonl';

/** A stream that says it is a terminal, keeping what is drawn on it. */
function terminal(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream;
  const chunks: Buffer[] = [];
  (stream as unknown as PassThrough).on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('ingest progress bar', () => {
  it('draws the share of bytes, megabytes, spans, their rate and the ETA on a terminal', () => {
    const { stream, text } = terminal(true);
    const bar = ingestProgressBar({}, stream);
    bar?.update({ file: 'a.jsonl', records: 12_345, bytes: 3 * 1024 * 1024, totalBytes: 12 * 1024 * 1024 });
    bar?.stop();
    expect(text()).toMatch(/25% \| 3\.0\/12\.0 MB \| 12,345 spans \| [\d,]+ spans\/s \| ETA /);
  });

  it('is absent under --quiet and when stderr is not a terminal', () => {
    expect(ingestProgressBar({ quiet: true }, terminal(true).stream)).toBeUndefined();
    expect(ingestProgressBar({}, terminal(false).stream)).toBeUndefined();
  });

  it('is fed the bytes of the input on disk, to the whole file', async () => {
    const seen: IngestProgress[] = [];
    await withWorkspace({ access: 'read', spans: [SPANS], spanOptions: { onProgress: (p) => seen.push(p) }, note: () => undefined }, async () => undefined);
    const size = statSync(SPANS).size;
    expect(seen.at(-1)).toEqual({ file: SPANS, records: 262, bytes: size, totalBytes: size });
    expect(seen.every((p, i) => p.totalBytes === size && p.bytes >= (seen[i - 1]?.bytes ?? 0))).toBe(true);
  });

  it('draws nothing in a piped `costattr ingest` without --quiet', async () => {
    const result = await runCli(['ingest', SPANS, '--db', `${tempDir()}/p.duckdb`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^loaded 261 spans from 1 files/m); // the notes are there
    expect(result.stderr).not.toMatch(/\r|\x1b|spans\/s|ETA|MB/); // eslint-disable-line no-control-regex
  });
});
