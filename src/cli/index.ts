/**
 * The commander program: registers one module per command (each loads its analysis lazily, so
 * `--help` and `--version` load no DuckDB), applies `costattr.config.json` defaults, and hands any
 * error to the output layer for its message and exit code.
 */
import { Command } from 'commander';
import { costattrVersion } from '../app/version.js';
import { addDisplayOptions } from './common.js';
import { applyConfigDefaults } from './config-defaults.js';
import { COMMANDS } from './commands/index.js';
import { reportError } from './output.js';

function buildProgram(): Command {
  const program = new Command('costattr')
    .description('LLM agent cost attribution: price spans, attribute cost, reconcile against invoices')
    .version(costattrVersion(), '-V, --version', 'print the costattr version')
    .option('--debug', 'print stack traces for internal errors')
    .showHelpAfterError()
    .exitOverride();
  program.hook('preAction', (_program, action) => applyConfigDefaults(program, action, process.cwd()));
  addDisplayOptions(program);
  for (const register of COMMANDS) register(program);
  return program;
}

/** A reader that closed the pipe (`costattr … | head`) has all it wanted: stop quietly. */
function quietOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  quietOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    return reportError(err, argv);
  }
}
