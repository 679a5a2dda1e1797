/**
 * The one error type for problems the user can fix (bad input, bad usage, a gate that failed).
 * Thrown where the problem is known; printed once at the CLI boundary. Anything else is a bug (exit 3).
 */
export type ErrorCode =
  | 'BAD_USAGE'
  | 'BAD_INPUT'
  | 'DB_IN_USE'
  | 'NOT_FOUND'
  | 'NO_DATA'
  | 'GATE_FAILED';

export class CostattrError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CostattrError';
    this.code = code;
    this.exitCode = options.exitCode ?? (code === 'GATE_FAILED' ? 1 : 2);
    this.hint = options.hint;
  }
}

/** A bad input record: names the file, the line or row, and the field. */
export function badInput(file: string, where: { line?: number; row?: number }, field: string | undefined, problem: string): CostattrError {
  const pos = where.line !== undefined ? `:${where.line}` : where.row !== undefined ? ` row ${where.row}` : '';
  const fieldPart = field ? ` field ${field}:` : '';
  return new CostattrError('BAD_INPUT', `${file}${pos}:${fieldPart} ${problem}`);
}

/**
 * Parse a JSON document the user pointed us at: a UTF-8 BOM is ignored (editors on Windows write
 * one), and a syntax error becomes exit 2 naming the file and the line it was found on.
 */
export function parseJsonDocument(file: string, text: string, problem = 'not valid JSON'): unknown {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message)?.[1];
    const offset = at !== undefined ? Number(at) : /end of JSON input|Unterminated/.test(message) ? body.length : undefined;
    const line = offset === undefined ? undefined : body.slice(0, offset).split('\n').length;
    const where = line === undefined ? '' : ` at line ${line}`;
    throw new CostattrError('BAD_INPUT', `${file}: ${problem}${where}: ${message}`, { cause: err });
  }
}
