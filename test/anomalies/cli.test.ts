// End to end: the built CLI on a database file holding the labelled scenario, priced by the built-in book.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { AnomaliesResult, Anomaly } from '../../src/analysis/anomalies/index.js';
import { Database } from '../../src/db/database.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { detects, touches } from './scenario/evaluate.js';
import { generateScenario, INJECTED, type Scenario } from './scenario/generate.js';
import { insertSpans } from './scenario/load.js';

let scenario: Scenario;
let dbPath: string;

beforeAll(async () => {
  scenario = generateScenario(7);
  dbPath = join(tempDir('costattr-anomalies-e2e-'), 'scenario.duckdb');
  const db = await Database.open({ path: dbPath });
  await insertSpans(db, scenario.spans);
  db.close();
});

async function runJson(args: string[], cwd?: string): Promise<Anomaly[]> {
  const result = await runCli(['anomalies', '--db', dbPath, '--format', 'json', ...args], { cwd: cwd ?? tempDir() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as AnomaliesResult).anomalies;
}

describe('costattr anomalies (built CLI)', () => {
  test('json: every injected incident is found once, with the PRODUCT.md keys, and nothing on the controls', async () => {
    const found = await runJson([]);
    for (const inj of scenario.injections) {
      expect(found.filter((f) => detects(f, inj)), `${inj.kind} ${inj.tenant} ${inj.route}`).toHaveLength(1);
    }
    expect(found).toHaveLength(scenario.injections.length);
    for (const c of scenario.controls) expect(found.filter((f) => touches(f, c)), c.name).toEqual([]);
    expect(Object.keys(found[0] ?? {})).toEqual(['kind', 'severity', 'tenant', 'route', 'model', 'tool', 'start', 'end', 'summary', 'evidence', 'trace_ids']);
    expect(found.every((f) => f.trace_ids.length > 0 && f.trace_ids.length <= 10 && f.evidence.trace_count >= f.trace_ids.length)).toBe(true);
    // incidents carry their days: each with its window and money, adding up to the incident's
    for (const f of found) {
      const days = f.evidence.by_day as Array<{ start: string; end: string; impact_usd: number }>;
      expect(days.length).toBeGreaterThan(0);
      expect(days[0]?.start).toBe(f.start);
      expect(days.at(-1)?.end).toBe(f.end);
      expect(days.reduce((sum, d) => sum + d.impact_usd, 0)).toBeCloseTo(f.evidence.impact_usd, 5);
    }
  });

  test('--kind and --min-usd filter', async () => {
    const found = await runJson(['--kind', 'spend_spike,tool_loop', '--min-usd', '1.5']);
    const expected = (await runJson([])).filter((f) => (f.kind === 'spend_spike' || f.kind === 'tool_loop') && f.evidence.impact_usd >= 1.5);
    expect(expected.map((f) => f.kind)).toEqual(expect.arrayContaining(['spend_spike', 'tool_loop'])); // the filter keeps some of each
    expect(found).toEqual(expected);
  });

  test('thresholds in costattr.config.json change the result; a bad key is a usage error naming it', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'costattr.config.json'), JSON.stringify({ anomalies: { tool_loop: { minRepeats: 15 } } }));
    expect(await runJson(['--kind', 'tool_loop'], cwd)).toEqual([]);
    const loops = await runJson(['--kind', 'tool_loop']);
    expect(loops.map((f) => f.tenant)).toContain(INJECTED.loopTenant);
    expect(loops).toEqual((await runJson([])).filter((f) => f.kind === 'tool_loop'));
    writeFileSync(join(cwd, 'costattr.config.json'), JSON.stringify({ anomalies: { tool_loop: { maxRepeats: 15 } } }));
    const bad = await runCli(['anomalies', '--db', dbPath], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('anomalies.tool_loop.maxRepeats');
  });

  test('md: a Markdown table with escaped text, one row per finding', async () => {
    const result = await runCli(['anomalies', '--db', dbPath, '--format', 'md', '--tenant', INJECTED.loopTenant], { cwd: tempDir() });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('| severity | kind | tenant | route | window | at stake | summary | traces |');
    const rows = lines.filter((l) => l.startsWith('| critical') || l.startsWith('| warn'));
    expect(rows).toHaveLength((await runJson(['--tenant', INJECTED.loopTenant])).length);
    expect(rows.some((r) => r.includes('tool\\_loop') && r.includes('search\\_inbox'))).toBe(true);
    expect(rows.every((r) => r.includes(`| ${INJECTED.loopTenant} |`))).toBe(true);
  });
});
