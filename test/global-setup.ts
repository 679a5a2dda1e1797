// Builds the CLI once before the suite so end-to-end tests spawn the real `bin/costattr.js`.
// Emit only (--noCheck: the same JavaScript, in half the time): type errors would not stop the suite
// anyway, and `npm run typecheck` (in `.ci/run`) checks them.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.COSTATTR_SKIP_BUILD === '1') return;
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--noCheck'], { encoding: 'utf8' });
  if (result.status !== 0) process.stderr.write(`build reported errors (tests use what it emitted):\n${result.stdout}${result.stderr}`);
}
