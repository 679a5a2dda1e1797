/**
 * The common half of every invoice adapter: cast the adapter's text values (day, tokens,
 * dollars or cents) with a clear error per bad field, then sum the valid lines per line key and
 * merge them into `invoice_lines`, replacing the lines an earlier ingest stored for the same key
 * (overlapping exports and re-ingesting a file count once). A row with negative dollars (a credit
 * or adjustment, e.g. from a separate credit file) gets the description `credit[: …]`, which puts
 * it on a line of its own: it neither nets into nor replaces the charge that shares its key.
 */
import { listValue } from '../../db/duckdb.js';
import type { Database } from '../../db/database.js';
import { num } from '../../db/values.js';
import { INVOICE_CLASSES } from '../../db/schema.js';
import { quoteLiteral } from '../../db/quote.js';
import type { InvoiceKind, InvoiceProblem } from './types.js';

const STAGE = 'invoice_stage';
const NEW = 'invoice_new';
const MONEY = 'DECIMAL(38,15)';
const FX_RATE = 'DECIMAL(18,9)';

/** Exact decimal from text; scientific notation (`1e-7`) goes through DOUBLE, the only way DuckDB reads it. */
const decimalOf = (text: string) =>
  `coalesce(TRY_CAST(${text} AS ${MONEY}), CASE WHEN regexp_matches(${text}, '[eE]') THEN TRY_CAST(TRY_CAST(${text} AS DOUBLE) AS ${MONEY}) END)`;

/**
 * An amount's text in USD: exact decimal (cents scaled); another currency times the line's exchange
 * rate, its amount first held to 12 decimals so the DECIMAL product cannot overflow below 10¹⁷.
 */
const inUsd = (text: string) => {
  const amount = `CASE WHEN amount_in_cents THEN CAST(${decimalOf(text)} * CAST(0.01 AS DECIMAL(3,2)) AS ${MONEY}) ELSE ${decimalOf(text)} END`;
  return `CASE WHEN coalesce(currency, 'USD') = 'USD' THEN ${amount}
               ELSE CAST(CAST(${amount} AS DECIMAL(38,12)) * fx_rate AS ${MONEY}) END`;
};

/** USD per unit of each currency the user gave with --fx (`EUR` → `1.08`); USD is 1. */
export type FxRates = Readonly<Record<string, string>>;

/**
 * Cast and check the adapter's SELECT into TEMP table `invoice_stage`. Amounts in another currency
 * than USD are converted at `fx` (exactly, in DECIMAL); one without a rate is a problem on its line.
 */
export async function stage(db: Database, select: string, fx: FxRates = {}): Promise<void> {
  const classes = INVOICE_CLASSES.map(quoteLiteral).join(', ');
  const rates = { USD: '1', ...fx };
  await db.exec(`
    CREATE OR REPLACE TEMP TABLE ${STAGE} AS
    WITH lines AS (${select}),
    rated_lines AS (
      SELECT *, TRY_CAST(list_extract($fx_rates, list_position($fx_currencies, coalesce(currency, 'USD'))) AS ${FX_RATE}) AS fx_rate FROM lines
    ),
    cast_lines AS (
      SELECT *,
        CAST(TRY_CAST(day_text AS TIMESTAMPTZ) AS DATE) AS day,
        TRY_CAST(quantity_text AS DECIMAL(38,6)) * quantity_scale AS quantity_dec,
        ${inUsd('amount_text')} AS amount_usd,
        ${inUsd('list_amount_text')} AS list_amount_usd
      FROM rated_lines
    )
    SELECT * EXCLUDE (quantity_dec, description), TRY_CAST(quantity_dec AS BIGINT) AS quantity,
      -- a credit or adjustment (negative dollars) is its own line: never summed into, nor replacing, the charge sharing its key
      CASE WHEN amount_usd < 0 THEN 'credit' || coalesce(': ' || description, '') ELSE description END AS description,
      CASE
        WHEN skip THEN NULL
        WHEN problem IS NOT NULL THEN {'field': problem_field, 'problem': problem}
        WHEN fx_rate IS NULL AND (amount_text IS NOT NULL OR list_amount_text IS NOT NULL) THEN
          {'field': currency_field, 'problem': 'amount in ' || currency || ', not USD: give its rate, e.g. --fx ' || currency || '=1.08 (USD per ' || currency || ')'}
        WHEN day_text IS NULL THEN {'field': day_field, 'problem': 'missing date'}
        WHEN day IS NULL THEN {'field': day_field, 'problem': 'not a date or timestamp: ' || day_text}
        WHEN token_class NOT IN (${classes}) THEN {'field': 'token_class', 'problem': 'unknown token class: ' || token_class}
        WHEN quantity_text IS NOT NULL AND quantity_dec IS NULL THEN {'field': quantity_field, 'problem': 'not a number: ' || quantity_text}
        WHEN quantity_dec < 0 THEN {'field': quantity_field, 'problem': 'negative token count: ' || quantity_text}
        WHEN quantity_dec <> round(quantity_dec) THEN {'field': quantity_field, 'problem': 'not a whole number of tokens: ' || quantity_text}
        WHEN TRY_CAST(quantity_dec AS BIGINT) IS NULL AND quantity_dec IS NOT NULL THEN {'field': quantity_field, 'problem': 'token count out of range: ' || quantity_text}
        WHEN amount_text IS NOT NULL AND amount_usd IS NULL THEN {'field': amount_field, 'problem': 'not a decimal amount: ' || amount_text}
        WHEN list_amount_text IS NOT NULL AND list_amount_usd IS NULL THEN {'field': list_amount_field, 'problem': 'not a decimal amount: ' || list_amount_text}
      END AS error
    FROM cast_lines`, { fx_currencies: listValue(Object.keys(rates)), fx_rates: listValue(Object.values(rates)) });
}

/** The currencies other than USD whose amounts were converted, with the rate used. */
export async function ratesUsed(db: Database, fx: FxRates): Promise<Record<string, string>> {
  const rows = await db.all<{ currency: string }>(
    `SELECT DISTINCT currency FROM ${STAGE} WHERE error IS NULL AND NOT skip AND currency IS NOT NULL AND currency <> 'USD' ORDER BY currency`);
  return Object.fromEntries(rows.filter((r) => fx[r.currency] !== undefined).map((r) => [r.currency, fx[r.currency] ?? '']));
}

export interface StageCheck {
  rejectedRows: number;
  problems: InvoiceProblem[];
}

/** Rows with a bad field, in file order (one problem per source row). */
export async function stageProblems(db: Database, file: string, limit: number): Promise<StageCheck> {
  const count = await db.one<{ n: string }>(`SELECT count(DISTINCT source_row) AS n FROM ${STAGE} WHERE error IS NOT NULL`);
  const rows = await db.all<{ source_row: string; location: string | null; field: string; problem: string }>(
    `SELECT source_row, any_value(location) AS location, first(error.field ORDER BY token_class) AS field,
            first(error.problem ORDER BY token_class) AS problem
     FROM ${STAGE} WHERE error IS NOT NULL GROUP BY source_row ORDER BY source_row LIMIT $limit`,
    { limit },
  );
  return {
    rejectedRows: num(count?.n),
    problems: rows.map((r) => ({
      file,
      row: num(r.source_row),
      field: r.field,
      message: r.location ? `${r.location}: ${r.problem}` : r.problem,
    })),
  };
}

const KEY = ['provider', 'kind', 'day', 'model', 'token_class', 'tier', 'long_context', 'workspace', 'project', 'api_key', 'description'];

export interface MergeResult {
  loaded: number;
  replaced: number;
}

/**
 * Sum the valid staged lines of one file per line key (hourly rows become a day), drop lines
 * with neither tokens nor dollars, replace stored lines with the same key, insert the rest.
 */
export async function mergeStaged(db: Database, ingestId: number, kind: InvoiceKind, sourceFile: string): Promise<MergeResult> {
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${NEW} AS
     SELECT provider, CAST($kind AS VARCHAR) AS kind, day, model, token_class, tier, long_context, workspace, project, api_key, description,
            sum(quantity) AS quantity, CAST(sum(amount_usd) AS ${MONEY}) AS amount_usd,
            CAST(sum(list_amount_usd) AS ${MONEY}) AS list_amount_usd, min(source_row) AS source_row
     FROM ${STAGE}
     WHERE error IS NULL AND NOT skip
     GROUP BY ALL
     HAVING coalesce(sum(quantity), 0) <> 0 OR coalesce(sum(amount_usd), 0) <> 0 OR coalesce(sum(list_amount_usd), 0) <> 0`,
    { kind },
  );
  const match = KEY.map((k) => `l.${k} IS NOT DISTINCT FROM n.${k}`).join(' AND ');
  const replaced = await db.one<{ n: string }>(`SELECT count(*) AS n FROM invoice_lines l WHERE EXISTS (SELECT 1 FROM ${NEW} n WHERE ${match})`);
  await db.exec(`DELETE FROM invoice_lines l WHERE EXISTS (SELECT 1 FROM ${NEW} n WHERE ${match})`);
  await db.exec(
    `INSERT INTO invoice_lines (ingest_id, provider, kind, day, model, token_class, quantity, amount_usd, list_amount_usd,
                                tier, long_context, workspace, project, api_key, description, source_file, source_row)
     SELECT $ingest_id, provider, kind, day, model, token_class, quantity, amount_usd, list_amount_usd,
            tier, long_context, workspace, project, api_key, description, $source_file, source_row
     FROM ${NEW}`,
    { ingest_id: ingestId, source_file: sourceFile },
  );
  const loaded = await db.one<{ n: string }>(`SELECT count(*) AS n FROM ${NEW}`);
  return { loaded: num(loaded?.n), replaced: num(replaced?.n) };
}
