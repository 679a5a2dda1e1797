/**
 * The ingest progress bar (cli-progress) on stderr: the share of the input's bytes read, megabytes,
 * spans read, their rate and the ETA. Only on a terminal and without `--quiet`: piped or redirected,
 * nothing is drawn at all.
 */
import { Presets, SingleBar } from 'cli-progress';
import type { IngestProgress } from '../ingest/spans/types.js';

export interface ProgressBar {
  update(progress: IngestProgress): void;
  stop(): void;
}

const MB = 1024 * 1024;

/** A bar on `stream` (a terminal), or undefined when there must be none. */
export function ingestProgressBar(options: { quiet?: boolean | undefined }, stream: NodeJS.WriteStream = process.stderr): ProgressBar | undefined {
  if (options.quiet || !stream.isTTY) return undefined;
  const bar = new SingleBar({
    stream,
    format: '{bar} {percentage}% | {read}/{size} MB | {spans} spans | {rate} spans/s | ETA {eta_formatted}',
    barsize: 24,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
    fps: 5,
  }, Presets.shades_classic);
  const started = Date.now();
  let running = false;
  const payload = (p: IngestProgress) => ({
    read: (p.bytes / MB).toFixed(1),
    size: (p.totalBytes / MB).toFixed(1),
    spans: p.records.toLocaleString('en-US'),
    rate: Math.round(p.records / Math.max(0.001, (Date.now() - started) / 1000)).toLocaleString('en-US'),
  });
  return {
    update(progress) {
      // an empty input still draws a whole bar rather than dividing by zero
      const total = Math.max(1, progress.totalBytes);
      if (!running) {
        bar.start(total, Math.min(progress.bytes, total), payload(progress));
        running = true;
      } else {
        bar.update(Math.min(progress.bytes, total), payload(progress));
      }
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
