// Start-up stays light: `--help`, `--version` and a command's own `--help` load no native binding
// (the DuckDB addon is the only one costattr uses) and print what they should.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** Run the CLI with `process.dlopen` (how Node loads a native addon) recording every library it loads. */
function runCounting(args: string[]): { code: number; stdout: string; loaded: string[] } {
  const script = `
    const loaded = [];
    const dlopen = process.dlopen;
    process.dlopen = (module, file, ...rest) => { loaded.push(file); return dlopen(module, file, ...rest); };
    const { main } = await import(${JSON.stringify(join(ROOT, 'dist/cli/index.js'))});
    const code = await main(['node', 'costattr', ...${JSON.stringify(args)}]);
    process.stderr.write('LOADED:' + JSON.stringify(loaded) + '\\n');
    process.exitCode = code;`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const line = result.stderr.split('\n').find((l) => l.startsWith('LOADED:')) ?? 'LOADED:null';
  return { code: result.status ?? -1, stdout: result.stdout, loaded: JSON.parse(line.slice('LOADED:'.length)) as string[] };
}

describe('start-up', () => {
  it('--help lists the commands and loads no native addon', () => {
    const run = runCounting(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/reconcile/);
    expect(run.loaded).toEqual([]);
  });

  it('--version prints the package version and loads no native addon', () => {
    const run = runCounting(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.loaded).toEqual([]);
  });

  it.each(['costs', 'reconcile', 'ingest', 'report', 'diff', 'guard', 'whatif', 'sql', 'demo'])('%s --help loads no native addon', (command) => {
    const run = runCounting([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Usage: costattr ${command}`));
    expect(run.loaded).toEqual([]);
  });

  it('a command that reads a database does load the DuckDB addon (the check above can see it)', () => {
    const run = runCounting(['sql', 'SELECT 42 AS answer', '--spans', join(ROOT, 'test/e2e/fixtures'), '--format', 'json', '--quiet']);
    expect(run.loaded.some((file) => /duckdb/i.test(file))).toBe(true);
  });
});
