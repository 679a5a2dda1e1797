/**
 * The attribution dimensions `costs --by` accepts, and the SQL expression each one groups by.
 * Tag dimensions with no value fall into `__unattributed__` (never dropped); model/provider/time
 * with no value into `__unknown__`, so every span lands in exactly one bucket.
 */
import type { Dialect } from '../db/dialect.js';
import { UNATTRIBUTED } from '../db/schema.js';
import { quoteLiteral } from '../db/quote.js';
import { CostattrError } from '../errors.js';

export const DIMENSIONS = [
  'tenant', 'user', 'task', 'route', 'model', 'provider', 'tier', 'effort', 'day', 'week', 'month', 'layer',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export const UNKNOWN = '__unknown__';

/** Parse a `--by` list (`tenant,model`): known names, no repeats, at least one. */
export function parseDimensions(input: string | readonly string[]): Dimension[] {
  const names = (typeof input === 'string' ? [input] : input)
    .flatMap((part) => part.split(','))
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part.length > 0);
  if (names.length === 0) throw new CostattrError('BAD_USAGE', `--by needs at least one of ${DIMENSIONS.join(', ')}`);
  const seen = new Set<Dimension>();
  for (const name of names) {
    if (!(DIMENSIONS as readonly string[]).includes(name)) {
      throw new CostattrError('BAD_USAGE', `--by ${name}: unknown dimension; use one or more of ${DIMENSIONS.join(', ')}`);
    }
    const dim = name as Dimension;
    if (seen.has(dim)) throw new CostattrError('BAD_USAGE', `--by ${name}: given twice`);
    seen.add(dim);
  }
  return [...seen];
}

const tag = (column: string): string => `coalesce(${column}, ${quoteLiteral(UNATTRIBUTED)})`;
const known = (expr: string): string => `coalesce(${expr}, ${quoteLiteral(UNKNOWN)})`;

/**
 * SQL for a dimension over a row of the `base` relation (priced_spans + `local_time`, the span's
 * start in the requested time zone), in the engine's dialect. `layer` is produced by the layer
 * split, not by an expression.
 */
export function dimensionSql(dim: Exclude<Dimension, 'layer'>, dialect: Dialect): string {
  switch (dim) {
    case 'tenant': return tag('tenant');
    case 'user': return tag('user_id');
    case 'task': return tag('task');
    case 'route': return tag('route');
    case 'tier': return tag('tier');
    case 'effort': return tag('effort');
    case 'model': return known('model');
    case 'provider': return known('provider');
    case 'day': return known(dialect.strftime('local_time', '%Y-%m-%d'));
    case 'week': return known(dialect.strftime('local_time', '%G-W%V'));
    case 'month': return known(dialect.strftime('local_time', '%Y-%m'));
    default: return (dim satisfies never) as string;
  }
}
