/**
 * The commander program: registers one module per command, applies `costattr.config.json`
 * defaults, and is the single place that turns errors into messages and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { CostattrError } from '../errors.js';
import { applyConfigDefaults } from './config.js';
import { COMMANDS } from './commands/index.js';

function buildProgram(): Command {
  const program = new Command('costattr')
    .description('LLM agent cost attribution: price spans, attribute cost, reconcile against invoices')
    .option('--debug', 'print stack traces for internal errors')
    .showHelpAfterError()
    .exitOverride();
  program.hook('preAction', (_program, action) => applyConfigDefaults(action, process.cwd()));
  for (const register of COMMANDS) register(program);
  return program;
}

function wantsJson(argv: readonly string[]): boolean {
  const i = argv.indexOf('--format');
  return (i >= 0 && argv[i + 1] === 'json') || argv.includes('--format=json');
}

/** Run the CLI; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return Number(process.exitCode ?? 0);
  } catch (err) {
    return reportError(err, argv);
  }
}

function reportError(err: unknown, argv: readonly string[]): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" to commander but success to the user
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2; // commander already printed its message
  }
  if (err instanceof CostattrError) {
    if (wantsJson(argv)) process.stderr.write(JSON.stringify({ error: err.message, code: err.code }) + '\n');
    else process.stderr.write(`costattr: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (argv.includes('--debug') && err instanceof Error) process.stderr.write(`${err.stack ?? message}\n`);
  else process.stderr.write(`costattr: internal error: ${message}\n(run with --debug for a stack trace)\n`);
  return 3;
}
