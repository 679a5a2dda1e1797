/** JSON output: two-space indented, keys in the order the result object was built (stable). */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
