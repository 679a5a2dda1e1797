// The package as a user gets it: `npm pack` of the built tree, installed with
// `npm install -g --prefix <tmp> ./costattr-*.tgz` (dependencies from the registry), then
// `costattr --version` and `costattr costs --spans` (DuckDB's native binding and the shipped price
// book, answering the e2e golden byte for byte) run from an unrelated directory, `npx` runs the same
// tarball, and a script imports the typed library entry point by its package name. (`.ci/run` runs
// `demo` from the packed tarball after the suite; test/demo/cli.test.ts checks the demo in full.)
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, type CliResult } from '../helpers/cli.js';
import { INBOX_FIXTURE } from '../helpers/lakes.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Asynchronous, so vitest's worker keeps its event loop through a long install. */
function run(command: string, args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  expect(result.code, `${command} ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

describe('the npm package', () => {
  it('packs dist, bin, pricing, schemas, README and LICENSE; installs globally; --version, a priced read, npx and the library work', async () => {
    const dir = tempDir('costattr-pack-');
    // the suite's global setup built dist/; --ignore-scripts skips prepack's second build
    const packed = JSON.parse(await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = packed[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(expect.arrayContaining([
      'bin/costattr.js', 'dist/cli/index.js', 'dist/index.js', 'dist/index.d.ts', 'pricing/anthropic.json', 'pricing/openai.json',
      'schemas/costs.schema.json', 'schemas/reconcile.schema.json', 'README.md', 'LICENSE', 'package.json',
    ]));
    expect(files.filter((f) => /^(src|test|fixtures|bench|node_modules)\//.test(f) || f.endsWith('.map'))).toEqual([]);
    const tarball = join(dir, packed[0]?.filename ?? '');

    const prefix = join(dir, 'prefix');
    await ok('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', tarball], dir);
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const bin = join(prefix, 'bin', 'costattr');
    expect((await ok(bin, ['--version'], elsewhere)).trim()).toBe(VERSION);
    const installed = JSON.parse(readFileSync(join(prefix, 'lib/node_modules/costattr/package.json'), 'utf8')) as Record<string, unknown>;
    expect(installed).toMatchObject({ license: 'MIT', engines: { node: '>=20.19' }, repository: { type: 'git' } });
    expect(readFileSync(join(prefix, 'lib/node_modules/costattr/LICENSE'), 'utf8')).toMatch(/^MIT License/);

    // a script beside the global node_modules resolves `costattr` by name through `exports`
    const script = join(prefix, 'lib', 'use-costattr.mjs');
    writeFileSync(script, [
      "import { attributeCosts, withWorkspace, documentJsonSchema, SCHEMA_VERSION } from 'costattr';",
      "const schema = await import('costattr/schemas/costs.schema.json', { with: { type: 'json' } });",
      'console.log(JSON.stringify([typeof attributeCosts, typeof withWorkspace, documentJsonSchema("costs").title, SCHEMA_VERSION, schema.default.$id]));',
    ].join('\n'));
    // independent of each other: side by side
    const [costs, npx, library] = await Promise.all([
      ok(bin, ['costs', '--spans', join(ROOT, INBOX_FIXTURE, 'spans.otlp.jsonl'), '--by', 'tenant', '--format', 'json', '--quiet'], elsewhere),
      // npx with the same tarball (its dependencies now come from npm's cache), without the optional chdb:
      // the global install above carries it; this one unpacks ~550 MB less and shows the CLI runs without it
      ok('npx', ['--yes', '--omit=optional', '--package', tarball, '--', 'costattr', '--version'], elsewhere),
      ok(process.execPath, [script], elsewhere),
    ]);
    // the inbox fixture's spans priced by the installed package: the --db answer (figures re-derived by hand in commands.test.ts)
    expect(costs).toBe(readFileSync(join(ROOT, 'test/e2e/golden/inbox/costs-by-tenant.json'), 'utf8'));
    expect(readdirSync(elsewhere)).toEqual([]); // a read leaves nothing behind in the working directory
    expect(npx.trim()).toBe(VERSION);
    expect(JSON.parse(library)).toEqual([
      'function', 'function', 'costattr costs --format json', 1, 'https://github.com/costattr/costattr/schemas/costs.schema.json',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
