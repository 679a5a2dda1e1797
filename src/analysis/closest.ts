/** "Did you mean": the names closest to a misspelt one, by edit distance. */
import { distance } from 'fastest-levenshtein';

/** The closest few of `names` to `wanted` (case-insensitive edit distance; ties by name). */
export function closestNames(wanted: string, names: readonly string[], count = 3): string[] {
  return [...names]
    .map((name) => ({ name, d: distance(wanted.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, count)
    .map((x) => x.name);
}
