/**
 * Whether output gets ANSI colour, and how wide a table may be. Colour, first rule that decides:
 * `--color`/`--no-color`; never into an `--out` file; `NO_COLOR` (non-empty) off; `FORCE_COLOR`
 * (`0`/`false` off, anything else on, also when piped); otherwise only on a terminal.
 */
export interface ColorChoice {
  /** `--color` (true) or `--no-color` (false); undefined when neither was given. */
  flag?: boolean | undefined;
  isTTY: boolean;
  toFile: boolean;
}

export function wantsColor(env: Record<string, string | undefined>, choice: ColorChoice): boolean {
  if (choice.toFile) return false;
  if (choice.flag !== undefined) return choice.flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return choice.isTTY;
}

export interface WidthChoice {
  /** `--wide`: every column, however wide. */
  wide: boolean;
  /** The terminal's columns when stdout is one. */
  columns?: number | undefined;
  toFile: boolean;
}

/**
 * The width tables must fit: the terminal's, else `$COLUMNS`; unlimited (undefined) with `--wide`,
 * into a file, or piped with no `$COLUMNS` (a pipeline gets every column).
 */
export function tableWidth(env: Record<string, string | undefined>, choice: WidthChoice): number | undefined {
  if (choice.wide || choice.toFile) return undefined;
  if (choice.columns !== undefined && choice.columns > 0) return choice.columns;
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}
