// `npm run bench:claude`: generate Claude Code session logs shaped like real ones (default ≈ 200 MB: user lines
// carrying large tool results, assistant messages written once per content block with the usage repeated,
// sidechain copies, `<synthetic>` messages; --mb N), then time on the same directory, each in its own process
// with its peak RSS: (a) `costattr costs --by day,model --spans DIR` (the built CLI, end to end),
// (b) ccusage `claude daily --json --offline --breakdown` (the installed v20's Rust binary; `claude` so that it reads
// the Claude Code logs only, as v20's bare `daily` also reads other agents' logs under $HOME), (c) the floor: bare DuckDB read_json of
// the usage fields into day × model sums. Prints a Markdown table. Not part of `npm test`.
// `--repeat N` runs the phases N times, interleaved, and keeps each one's fastest run; `--before
// PATH` adds a row for another build's bin/costattr.js (e.g. main's, to time a change against it).
// Both tools must have read the same calls: their day × model token sums must be equal and their
// costs agree to the cent (`agreement`, also used by bench/run.mjs), else the timing is meaningless
// and the bench fails.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, statSync, chmodSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench/.data');
const MODELS = ['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001', 'claude-opus-4-1-20250805'];
const COSTATTR = 'costattr costs --by day,model';
const CCUSAGE = 'ccusage v20 claude daily';
const DUCKDB = 'DuckDB read_json floor';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---- generator (seeded, so every run of one size reads the same bytes) ---------------------------------------
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function generate(dir, targetBytes) {
  const rand = rng(20260101);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const filler = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor '.repeat(200);
  const text = (n) => filler.slice(0, n);
  let written = 0;
  let clock = Date.parse('2026-09-01T08:00:00Z');
  for (let session = 0; written < targetBytes; session++) {
    const project = join(dir, 'projects', `-home-dev-project-${session % 12}`);
    mkdirSync(project, { recursive: true });
    const sessionId = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
    const out = createWriteStream(join(project, `${sessionId}.jsonl`));
    const write = async (record) => {
      const line = `${JSON.stringify(record)}\n`;
      written += line.length;
      if (!out.write(line)) await new Promise((r) => out.once('drain', r));
    };
    await write({ type: 'summary', summary: 'Refactor the ingest pipeline', leafUuid: hex(32) });
    for (let m = 0; m < 60; m++) {
      clock += int(2_000, 90_000);
      const base = { parentUuid: hex(32), isSidechain: rand() < 0.1, userType: 'external', cwd: '/home/dev/project', sessionId, version: '2.0.14', gitBranch: 'main' };
      await write({ ...base, type: 'user', uuid: hex(32), timestamp: new Date(clock).toISOString(),
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${hex(24)}`, content: text(int(200, 6000)) }] } });
      const model = rand() < 0.05 ? '<synthetic>' : MODELS[int(0, 2)];
      const usage = { input_tokens: int(1, 40), cache_creation_input_tokens: int(0, 9000), cache_read_input_tokens: int(1000, 90000),
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 }, output_tokens: int(1, 2000), service_tier: 'standard' };
      usage.cache_creation.ephemeral_1h_input_tokens = usage.cache_creation_input_tokens;
      const id = `msg_${hex(24)}`;
      const requestId = `req_${hex(24)}`;
      const blocks = int(1, 3);
      for (let k = 0; k < blocks; k++) {
        clock += int(100, 3_000);
        const content = k === blocks - 1 ? [{ type: 'tool_use', id: `toolu_${hex(24)}`, name: 'Bash', input: { command: text(int(20, 400)) } }] : [{ type: 'text', text: text(int(50, 1500)) }];
        await write({ ...base, type: 'assistant', uuid: hex(32), timestamp: new Date(clock).toISOString(), requestId,
          message: { id, type: 'message', role: 'assistant', model, content, stop_reason: null, stop_sequence: null, usage } });
      }
    }
    await new Promise((r) => out.end(r));
  }
}

function directoryBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return total;
}

// ---- phases ----------------------------------------------------------------------------------------------------
async function duckdbFloor(dir) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const reader = await c.runAndReadAll(
    `SELECT count(*)::VARCHAR AS cells FROM (
       SELECT CAST(timestamp AS DATE) AS day, message.model AS model, sum(message.usage.input_tokens), sum(message.usage.output_tokens),
         sum(message.usage.cache_read_input_tokens), sum(message.usage.cache_creation_input_tokens)
       FROM read_json($glob, format = 'newline_delimited', columns = {timestamp: 'TIMESTAMPTZ',
         message: 'STRUCT(model VARCHAR, usage STRUCT(input_tokens BIGINT, output_tokens BIGINT, cache_read_input_tokens BIGINT, cache_creation_input_tokens BIGINT))'})
       WHERE message.usage.input_tokens IS NOT NULL GROUP BY ALL)`,
    { glob: join(dir, 'projects/**/*.jsonl') },
  );
  return reader.getRowObjectsJson()[0];
}

/** Day × model token sums (and cost) from each tool's JSON; model names without ccusage's date suffix. */
function groupsOf(costattrJson, ccusageJson) {
  const ours = new Map(JSON.parse(costattrJson).rows.map((r) => [`${r.day}|${r.model}`,
    { tokens: [r.input_tokens, r.output_tokens, r.cache_read_tokens, r.cache_write_tokens], cost: r.cost_usd }]));
  const theirs = new Map();
  for (const day of JSON.parse(ccusageJson).daily) {
    for (const m of day.modelBreakdowns ?? []) {
      if (m.modelName === '<synthetic>') continue; // Claude Code's own messages, never billed: costattr leaves them out
      theirs.set(`${day.period ?? day.date}|${m.modelName.replace(/-\d{8}$/, '')}`,
        { tokens: [m.inputTokens, m.outputTokens, m.cacheReadTokens, m.cacheCreationTokens], cost: m.cost });
    }
  }
  return { ours, theirs };
}

/**
 * Whether costattr (`costs --by day,model --format json`) and ccusage (`claude daily --json --breakdown`)
 * read the same logs the same way: the same day × model groups, equal token sums, costs within a
 * cent. Throws naming the first difference, so a ccusage pointed at the wrong directory (or reading
 * nothing) cannot pass for a fast one.
 */
export function agreement(costattrJson, ccusageJson) {
  const { ours, theirs } = groupsOf(costattrJson, ccusageJson);
  if (ours.size === 0) throw new Error('costattr reported no day × model groups');
  for (const key of new Set([...ours.keys(), ...theirs.keys()])) {
    const a = ours.get(key);
    const b = theirs.get(key);
    if (!a || !b || a.tokens.some((n, i) => n !== b.tokens[i]) || Math.abs(a.cost - b.cost) >= 0.01) {
      throw new Error(`costattr and ccusage disagree on ${key}: costattr ${JSON.stringify(a)}, ccusage ${JSON.stringify(b)}`);
    }
  }
  return `${ours.size} day × model groups agree (tokens exactly, cost to the cent)`;
}

function timed(args, env = {}) {
  const started = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-v', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, ...env } });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const field = (label) => Number(new RegExp(`${label}: ([\\d.]+)`).exec(child.stderr)?.[1] ?? NaN);
  if (child.status !== 0) throw new Error(`${args.join(' ')} failed:\n${child.stderr}`);
  const cpu = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
  return { wall, cpu, rssMb: field('Maximum resident set size \\(kbytes\\)') / 1024, stdout: child.stdout };
}

async function main() {
  if (arg('--phase') === 'duckdb') {
    process.stdout.write(JSON.stringify(await duckdbFloor(arg('--dir'))));
    return;
  }
  const mb = Number(arg('--mb', '200'));
  const dir = join(DATA, `claude-${mb}mb`);
  if (!existsSync(join(dir, 'projects'))) {
    process.stderr.write(`generating ≈${mb} MB of Claude Code logs → ${dir}\n`);
    await generate(dir, mb * 1e6);
  }
  const bytes = directoryBytes(dir);
  const me = fileURLToPath(import.meta.url);
  const loadBefore = loadavg()[0];
  const costs = (bin) => [process.execPath, bin, 'costs', '--by', 'day,model', '--spans', dir, '--format', 'json'];
  const phases = [[COSTATTR, costs(join(ROOT, 'bin/costattr.js')), { TZ: 'UTC' }]];
  if (arg('--before')) phases.push([`${COSTATTR} (before: ${arg('--before')})`, costs(resolve(arg('--before'))), { TZ: 'UTC' }]);
  const ccusage = join(ROOT, 'node_modules/@ccusage/ccusage-linux-x64/bin/ccusage'); // v20's Rust binary
  if (existsSync(ccusage) && !process.argv.includes('--skip-ccusage')) {
    chmodSync(ccusage, 0o755); // npm does not mark it executable
    phases.push([CCUSAGE, [ccusage, 'claude', 'daily', '--json', '--offline', '--breakdown'], { CLAUDE_CONFIG_DIR: dir, TZ: 'UTC', LOG_LEVEL: '0', NO_COLOR: '1' }]);
  }
  phases.push([DUCKDB, [process.execPath, me, '--phase', 'duckdb', '--dir', dir], {}]);
  const fastest = new Map();
  for (let round = 0; round < Number(arg('--repeat', '1')); round++) {
    for (const [name, args, env] of phases) {
      const r = timed(args, env);
      if (!fastest.has(name) || r.wall < fastest.get(name).wall) fastest.set(name, r);
    }
  }
  const checked = fastest.has(CCUSAGE) ? agreement(fastest.get(COSTATTR).stdout, fastest.get(CCUSAGE).stdout) : 'ccusage not run: no agreement check';
  process.stdout.write(summary([...fastest], { mb: bytes / 1e6, load: [loadBefore, loadavg()[0]] }) + `${checked}\n`);
}

/** The figures as a Markdown table: wall and CPU seconds, each as a ratio to ccusage, peak RSS; the 2× target judged. */
function summary(rows, { mb, load }) {
  const find = (name) => rows.find(([n]) => n === name)?.[1];
  const ccusage = find(CCUSAGE);
  const ours = find(COSTATTR);
  const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : 'n/a');
  const lines = [
    '',
    `Claude Code logs benchmark: ${mb.toFixed(0)} MB, ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
    '',
    '| phase | wall s | wall × ccusage | CPU s | CPU × ccusage | peak RSS MB |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(([name, r]) => `| ${name} | ${r.wall.toFixed(1)} | ${ratio(r.wall, ccusage?.wall)} | ${r.cpu.toFixed(1)} | ${ratio(r.cpu, ccusage?.cpu)} | ${r.rssMb.toFixed(0)} |`),
    '',
    ccusage
      ? `target: costattr at least 2× faster than ccusage (installed v20): ${ours.wall * 2 <= ccusage.wall ? 'met' : 'NOT met'} (${(ccusage.wall / ours.wall).toFixed(1)}× faster)`
      : 'ccusage not installed: no comparison',
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
