// Builds the CLI once before the suite so end-to-end tests spawn the real `bin/costattr.js`.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.COSTATTR_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
