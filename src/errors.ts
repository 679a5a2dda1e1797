/**
 * The one error type for problems the user can fix (bad input, bad usage, a gate that failed).
 * Thrown where the problem is known; printed once at the CLI boundary. Anything else is a bug (exit 3).
 */
export type ErrorCode =
  | 'BAD_USAGE'
  | 'BAD_INPUT'
  | 'DB_IN_USE'
  | 'NOT_FOUND'
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
