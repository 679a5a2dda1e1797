/**
 * `costattr diff BASE HEAD`: each side is a snapshot file or span files (`--base-spans`,
 * `--head-spans`, or a positional directory / non-snapshot file); flags → DiffSpec →
 * diffSnapshots → table, json or a pull-request comment (md). Exit 1 when a --fail-on rule trips.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { parseRule, type DiffRule } from '../../analysis/diff-rules.js';
import type { SkipBelow } from '../../analysis/diff.js';
import { CostattrError } from '../../errors.js';
import { collect, periodOf, readWorkspace } from '../common.js';
import { note } from '../output.js';
import { runCommand } from '../run.js';

interface DiffOptions {
  baseSpans?: string[];
  headSpans?: string[];
  failOn: string[];
  warnOn: string[];
  reprice?: boolean;
  skipBelow?: string;
  runsPerMonth?: string;
  allowMissingBase?: boolean;
  namespace?: string;
  pricing?: string[];
  format?: string;
  out?: string;
  quiet?: boolean;
}

type Side = { files: string[] } | { snapshotFile: string };

/** `0.001` or `$0.001` → USD per run; `5%` → a relative change. */
export function parseSkipBelow(value: string | undefined): SkipBelow | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\$?)(\d+(?:\.\d+)?|\.\d+)(%?)\s*$/.exec(value);
  if (!match || (match[1] === '$' && match[3] === '%')) {
    throw new CostattrError('BAD_USAGE', `--skip-below ${value}: expected USD per run (0.001) or a percentage (5%)`);
  }
  const amount = Number(match[2]);
  return match[3] === '%' ? { kind: 'pct', value: amount / 100 } : { kind: 'usd', value: amount };
}

/** `120000`, `120,000`, `120k` or `1.2m` → runs a month. */
export function parseRunsPerMonth(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(value.replaceAll(',', '').replaceAll('_', ''));
  const runs = match ? Number(match[1]) * (match[2]?.toLowerCase() === 'k' ? 1e3 : match[2]?.toLowerCase() === 'm' ? 1e6 : 1) : NaN;
  if (!Number.isFinite(runs) || runs <= 0) {
    throw new CostattrError('BAD_USAGE', `--runs-per-month ${value}: expected a positive number of runs (120000, 120k, 1.2m)`);
  }
  return runs;
}

/** Whether a baseline given as a path is absent (CI's first run, an expired cache). */
function baselineMissing(path: string | undefined): boolean {
  return path !== undefined && !existsSync(path);
}

async function sideOf(name: 'base' | 'head', spans: string[] | undefined, path: string | undefined): Promise<Side> {
  if (spans !== undefined) return { files: spans };
  if (name === 'base' && baselineMissing(path)) {
    throw new CostattrError('BAD_INPUT', `base: ${path ?? ''} does not exist: there is no baseline to compare with`, {
      hint: 'snapshot the main branch first (costattr snapshot … --out base.json), or pass --allow-missing-base to show the head alone',
    });
  }
  if (path === undefined) {
    throw new CostattrError('BAD_USAGE', `give the ${name} side: a snapshot file, span files, or --${name}-spans FILE…`, {
      hint: 'costattr diff base.json head.json  |  costattr diff base.json --head-spans eval-output/',
    });
  }
  const { isSnapshotFile } = await import('../../app/snapshots.js');
  return isSnapshotFile(path) ? { snapshotFile: path } : { files: [path] };
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('compare two eval runs (snapshots or span files) per route; gate on thresholds; write a PR comment')
    .argument('[base]', 'base snapshot (from `costattr snapshot`), or span files/directory')
    .argument('[head]', 'head snapshot, or span files/directory')
    .option('--base-spans <path>', 'a span file or directory for the base side (repeatable)', collect)
    .option('--head-spans <path>', 'a span file or directory for the head side (repeatable)', collect)
    .option('--fail-on <rule>', 'exit 1 when the rule trips, e.g. total.cost_per_run>+10% (repeatable; see docs/ci.md)', collect, [])
    .option('--warn-on <rule>', 'report the rule when it trips, without failing (repeatable)', collect, [])
    .option('--reprice', 'price each side with its own price book and show the price effect (default: both with the base book)')
    .option('--skip-below <usd|%>', 'print nothing when no cost per run moved more than this and no rule tripped')
    .option('--runs-per-month <n>', "the volume the monthly projection assumes (120000, 120k); default: the head's observed runs per day × 30")
    .option('--allow-missing-base', 'when the base snapshot file does not exist, show the head alone instead of failing (exit 2)')
    .option('--namespace <ns>', 'custom attribute namespace (span-file sides)')
    .option('--pricing <file>', 'price overrides for span-file sides (repeatable)', collect)
    .option('--format <format>', 'output format: table|json|md', 'table')
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (base: string | undefined, head: string | undefined, opts: DiffOptions) => {
      const rules: DiffRule[] = [
        ...opts.failOn.map((text) => parseRule(text, 'fail')),
        ...opts.warnOn.map((text) => parseRule(text, 'warn')),
      ];
      const spec = { reprice: opts.reprice === true, rules, skipBelow: parseSkipBelow(opts.skipBelow), runsPerMonth: parseRunsPerMonth(opts.runsPerMonth) };
      const positional = [base, head].filter((p): p is string => p !== undefined);
      const basePath = opts.baseSpans ? undefined : positional.shift();
      const headPath = opts.headSpans ? undefined : positional.shift();
      if (positional.length > 0) throw new CostattrError('BAD_USAGE', `unexpected argument ${positional[0]}: each side is given once`);
      await runCommand(opts, ['table', 'json', 'md'], async () => {
        const [{ diffSide }, { diffSnapshots }, { diffRendering }] = await Promise.all([
          import('../../app/snapshots.js'), import('../../analysis/diff.js'), import('../../render/outputs/gates.js'),
        ]);
        const filter = { period: periodOf({}) };
        const workspace = readWorkspace({ namespace: opts.namespace, pricing: opts.pricing, quiet: opts.quiet }, { period: filter.period });
        const load = async (name: 'base' | 'head', spans: string[] | undefined, path: string | undefined): Promise<Awaited<ReturnType<typeof diffSide>>> => {
          const side = await sideOf(name, spans, path);
          if ('files' in side) note(opts, `${name}: snapshotting ${side.files.join(', ')}`);
          return diffSide(side, workspace, filter);
        };
        const noBase = opts.allowMissingBase === true && opts.baseSpans === undefined && baselineMissing(basePath);
        if (noBase) note(opts, `base: ${basePath ?? ''} does not exist; --allow-missing-base: showing the head alone`);
        const baseSide = noBase ? null : await load('base', opts.baseSpans, basePath);
        const headSide = await load('head', opts.headSpans, headPath);
        return diffRendering(diffSnapshots(baseSide, headSide, spec));
      });
    });
}
