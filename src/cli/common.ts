/**
 * Options every analysis command shares, and turning them into an open database with the price
 * book installed: either `--db FILE` made by `ingest`, or `--spans …` loaded into memory.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Database } from '../db/database.js';
import { CostattrError } from '../errors.js';
import { ingestSpanFiles } from '../ingest/spans/index.js';
import { installPriceBook, loadPriceBook, materialisePricedSpans } from '../pricebook/index.js';
import { parsePeriod, type Period } from '../analysis/period.js';

export const FORMATS = ['table', 'json', 'csv', 'md', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface InputOptions {
  db?: string;
  spans?: string[];
  namespace?: string;
  pricing?: string[];
  since?: string;
  until?: string;
  month?: string;
  timezone?: string;
  format?: string;
  out?: string;
  quiet?: boolean;
}

/** The input, period and output options; `formats` are the output formats this command renders. */
export function addInputOptions(cmd: Command, formats: readonly Format[] = FORMATS): Command {
  return cmd
    .option('--db <file>', 'database made by `costattr ingest`')
    .option('--spans <files...>', 'span files or directories to load into an in-memory database')
    .option('--namespace <ns>', 'custom attribute namespace for tenant/user/task/route tags (detected when unique)')
    .option('--pricing <files...>', 'price overrides merged over the built-in book')
    .option('--since <date>', 'start date (ISO, inclusive)')
    .option('--until <date>', 'end date (ISO, exclusive)')
    .option('--month <YYYY-MM>', 'calendar month (overrides --since/--until)')
    .option('--timezone <tz>', 'time zone for day/week/month buckets', 'UTC')
    .option('--format <format>', `output format: ${formats.join('|')}`, formats[0])
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--quiet', 'no progress or notes on stderr');
}

export function formatOf(opts: InputOptions, allowed: readonly Format[] = FORMATS): Format {
  const format = (opts.format ?? 'table') as Format;
  if (!allowed.includes(format)) {
    throw new CostattrError('BAD_USAGE', `--format ${String(opts.format)} is not one of ${allowed.join(', ')}`);
  }
  return format;
}

export function periodOf(opts: InputOptions): Period {
  return parsePeriod({ since: opts.since, until: opts.until, month: opts.month, timezone: opts.timezone ?? 'UTC' });
}

/** Open the database an analysis runs on, with the price book (and overrides) installed. */
export async function openAnalysisDb(opts: InputOptions): Promise<Database> {
  if (!opts.db && (!opts.spans || opts.spans.length === 0)) {
    throw new CostattrError('BAD_USAGE', 'give the data: --db FILE (made by `costattr ingest`) or --spans FILE…');
  }
  const db = await Database.open({ path: opts.db });
  try {
    if (opts.spans && opts.spans.length > 0) {
      const report = await ingestSpanFiles(db, opts.spans, { namespace: opts.namespace });
      note(opts, `loaded ${report.loaded} spans (${report.duplicates} duplicates, ${report.rejected} rejected)`);
    }
    await installPriceBook(db, await loadPriceBook(opts.pricing ?? []));
    await materialisePricedSpans(db); // spans are all loaded: freeze the pricing keys once
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Progress and notes go to stderr, never stdout. */
export function note(opts: { quiet?: boolean }, message: string): void {
  if (!opts.quiet) process.stderr.write(`${message}\n`);
}

/** Data goes to --out or stdout. */
export function emit(opts: { out?: string }, text: string): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (opts.out) writeFileSync(opts.out, body);
  else process.stdout.write(body);
}
