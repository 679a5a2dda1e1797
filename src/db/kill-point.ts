/**
 * Named points where the crash tests (test/crash/kill-points.test.ts) make costattr SIGKILL itself,
 * so every step of an ingest's commit can be interrupted on purpose. Inert unless the environment
 * variable COSTATTR_TEST_KILL_AT names the point: `<point>` kills there and then, `<point>@<ms>`
 * arms a timer so the kill lands while the work that follows (a COMMIT, a CHECKPOINT) is running
 * on DuckDB's threads. `parse-worker@<line>` instead ends an OTLP parse worker thread (not the
 * process) at the first batch it is given from that line on, as a crash of the worker would.
 */
const KILL_AT = 'COSTATTR_TEST_KILL_AT';

export type KillPoint = 'lake-staged' | 'lake-moved' | 'lake-published' | 'staged' | 'spans-written' | 'rollup-written' | 'invoices-written' | 'revenue-written' | 'marker-written' | 'commit' | 'committed' | 'checkpoint';

export function killPoint(point: KillPoint): void {
  const wanted = process.env[KILL_AT];
  if (wanted === undefined) return;
  const [name, delay] = wanted.split('@');
  if (name !== point) return;
  if (delay === undefined) process.kill(process.pid, 'SIGKILL');
  else setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(delay)).unref();
}

/** In an OTLP parse worker, before it parses the batch starting at `firstLine`. */
export function parseWorkerKillPoint(firstLine: number): void {
  const [name, line] = (process.env[KILL_AT] ?? '').split('@');
  if (name === 'parse-worker' && firstLine >= Number(line)) process.exit(70);
}
