// `npm run bench`: generate N OTLP/JSON spans (default 1,000,000 ≈ 1.2 GB; --spans N), then time on the same
// file, each in its own process with its peak RSS: (a) `costattr ingest` (the built CLI), (b) bare DuckDB
// read_json flattening to one row per span, (c) a single-threaded streaming JSON.parse pass summing tokens.
// Prints a Markdown summary: wall and CPU seconds, ratios against (b) and (c), peak memory, the targets judged.
// Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, 'bench/.data');
const SPANS_PER_LINE = 64;
const PARSE = 'JSON.parse pass (1 thread)';
const INGEST = 'costattr ingest';
const DUCKDB = 'DuckDB read_json flatten';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// ---- generator -------------------------------------------------------------------------------------------
const kv = (key, value) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });
const hex = (n, width) => n.toString(16).padStart(width, '0');

function spanOf(i) {
  const trace = Math.floor(i / 8);
  const inTrace = i % 8;
  const root = inTrace === 0;
  const attrs = root
    ? [kv('gen_ai.operation.name', 'invoke_agent'), kv('gen_ai.agent.name', 'support'), kv('acme.tenant_id', `tenant-${trace % 40}`),
       kv('acme.user_id', `user-${trace % 997}`), kv('acme.route', `/route/${trace % 7}`)]
    : [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.provider.name', 'anthropic'), kv('gen_ai.request.model', 'claude-sonnet-4-5'),
       kv('gen_ai.response.model', 'claude-sonnet-4-5-20250929'), kv('gen_ai.usage.input_tokens', 20000 + (i % 5000)),
       kv('gen_ai.usage.cache_read.input_tokens', 15000), kv('gen_ai.usage.cache_creation.input_tokens', 1000 + (i % 300)),
       kv('gen_ai.usage.output_tokens', 200 + (i % 900)), kv('gen_ai.request.max_tokens', 4096),
       kv('gen_ai.conversation.id', `conv_${hex(trace, 12)}`), kv('gen_ai.response.id', `msg_${hex(i, 20)}`),
       kv('gen_ai.response.finish_reasons', 'end_turn'), kv('acme.prompt_tokens', 4000), kv('acme.tool_tokens', 9000),
       kv('acme.memory_tokens', 8000 + (i % 5000)), kv('server.address', 'api.anthropic.com'), kv('server.port', 443)];
  return {
    traceId: hex(trace, 32), spanId: hex(i + 1, 16), ...(root ? {} : { parentSpanId: hex(trace * 8 + 1, 16) }),
    flags: 257, name: root ? 'invoke_agent support' : 'chat claude-sonnet-4-5', kind: root ? 1 : 3,
    startTimeUnixNano: String(1767225600000000000n + BigInt(i) * 1000000n), endTimeUnixNano: String(1767225600500000000n + BigInt(i) * 1000000n),
    attributes: attrs, status: {},
  };
}

async function generate(path, total) {
  mkdirSync(DATA, { recursive: true });
  const out = createWriteStream(path);
  for (let i = 0; i < total; i += SPANS_PER_LINE) {
    const spans = [];
    for (let j = i; j < Math.min(total, i + SPANS_PER_LINE); j++) spans.push(spanOf(j));
    const line = JSON.stringify({ resourceSpans: [{ resource: { attributes: [kv('service.name', 'bench-agent'), kv('deployment.environment.name', 'production')] },
      scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.anthropic', version: '0.40.0' }, spans }], schemaUrl: 'https://opentelemetry.io/schemas/1.41.0' }] });
    if (!out.write(`${line}\n`)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

// ---- phases (each run in its own process) ------------------------------------------------------------------
async function parseBaseline(path) {
  let tokens = 0;
  let spans = 0;
  let rest = '';
  const handle = (line) => {
    if (line.trim() === '') return;
    for (const rs of JSON.parse(line).resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) {
      spans++;
      for (const a of s.attributes) if (a.key === 'gen_ai.usage.input_tokens' || a.key === 'gen_ai.usage.output_tokens') tokens += Number(a.value.intValue);
    }
  };
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) handle(line);
  }
  handle(rest);
  return { spans, tokens };
}

async function duckdbBaseline(path) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  const reader = await c.runAndReadAll(
    `WITH r AS (SELECT unnest(resourceSpans) AS rs FROM read_json($path, format = 'newline_delimited', maximum_object_size = 1073741824)),
          s AS (SELECT unnest(rs.scopeSpans) AS ss FROM r),
          sp AS (SELECT unnest(ss.spans) AS span FROM s)
     SELECT count(*)::VARCHAR AS spans FROM (SELECT span.traceId, span.spanId, span.name, span.attributes FROM sp)`,
    { path },
  );
  return reader.getRowObjectsJson()[0];
}

async function runPhase(phase, path) {
  const started = process.hrtime.bigint();
  const result = phase === 'parse' ? await parseBaseline(path) : await duckdbBaseline(path);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, result }));
}

// ---- driver ------------------------------------------------------------------------------------------------
function timed(args) {
  const started = process.hrtime.bigint();
  const child = spawnSync('/usr/bin/time', ['-v', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const field = (label) => Number(new RegExp(`${label}: ([\\d.]+)`).exec(child.stderr)?.[1] ?? NaN);
  if (child.status !== 0) throw new Error(`${args.join(' ')} failed:\n${child.stderr}`);
  const cpu = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
  return { wall, cpu, rssMb: field('Maximum resident set size \\(kbytes\\)') / 1024, stdout: child.stdout };
}

async function main() {
  const phase = arg('--phase');
  if (phase) return runPhase(phase, arg('--file'));
  const total = Number(arg('--spans', '1000000'));
  const file = join(DATA, `otlp-${total}.jsonl`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${total} spans → ${file}\n`);
    await generate(file, total);
  }
  const mb = statSync(file).size / 1e6;
  process.stderr.write(`file: ${file} (${mb.toFixed(0)} MB, ${total} spans)\n`);
  const db = join(DATA, 'bench.duckdb');
  rmSync(db, { force: true });
  rmSync(`${db}.wal`, { force: true });
  const me = fileURLToPath(import.meta.url);
  const rows = [];
  const loadBefore = loadavg()[0];
  const parse = timed([process.execPath, me, '--phase', 'parse', '--file', file]);
  rows.push([PARSE, parse]);
  const ingest = timed([process.execPath, join(ROOT, 'bin/costattr.js'), 'ingest', file, '--db', db, '--quiet', '--json']);
  const report = JSON.parse(ingest.stdout);
  if (report.loaded !== total) throw new Error(`costattr ingest loaded ${report.loaded} of ${total} spans`);
  rows.push([INGEST, ingest]);
  if (!process.argv.includes('--skip-duckdb')) rows.push([DUCKDB, timed([process.execPath, me, '--phase', 'duckdb', '--file', file])]);
  rmSync(db, { force: true });
  process.stdout.write(summary(rows, { total, mb, load: [loadBefore, loadavg()[0]] }));
}

/**
 * The figures as a Markdown table, ready to paste: wall and CPU seconds (user + sys, all threads: on a
 * shared, loaded machine wall time is noisy, CPU time less so), each as a ratio to the JSON.parse pass
 * and to DuckDB read_json, peak RSS, throughput; then the two targets, judged.
 */
function summary(rows, { total, mb, load }) {
  const find = (name) => rows.find(([n]) => n === name)?.[1];
  const parse = find(PARSE);
  const duck = find(DUCKDB);
  const ingest = find(INGEST);
  const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : 'n/a');
  const lines = [
    '',
    `OTLP ingest benchmark: ${total.toLocaleString('en-US')} spans, ${mb.toFixed(0)} MB, ${cpus().length} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')}`,
    '',
    '| phase | wall s | wall × parse | wall × read_json | CPU s | CPU × parse | CPU × read_json | peak RSS MB | spans/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(([name, r]) =>
      `| ${name} | ${r.wall.toFixed(1)} | ${ratio(r.wall, parse.wall)} | ${ratio(r.wall, duck?.wall)} | ${r.cpu.toFixed(1)} | ${ratio(r.cpu, parse.cpu)} | ${ratio(r.cpu, duck?.cpu)} | ${r.rssMb.toFixed(0)} | ${Math.round(total / r.wall).toLocaleString('en-US')} |`),
    '',
    `target: ingest wall ≤ JSON.parse pass wall: ${ingest.wall <= parse.wall ? 'met' : 'NOT met'} (${ratio(ingest.wall, parse.wall)}); ` +
      `peak RSS ≤ 1024 MB: ${ingest.rssMb <= 1024 ? 'met' : 'NOT met'} (${ingest.rssMb.toFixed(0)} MB)`,
    '',
  ];
  return lines.join('\n');
}

await main();
