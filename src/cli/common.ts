/**
 * Flags shared by commands and turning them into plain specs: the data inputs (`--db`, `--spans`,
 * `--invoice`, `--revenue`, …), the period, and the output options. Loads no DuckDB: every module
 * this imports at start-up is light, so `--help` stays fast.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parsePeriod, type Period } from '../analysis/period.js';
import type { Scope, WorkspaceSpec } from '../app/workspace.js';
import { CostattrError } from '../errors.js';
import { defaultClaudeLogDirs } from '../ingest/sources/claude-code/config-dir.js';
import { FORMATS, type Format } from '../render/formats.js';
import { note, setDisplayFlags } from './output.js';

export { FORMATS, type Format };

export interface InputOptions {
  db?: string;
  lake?: string;
  engine?: string;
  clickhouseUrl?: string;
  clickhouseCluster?: string;
  spans?: string[];
  source?: string;
  namespace?: string;
  pricing?: string[];
  since?: string;
  until?: string;
  month?: string;
  timezone?: string;
  format?: string;
  out?: string;
  quiet?: boolean;
  memoryLimit?: string;
  tempDir?: string;
}

export interface InvoiceInputOptions {
  invoice?: string[];
  provider?: string;
  invoiceMap?: string;
  fx?: string[];
  skipInvalid?: boolean;
  revenue?: string;
  quiet?: boolean;
}

/**
 * A file option takes one value and may be given again (`--invoice a.csv --invoice b.csv`), so a
 * span file after it stays a span file instead of being swallowed as an invoice.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Program-wide display options, read before any command runs (after the command name too). */
export function addDisplayOptions(program: Command): Command {
  program
    .option('--color', 'colour the output, even when piped')
    .option('--no-color', 'never colour the output (also: NO_COLOR=1)')
    .option('--wide', 'show every table column, however wide the terminal')
    .configureHelp({ showGlobalOptions: true }); // each command's --help lists these too
  return program.hook('preAction', () => setDisplayFlags(program.opts<{ color?: boolean; wide?: boolean }>()));
}

/** The input, period and output options; `formats` are the output formats this command renders. */
export function addInputOptions(cmd: Command, formats: readonly Format[] = FORMATS): Command {
  return cmd
    .option('--db <file>', 'database made by `costattr ingest`')
    .option('--lake <dir|url>', 'a span lake made by `costattr ingest --lake` (Parquet files, read in place): a directory, or s3://bucket/prefix / an http(s) bucket URL for --engine clickhouse')
    .option('--spans <path>', 'a span file or directory to load into an in-memory database (repeatable)', collect)
    .option('--source <name>', 'claude-code: with no --spans, read Claude Code\'s logs where it keeps them ($CLAUDE_CONFIG_DIR, ~/.config/claude, ~/.claude)')
    .option('--namespace <ns>', 'custom attribute namespace for tenant/user/task/route tags (detected when unique)')
    .option('--pricing <file>', 'price overrides merged over the built-in book (repeatable)', collect)
    .option('--since <date>', 'start date (ISO, inclusive)')
    .option('--until <date>', 'end date (ISO, exclusive)')
    .option('--month <YYYY-MM>', 'calendar month (overrides --since/--until)')
    .option('--timezone <tz>', 'time zone for day/week/month buckets', 'UTC')
    .option('--format <format>', `output format: ${formats.join('|')}`, formats[0])
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--quiet', 'no progress or notes on stderr')
    .option('--memory-limit <size>', "DuckDB's memory_limit for this read, e.g. 2GB (default: DuckDB's, 80% of RAM); work beyond it spills to --temp-dir")
    .option('--temp-dir <dir>', 'where a read spills work beyond --memory-limit (default: a directory of its own under the system temp directory)');
}

/** `512MB`, `2GB`, `1.5GiB`: DuckDB's size syntax, checked here so a typo names the option. */
export function parseMemoryLimit(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/i.test(value)) {
    throw new CostattrError('BAD_USAGE', `--memory-limit ${value}: expected a size such as 512MB or 2GB`);
  }
  return value.trim();
}

/** Where a read spills: never beside the database it reads (read commands write nothing there). */
function readSpillDir(opts: InputOptions): string | undefined {
  if (opts.tempDir !== undefined) return opts.tempDir;
  return opts.memoryLimit === undefined ? undefined : join(tmpdir(), `costattr-spill-${process.pid}`);
}

const ENGINES = ['duckdb', 'clickhouse'] as const;

/** `--engine`, `--clickhouse-url` and `--clickhouse-cluster`, on the analyses that run on either engine (costs, reconcile, audit). */
export function addEngineOptions(cmd: Command): Command {
  return cmd
    .option('--engine <engine>', `where the analysis runs: ${ENGINES.join('|')} (clickhouse reads a --lake)`, 'duckdb')
    .option('--clickhouse-url <url>', 'a ClickHouse server over HTTP for --engine clickhouse (user and password from CLICKHOUSE_USER, CLICKHOUSE_PASSWORD); embedded ClickHouse when not given')
    .option('--clickhouse-cluster <name>', 'read a --lake on object storage across this ClickHouse cluster (s3Cluster)');
}

function engineOf(opts: InputOptions): WorkspaceSpec['engine'] {
  if (opts.engine === undefined) return undefined;
  const engine = ENGINES.find((e) => e === opts.engine);
  if (engine === undefined) throw new CostattrError('BAD_USAGE', `--engine ${opts.engine}: expected one of ${ENGINES.join(', ')}`);
  if (opts.clickhouseUrl !== undefined && engine !== 'clickhouse') throw new CostattrError('BAD_USAGE', '--clickhouse-url needs --engine clickhouse');
  if (opts.clickhouseCluster !== undefined && engine !== 'clickhouse') throw new CostattrError('BAD_USAGE', '--clickhouse-cluster needs --engine clickhouse');
  return engine;
}

/** Invoice and revenue files next to the spans (`ingest`, `reconcile`). */
export function addInvoiceOptions(cmd: Command): Command {
  return cmd
    .option('--invoice <file>', 'an invoice or usage export: Anthropic, OpenAI, FOCUS, mapped CSV (repeatable)', collect)
    .option('--provider <name>', 'the provider of the invoice files, when their header does not say')
    .option('--invoice-map <file>', 'JSON column mapping for a generic invoice CSV')
    .option('--fx <currency=rate>', 'USD per unit of a currency invoices are billed in, e.g. EUR=1.08 (repeatable)', (value: string, all: string[] = []) => [...all, value])
    .option('--revenue <file>', 'revenue CSV (tenant, month, revenue_usd, plan, ceiling_usd, markup)');
}

/** `--fx EUR=1.08 --fx GBP=1.27` → {EUR: '1.08', GBP: '1.27'}: a currency code and a positive decimal rate each. */
export function parseFx(values: readonly string[] | undefined): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const value of values ?? []) {
    const m = /^\s*([A-Za-z]{3})\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(value);
    if (!m?.[1] || !m[2] || Number(m[2]) <= 0) {
      throw new CostattrError('BAD_USAGE', `--fx ${value}: expected CURRENCY=RATE in USD per unit, e.g. EUR=1.08`);
    }
    rates[m[1].toUpperCase()] = m[2];
  }
  return rates;
}

export function formatOf(opts: { format?: string }, allowed: readonly Format[] = FORMATS): Format {
  const format = (opts.format ?? allowed[0] ?? 'table') as Format;
  if (!allowed.includes(format)) {
    throw new CostattrError('BAD_USAGE', `--format ${String(opts.format)} is not one of ${allowed.join(', ')}`);
  }
  return format;
}

/** `2%` → 0.02; `0.02` → 0.02. A bare number above 1 is ambiguous and refused. */
export function parseTolerance(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const n = m ? Number(m[1]) / (m[2] === '%' ? 100 : 1) : NaN;
  if (!m || !Number.isFinite(n) || n > 1) throw new CostattrError('BAD_USAGE', `--tolerance ${value}: expected a percentage such as 2% (or a fraction such as 0.02)`);
  return n;
}

export function periodOf(opts: InputOptions): Period {
  return parsePeriod({ since: opts.since, until: opts.until, month: opts.month, timezone: opts.timezone ?? 'UTC' });
}

/** Sources whose logs have a known home, read when `--source` names one and no `--spans` is given. */
const SOURCE_HOMES: Readonly<Record<string, () => string[]>> = { 'claude-code': () => defaultClaudeLogDirs() };

/** The span paths to load: `--spans`, else the home of the `--source` named. */
function spanPaths(opts: Pick<InputOptions, 'spans' | 'source'>): string[] | undefined {
  if (opts.source === undefined) return opts.spans;
  const home = SOURCE_HOMES[opts.source];
  if (home === undefined) {
    throw new CostattrError('BAD_USAGE', `--source ${opts.source}: expected one of ${Object.keys(SOURCE_HOMES).join(', ')}`);
  }
  return opts.spans ?? home();
}

/** The workspace an analysis command reads: `--db` read-only, or `--spans` in memory, plus any invoice/revenue files. */
export function readWorkspace(opts: InputOptions & Partial<InvoiceInputOptions>, scope?: Scope): WorkspaceSpec {
  return {
    scope,
    access: 'read',
    db: opts.db,
    lake: opts.lake,
    engine: engineOf(opts),
    clickhouseUrl: opts.clickhouseUrl,
    clickhouseCluster: opts.clickhouseCluster,
    spans: spanPaths(opts),
    spanOptions: { namespace: opts.namespace },
    pricing: opts.pricing,
    invoices: { files: opts.invoice, provider: opts.provider, mapFile: opts.invoiceMap, skipInvalid: opts.skipInvalid, fx: parseFx(opts.fx) },
    revenue: opts.revenue,
    memoryLimit: parseMemoryLimit(opts.memoryLimit),
    tempDir: readSpillDir(opts),
    note: (message) => note(opts, message),
  };
}
