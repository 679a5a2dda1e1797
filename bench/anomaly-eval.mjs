// `npm run bench:anomalies`: precision and recall of each anomaly detector over several seeds of the
// labelled scenario (test/anomalies/scenario/: injected incidents with ground truth, clean look-alikes).
// The scenario code is TypeScript under test/, so it is compiled first (tsc, into bench/.data/anomaly-eval).
// Per detector, summed over the seeds: injected incidents, detected (a finding of the kind with the
// injection's tenant/route whose window starts on its first day, or within its slack), findings,
// true positives, secondary findings (real: they name an injected tenant/route in its window, as
// another kind's consequence), false positives, duplicates (an incident reported in pieces), then
// precision = TP / findings, precision counting secondary findings as right, and recall = detected / injected.
// Options: --seeds 1,2,3,4,5,6,7,8   --verbose (every missed injection, false finding and control hit)
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'bench/.data/anomaly-eval');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const seeds = arg('--seeds', '1,2,3,4,5,6,7,8').split(',').map(Number);
const verbose = process.argv.includes('--verbose');

const tsc = spawnSync(process.execPath, [
  join(ROOT, 'node_modules/typescript/bin/tsc'),
  '--outDir', OUT, '--rootDir', ROOT, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
  '--types', 'node', '--strict', '--skipLibCheck', '--esModuleInterop', '--resolveJsonModule', '--sourceMap', 'false',
  join(ROOT, 'test/anomalies/scenario/run-eval.ts'),
], { encoding: 'utf8', cwd: ROOT });
if (tsc.status !== 0) {
  process.stderr.write(`compiling the scenario failed:\n${tsc.stdout}${tsc.stderr}`);
  process.exit(3);
}
const { evaluateSeed } = await import(pathToFileURL(join(OUT, 'test/anomalies/scenario/run-eval.js')).href);
const { totals } = await import(pathToFileURL(join(OUT, 'test/anomalies/scenario/evaluate.js')).href);

const evaluations = [];
for (const seed of seeds) {
  const result = await evaluateSeed(seed);
  evaluations.push(result.evaluation);
  const e = result.evaluation;
  process.stderr.write(`seed ${seed}: ${result.findings.length} findings, ${e.missed.length} missed, ${e.falseFindings.length} false, ${e.controlHits.length} on controls\n`);
  if (verbose) {
    for (const m of e.missed) process.stderr.write(`  missed ${m.kind} ${m.tenant ?? '-'} ${m.route ?? '-'} from ${m.startDay}\n`);
    for (const f of e.falseFindings) process.stderr.write(`  false  ${f.summary}\n`);
    for (const c of e.controlHits) process.stderr.write(`  control "${c.control}": ${c.finding.summary}\n`);
  }
}

const fmt = (n, d) => (d === 0 ? '   n/a' : (n / d).toFixed(3).padStart(6));
const header = ['detector', 'injected', 'detected', 'findings', 'TP', 'secondary', 'false', 'dup', 'precision', 'prec+sec', 'recall'];
const widths = [17, 8, 8, 8, 4, 9, 5, 3, 9, 8, 6];
const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
console.log(`anomaly detectors over seeds ${seeds.join(',')} (${seeds.length} scenarios of 28 days)`);
console.log(line(header));
const rows = totals(evaluations);
for (const r of rows) {
  console.log(line([r.kind, r.injected, r.detected, r.findings, r.truePositives, r.secondary, r.falsePositives, r.duplicates,
    fmt(r.truePositives, r.findings), fmt(r.truePositives + r.secondary, r.findings), fmt(r.detected, r.injected)]));
}
const all = rows.reduce((a, r) => ({
  injected: a.injected + r.injected, detected: a.detected + r.detected, findings: a.findings + r.findings,
  tp: a.tp + r.truePositives, sec: a.sec + r.secondary, fp: a.fp + r.falsePositives, dup: a.dup + r.duplicates,
}), { injected: 0, detected: 0, findings: 0, tp: 0, sec: 0, fp: 0, dup: 0 });
console.log(line(['all', all.injected, all.detected, all.findings, all.tp, all.sec, all.fp, all.dup, fmt(all.tp, all.findings), fmt(all.tp + all.sec, all.findings), fmt(all.detected, all.injected)]));
const touched = evaluations.reduce((n, e) => n + e.controlHits.length, 0);
console.log(`findings on clean controls: ${touched}`);
