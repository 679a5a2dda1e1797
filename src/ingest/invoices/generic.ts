/**
 * A CSV in no known format, read through a column mapping (canonical name ← source column):
 * `day`, `model`, `token_class`, `quantity`, `amount_usd`, `list_amount_usd`, `provider`, `tier`,
 * `workspace`, `project`, `api_key`, `description`. Without a mapping, a header already using
 * the canonical names is accepted. Token classes are read from text (`cached input` → cache_read).
 * A `currency` column other than USD converts at the rate given with `--fx` (or is refused).
 */
import { quoteLiteral } from '../../db/quote.js';
import { CostattrError } from '../../errors.js';
import { Fields, tierOf, type InvoiceAdapter } from './adapter.js';
import { providerFromName, tokenClassFromText } from './focus.js';

export const GENERIC_COLUMNS = ['day', 'model', 'token_class', 'quantity', 'amount_usd', 'list_amount_usd', 'currency', 'provider', 'tier', 'workspace', 'project', 'api_key', 'description'] as const;

/** The adapter for one mapping (identity when none is given). */
export function genericCsv(mapping: Record<string, string> | undefined): InvoiceAdapter {
  for (const key of Object.keys(mapping ?? {})) {
    if (!(GENERIC_COLUMNS as readonly string[]).includes(key)) {
      throw new CostattrError('BAD_USAGE', `invoice mapping: unknown column ${key} (expected ${GENERIC_COLUMNS.join(', ')})`);
    }
  }
  const source = (name: string) => mapping?.[name] ?? name;
  return {
    format: 'generic-csv',
    kind: 'cost',
    reader: 'csv',
    provider: undefined,
    detect: (f: Fields) => f.has(source('day')) && (f.has(source('amount_usd')) || f.has(source('quantity'))),
    kindFor: (f: Fields) => (f.has(source('amount_usd')) ? 'cost' : 'usage'),
    lines: (f: Fields, ctx) => {
      const col = (name: string) => f.col(source(name));
      const provider = ctx.provider !== undefined ? quoteLiteral(ctx.provider) : providerFromName(col('provider'));
      return {
        provider,
        day: { sql: col('day'), field: source('day') },
        model: col('model'),
        tokenClass: f.has(source('token_class'))
          ? `CASE WHEN lower(${col('token_class')}) IN ('input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output', 'other') THEN lower(${col('token_class')})
                  ELSE ${tokenClassFromText(col('token_class'))} END`
          : `'other'`,
        quantity: { sql: col('quantity'), field: source('quantity') },
        amount: { sql: col('amount_usd'), field: source('amount_usd') },
        listAmount: { sql: col('list_amount_usd'), field: source('list_amount_usd') },
        currency: f.has(source('currency')) ? { sql: col('currency'), field: source('currency') } : undefined,
        tier: f.has(source('tier')) ? tierOf(col('tier')) : undefined,
        workspace: col('workspace'),
        project: col('project'),
        apiKey: col('api_key'),
        description: col('description'),
        problem: {
          sql: `CASE WHEN ${provider} IS NULL THEN 'no provider: map a provider column or give --provider' END`,
          field: source('provider'),
        },
      };
    },
  };
}
