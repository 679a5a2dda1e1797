/** Whether output gets ANSI colour: only on a terminal, never into a file, and never under NO_COLOR. */
export function wantsColor(env: Record<string, string | undefined>, isTTY: boolean, toFile: boolean): boolean {
  if (toFile || !isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return true;
}
