/**
 * `costattr diff BASE HEAD`: each side is a snapshot file or span files (`--base-spans`,
 * `--head-spans`, or a positional directory / non-snapshot file); flags → DiffSpec →
 * diffSnapshots → table, json or a pull-request comment (md). Exit 1 when a --fail-on rule trips.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { diffSnapshots, TOTAL_ROUTE, type DiffInput, type SkipBelow } from '../../analysis/diff.js';
import { parseRule, type DiffRule } from '../../analysis/diff-rules.js';
import { loadedFromSnapshot, looksLikeSnapshot, parseSnapshot } from '../../analysis/snapshot.js';
import { CostattrError } from '../../errors.js';
import { wantsColor } from '../../render/color.js';
import { renderDiffMarkdown, renderDiffTable } from '../../render/diff.js';
import { renderJson } from '../../render/json.js';
import { emit, formatOf, note } from '../common.js';
import { snapshotOf } from './snapshot.js';

interface DiffOptions {
  baseSpans?: string[];
  headSpans?: string[];
  failOn: string[];
  warnOn: string[];
  reprice?: boolean;
  skipBelow?: string;
  namespace?: string;
  pricing?: string[];
  format?: string;
  out?: string;
  quiet?: boolean;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

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

/** Span files for a path given in place of a snapshot: a directory, or a file that is not a snapshot. */
function isSnapshotFile(path: string): boolean {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new CostattrError('BAD_INPUT', `${path}: no such file or directory`);
  }
  if (stats.isDirectory() || !path.toLowerCase().endsWith('.json')) return false;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const read = readSync(fd, head, 0, head.length, 0);
    return looksLikeSnapshot(head.subarray(0, read).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}

async function loadSide(opts: DiffOptions, name: 'base' | 'head', spans: string[] | undefined, path: string | undefined): Promise<DiffInput> {
  const files = spans ?? (path !== undefined && !isSnapshotFile(path) ? [path] : undefined);
  if (files !== undefined) {
    note(opts, `${name}: snapshotting ${files.join(', ')}`);
    const snapshot = await snapshotOf({ spans: files, namespace: opts.namespace, pricing: opts.pricing, quiet: opts.quiet }, undefined);
    return { source: files.join(', '), ...loadedFromSnapshot(snapshot) };
  }
  if (path === undefined) {
    throw new CostattrError('BAD_USAGE', `give the ${name} side: a snapshot file, span files, or --${name}-spans FILE…`, {
      hint: 'costattr diff base.json head.json  |  costattr diff base.json --head-spans eval-output/',
    });
  }
  return { source: path, ...parseSnapshot(path, readFileSync(path, 'utf8')) };
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('compare two eval runs (snapshots or span files) per route; gate on thresholds; write a PR comment')
    .argument('[base]', 'base snapshot (from `costattr snapshot`), or span files/directory')
    .argument('[head]', 'head snapshot, or span files/directory')
    .option('--base-spans <files...>', 'span files or directories for the base side')
    .option('--head-spans <files...>', 'span files or directories for the head side')
    .option('--fail-on <rule>', 'exit 1 when the rule trips, e.g. total.cost_per_run>+10% (repeatable; see docs/ci.md)', collect, [])
    .option('--warn-on <rule>', 'report the rule when it trips, without failing (repeatable)', collect, [])
    .option('--reprice', 'price each side with its own price book and show the price effect (default: both with the base book)')
    .option('--skip-below <usd|%>', 'print nothing when no cost per run moved more than this and no rule tripped')
    .option('--namespace <ns>', 'custom attribute namespace (span-file sides)')
    .option('--pricing <files...>', 'price overrides for span-file sides')
    .option('--format <format>', 'output format: table|json|md', 'table')
    .option('--out <file>', 'write the output to a file instead of stdout')
    .option('--quiet', 'no progress or notes on stderr')
    .action(async (base: string | undefined, head: string | undefined, opts: DiffOptions) => {
      const format = formatOf(opts, ['table', 'json', 'md']);
      const rules: DiffRule[] = [
        ...opts.failOn.map((text) => parseRule(text, 'fail')),
        ...opts.warnOn.map((text) => parseRule(text, 'warn')),
      ];
      const skipBelow = parseSkipBelow(opts.skipBelow);
      const positional = [base, head].filter((p): p is string => p !== undefined);
      const basePath = opts.baseSpans ? undefined : positional.shift();
      const headPath = opts.headSpans ? undefined : positional.shift();
      if (positional.length > 0) throw new CostattrError('BAD_USAGE', `unexpected argument ${positional[0]}: each side is given once`);
      const baseSide = await loadSide(opts, 'base', opts.baseSpans, basePath);
      const headSide = await loadSide(opts, 'head', opts.headSpans, headPath);
      const result = diffSnapshots(baseSide, headSide, { reprice: opts.reprice === true, rules, skipBelow });
      const text = format === 'json'
        ? renderJson(result)
        : format === 'md'
          ? renderDiffMarkdown(result)
          : renderDiffTable(result, { color: wantsColor(process.env, process.stdout.isTTY === true, opts.out !== undefined) });
      emitMaybeEmpty(opts, text);
      if (result.failed) {
        const failed = result.tripped.filter((t) => t.level === 'fail');
        throw new CostattrError('GATE_FAILED', `cost gate failed: ${failed.map((t) => `${t.rule} (${t.route === TOTAL_ROUTE ? 'total' : `route ${t.route}`})`).join('; ')}`);
      }
    });
}

/** A skipped diff writes nothing at all (an empty --out file), so CI can test for an empty comment. */
function emitMaybeEmpty(opts: DiffOptions, text: string): void {
  if (text.length > 0) emit(opts, text);
  else if (opts.out) writeFileSync(opts.out, '');
}
