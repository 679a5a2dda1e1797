/**
 * What an invoice adapter is: a header test and SQL expressions over the raw relation that name,
 * per billed line, its day, model, token class, quantity, dollars and dimensions. `stagingSelect`
 * turns those expressions into one SELECT the common staging step (stage.ts) casts and checks.
 */
import { quoteIdent, quoteLiteral } from '../../db/quote.js';
import type { InvoiceFormat, InvoiceKind } from './types.js';

/** Column names of the raw input, matched case-insensitively (header variants across exports). */
export class Fields {
  private readonly byLower: Map<string, string>;

  constructor(private readonly all: readonly string[]) {
    this.byLower = new Map(all.map((name) => [name.trim().toLowerCase(), name]));
  }

  names(): readonly string[] {
    return this.all;
  }

  has(...names: string[]): boolean {
    return names.every((name) => this.byLower.has(name.toLowerCase()));
  }

  /** The actual header spelling of the first present name, if any. */
  find(...names: string[]): string | undefined {
    for (const name of names) {
      const actual = this.byLower.get(name.toLowerCase());
      if (actual !== undefined) return actual;
    }
    return undefined;
  }

  /** A quoted column reference to the first present name (trimmed, '' → NULL), or SQL NULL. */
  col(...names: string[]): string {
    const actual = this.find(...names);
    return actual === undefined ? 'CAST(NULL AS VARCHAR)' : `NULLIF(trim(${quoteIdent(actual)}), '')`;
  }
}

/** An input value and the source field it came from (named in error messages). */
export interface SourcedValue {
  sql: string;
  field: string;
  /** `field` is an SQL expression (e.g. the unpivoted piece's field), not a fixed name. */
  fieldIsSql?: boolean;
}

/** The quantity of an unpivoted row (see `perClass`). */
export const PIECE_QUANTITY: SourcedValue = { sql: 'piece.quantity', field: 'piece.field', fieldIsSql: true };

const fieldOf = (value: SourcedValue | undefined) => (value?.fieldIsSql ? value.field : quoteLiteral(value?.field ?? ''));

/** SQL expressions (over `from`) describing one staged line. Text values; stage.ts casts them. */
export interface LineExpressions {
  /** Relation the expressions read; default the raw table. Must expose `source_row` and `location`. */
  from?: string;
  provider: string;
  day: SourcedValue;
  model?: string;
  tokenClass: string;
  quantity?: SourcedValue & { scale?: string };
  amount?: SourcedValue & { cents?: boolean };
  listAmount?: SourcedValue;
  /** The currency of `amount` and `listAmount` (ISO code); absent or USD: dollars. Others convert at --fx or are refused (stage.ts). */
  currency?: SourcedValue;
  tier?: string;
  longContext?: string;
  workspace?: string;
  project?: string;
  apiKey?: string;
  description?: string;
  /** Rows that carry no charge at all (e.g. an empty day in an OpenAI export): left out, not rejected. */
  skip?: string;
  /** Adapter-level check: SQL yielding NULL or a problem text, blamed on `field`. */
  problem?: SourcedValue;
}

export interface InvoiceAdapter {
  format: InvoiceFormat;
  kind: InvoiceKind;
  reader: 'csv' | 'json';
  /** The provider every line has, or undefined when it comes from the data or --provider. */
  provider: string | undefined;
  detect(fields: Fields): boolean;
  /** Columns a detected file must also have: without them its figures would silently be zero. */
  required?: readonly string[];
  /** Overrides `kind` when the columns decide it (a mapped CSV with tokens but no dollars is usage). */
  kindFor?(fields: Fields): InvoiceKind;
  lines(fields: Fields, ctx: { provider: string | undefined }): LineExpressions;
}

export const RAW_TABLE = 'invoice_raw';

/** A value from the current JSON result (text, '' → NULL); `path` is a fixed dotted name. */
export const jsonField = (path: string) => `NULLIF(trim(json_extract_string(result, ${quoteLiteral(`$.${path}`)})), '')`;

const text = (sql: string | undefined) => sql ?? 'CAST(NULL AS VARCHAR)';

/** The SELECT producing the staged columns stage.ts expects, from an adapter's expressions. */
export function stagingSelect(e: LineExpressions): string {
  return `SELECT source_row, location,
    ${e.provider} AS provider,
    ${e.day.sql} AS day_text, ${quoteLiteral(e.day.field)} AS day_field,
    ${text(e.model)} AS model,
    ${e.tokenClass} AS token_class,
    ${text(e.quantity?.sql)} AS quantity_text, ${fieldOf(e.quantity)} AS quantity_field,
    CAST(${e.quantity?.scale ?? '1'} AS BIGINT) AS quantity_scale,
    ${text(e.amount?.sql)} AS amount_text, ${quoteLiteral(e.amount?.field ?? '')} AS amount_field,
    ${e.amount?.cents ? 'true' : 'false'} AS amount_in_cents,
    ${text(e.listAmount?.sql)} AS list_amount_text, ${quoteLiteral(e.listAmount?.field ?? '')} AS list_amount_field,
    upper(${text(e.currency?.sql)}) AS currency, ${quoteLiteral(e.currency?.field ?? '')} AS currency_field,
    coalesce(${text(e.tier)}, 'standard') AS tier,
    coalesce(${e.longContext ?? 'false'}, false) AS long_context,
    ${text(e.workspace)} AS workspace,
    ${text(e.project)} AS project,
    ${text(e.apiKey)} AS api_key,
    ${text(e.description)} AS description,
    coalesce(${e.skip ?? 'false'}, false) AS skip,
    ${text(e.problem?.sql)} AS problem, ${quoteLiteral(e.problem?.field ?? '')} AS problem_field
  FROM ${e.from ?? RAW_TABLE}`;
}

/** `CASE <expr> WHEN 'a' THEN 'x' … ELSE <otherwise> END` from a lookup table (keys lowercased). */
export function mapValues(expr: string, table: Record<string, string>, otherwise: string): string {
  const whens = Object.entries(table).map(([from, to]) => `WHEN ${quoteLiteral(from)} THEN ${quoteLiteral(to)}`);
  return `CASE lower(${expr}) ${whens.join(' ')} ELSE ${otherwise} END`;
}

/** A service tier from free text: batch/flex/priority, anything else standard. */
export function tierOf(expr: string): string {
  return `CASE WHEN lower(${expr}) LIKE '%batch%' THEN 'batch' WHEN lower(${expr}) LIKE '%flex%' THEN 'flex'
    WHEN lower(${expr}) LIKE '%priority%' THEN 'priority' ELSE 'standard' END`;
}

/** Day text from a unix-seconds column (OpenAI), else from an ISO column. */
export function unixOrIsoDay(unix: string, iso: string): string {
  return `coalesce(${iso}, CASE WHEN regexp_full_match(${unix}, '\\d+(\\.\\d+)?')
    THEN strftime(to_timestamp(CAST(${unix} AS DOUBLE)), '%Y-%m-%dT%H:%M:%SZ') ELSE ${unix} END)`;
}

/**
 * Unpivot a row holding one count per token class into one row per class, as a relation for
 * `LineExpressions.from`: it exposes `piece.token_class`, `piece.quantity`, `piece.field`.
 */
export function perClass(pieces: ReadonlyArray<{ tokenClass: string; sql: string; field: string }>, from = RAW_TABLE): string {
  const structs = pieces.map((p) => `{'token_class': ${quoteLiteral(p.tokenClass)}, 'quantity': ${p.sql}, 'field': ${quoteLiteral(p.field)}}`);
  return `(SELECT *, unnest([${structs.join(', ')}]) AS piece FROM ${from})`;
}
