// Span lakes the engine tests read: the inbox fixture (spans, both invoices, revenue) whose --db
// answers are the goldens, and a lake of two months (the interrupted run's spans, February's apart).
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli, tempDir } from './cli.js';
import { writeInterruptedRun } from './interrupted-run.js';

export const INBOX_FIXTURE = 'test/e2e/fixtures/inbox';

/** The commands every engine answers, each with its golden's name (test/e2e/golden/inbox, from the --db run). */
export const ENGINE_COMMANDS: ReadonlyArray<[golden: string, args: string[]]> = [
  ['reconcile', ['reconcile', '--month', '2026-10']],
  ['costs-by-tenant', ['costs', '--by', 'tenant']],
  ['costs-by-route-model', ['costs', '--by', 'route,model']],
  ['costs-by-day', ['costs', '--by', 'day']],
  ['costs-by-layer', ['costs', '--by', 'layer']],
  ['audit-acme', ['audit', '--tenant', 'acme']],
];

/** `costattr ingest` the inbox fixture into a new lake; returns its directory. */
export async function inboxLake(prefix: string): Promise<string> {
  const lake = join(tempDir(prefix), 'lake');
  const ingest = await runCli(['ingest', `${INBOX_FIXTURE}/spans.otlp.jsonl`, '--lake', lake, '--invoice', `${INBOX_FIXTURE}/anthropic-cost.csv`,
    '--invoice', `${INBOX_FIXTURE}/openai-cost.csv`, '--revenue', `${INBOX_FIXTURE}/revenue.csv`, '--quiet']);
  expect(ingest.code, ingest.stderr).toBe(0);
  return lake;
}

/** A lake whose spans table lies in two month partitions (January and February 2026); returns its directory. */
export async function twoMonthLake(prefix: string): Promise<string> {
  const dir = tempDir(prefix);
  const lake = join(dir, 'lake');
  const { earlier, run } = writeInterruptedRun(dir, '2026-02-03T04:05:06Z');
  for (const file of [earlier, run]) expect((await runCli(['ingest', file, '--lake', lake, '--quiet'])).code).toBe(0);
  return lake;
}
