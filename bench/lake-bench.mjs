// `node bench/lake-bench.mjs --spans 1000000`: the same analyses on the three ways to read a month
// (docs/scale-out.md "Measured"). Takes the span set `npm run bench:reports -- --spans N` generates
// (bench/.data/reports-N.duckdb), publishes it as a lake (bench/.data/lake-N: the lake writer's
// publishLake over a copy of it, priced once, with the stored roll-ups; kept between runs, --regen
// rebuilds it), then times each command through the CLI (a fresh process each, so start-up counts)
// on DuckDB --db, DuckDB --lake and embedded ClickHouse --lake, and checks the three outputs agree.
// Options: --spans N  --repeat 3  --regen
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench/.data');
const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);

const total = Number(arg('--spans', '1000000'));
const repeat = Number(arg('--repeat', '3'));
const db = join(DATA, `reports-${total}.duckdb`);
const lake = join(DATA, `lake-${total}`);
if (!existsSync(db)) throw new Error(`${db} is missing: run npm run bench:reports -- --spans ${total} --only view first`);

if (process.argv.includes('--regen') || !existsSync(join(lake, 'manifest.json'))) {
  rmSync(lake, { recursive: true, force: true });
  mkdirSync(lake, { recursive: true });
  const { Database } = await dist('db/database.js');
  const { publishLake } = await dist('lake/write.js');
  const scratch = join(lake, '.scratch-bench.duckdb');
  copyFileSync(db, scratch);
  const started = performance.now();
  const handle = await Database.open({ path: scratch });
  try {
    await publishLake(handle, { dir: lake, scratch, before: undefined, monthHashes: new Map(), release: () => undefined });
  } finally {
    handle.close();
    rmSync(scratch, { force: true });
  }
  console.error(`published ${lake} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const READS = { 'DuckDB --db': ['--db', db], 'DuckDB --lake': ['--lake', lake], 'ClickHouse (chdb) --lake': ['--lake', lake, '--engine', 'clickhouse'] };
const COMMANDS = { 'costs --by tenant': ['costs', '--by', 'tenant'], 'costs --by day': ['costs', '--by', 'day'], 'costs --by layer': ['costs', '--by', 'layer'],
  'audit --tenant tenant-7': ['audit', '--tenant', 'tenant-7'] };

console.log(`${total.toLocaleString('en-US')} spans, best of ${repeat} (wall s, peak RSS MB)`);
console.log(`| command | ${Object.keys(READS).join(' | ')} |\n|---|${Object.keys(READS).map(() => '---|').join('')}`);
for (const [name, command] of Object.entries(COMMANDS)) {
  const cells = [];
  const outputs = new Set();
  for (const read of Object.values(READS)) {
    let best = { wall: Infinity, rss: 0 };
    for (let i = 0; i < repeat; i++) {
      const started = performance.now();
      const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin/costattr.js'), ...command, ...read, '--format', 'json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const wall = (performance.now() - started) / 1000;
      if (run.status !== 0) throw new Error(`${command.join(' ')} ${read.join(' ')}: ${run.stderr}`);
      outputs.add(run.stdout);
      if (wall < best.wall) best = { wall, rss: Number(run.stderr.trim().split('\n').at(-1)) / 1024 };
    }
    cells.push(`${best.wall.toFixed(2)} s, ${best.rss.toFixed(0)} MB`);
  }
  console.log(`| ${name} | ${cells.join(' | ')} |${outputs.size === 1 ? '' : ' OUTPUTS DIFFER'}`);
}
