/**
 * The output layer: renders a command's result in the chosen format to stdout or `--out`
 * (atomically), decides colour and table width, prints notes to stderr, and turns errors into
 * messages and exit codes.
 */
import { CommanderError } from 'commander';
import { writeFileAtomic } from '../app/atomic-file.js';
import { CostattrError } from '../errors.js';
import { tableWidth, wantsColor } from '../render/color.js';
import type { Format } from '../render/formats.js';
import type { Rendering } from '../render/rendering.js';
import { safeMessage } from '../render/terminal-text.js';

export interface OutputOptions {
  format: Format;
  out?: string | undefined;
  quiet?: boolean | undefined;
}

/** The program-wide display flags (`--color`/`--no-color`, `--wide`), set once before a command runs. */
export interface DisplayFlags {
  color?: boolean | undefined;
  wide?: boolean | undefined;
}

let display: DisplayFlags = {};

export function setDisplayFlags(flags: DisplayFlags): void {
  display = flags;
}

/** Progress and notes go to stderr, never stdout. */
export function note(options: { quiet?: boolean | undefined }, message: string): void {
  if (!options.quiet) process.stderr.write(`${safeMessage(message)}\n`);
}

/** Print (or write) the rendering in the chosen format, then the files beside it and the notes. */
export function emit(rendering: Rendering, options: OutputOptions): void {
  const render = rendering.renderers[options.format];
  if (render === undefined) throw new CostattrError('BAD_USAGE', `--format ${options.format} is not available here`);
  const toFile = options.out !== undefined;
  const isTTY = process.stdout.isTTY === true;
  const color = wantsColor(process.env, { flag: display.color, isTTY, toFile });
  const width = tableWidth(process.env, { wide: display.wide === true, columns: isTTY ? process.stdout.columns : undefined, toFile });
  const text = render({ color, width });
  if (text.length === 0 && rendering.emptyIsSilence) writeData(options.out, '');
  else writeData(options.out, text.endsWith('\n') ? text : `${text}\n`);
  for (const file of rendering.files ?? []) {
    writeFileAtomic(file.path, file.text);
    note(options, file.note);
  }
  for (const line of rendering.notes?.(options.format) ?? []) note(options, line);
}

function writeData(out: string | undefined, body: string): void {
  if (out !== undefined) writeFileAtomic(out, body);
  else if (body.length > 0) process.stdout.write(body);
}

function wantsJson(argv: readonly string[]): boolean {
  const i = argv.indexOf('--format');
  return (i >= 0 && argv[i + 1] === 'json') || argv.includes('--format=json');
}

/** The one place an error becomes a message on stderr and an exit code. */
export function reportError(err: unknown, argv: readonly string[]): number {
  if (err instanceof CommanderError) {
    // help and version are "errors" to commander but success to the user
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    return 2; // commander already printed its message
  }
  if (err instanceof CostattrError) {
    if (wantsJson(argv)) process.stderr.write(JSON.stringify({ error: err.message, code: err.code }) + '\n');
    else process.stderr.write(safeMessage(`costattr: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`));
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  if (argv.includes('--debug') && err instanceof Error) process.stderr.write(safeMessage(`${err.stack ?? message}\n`));
  else process.stderr.write(safeMessage(`costattr: internal error: ${message}\n(run with --debug for a stack trace)\n`));
  return 3;
}
