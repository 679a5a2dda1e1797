/**
 * The compact raw layout OTLP spans land in (the parse workers of src/ingest/sources/otlp build it,
 * raw-appender.ts appends it): per span only the ids travel as text; integer token counts and
 * timestamps travel as BIGINT (-1: absent); the low-cardinality descriptor columns (scope, service,
 * name, provider, models, …) as one "profile" code, conversation ids and custom attributes as codes into a string
 * dictionary (-1: absent), and rare per-span texts (tool arguments, a token count that is not a plain
 * integer) as one JSON object. No per-span column but the ids and that object is ever NULL: the
 * appender writes NULL-free integer vectors much faster.
 * A view turns it back into the raw table's columns (the integers into their typed twins, see
 * RAW_NUMBER_COLUMNS) and unions it with the raw table and the typed relations (raw-typed.ts), so
 * the one SQL validator and normaliser (normalise.ts) reads OTLP and every other format alike.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { dropTypedRelations, typedRelations } from './raw-typed.js';
import { numberColumn, RAW_NUMBER_COLUMNS, RAW_TABLE, RAW_TEXT_COLUMNS, type RawColumn } from './raw-table.js';

export const CODED_TABLE = 'costattr_span_raw_otlp';
export const PROFILE_TABLE = 'costattr_span_profile';
export const DICT_TABLE = 'costattr_span_dict';
/** Every raw row, whatever its format: the normaliser's input. */
export const RAW_VIEW = 'costattr_span_raw_all';

/** Columns carried as text per span (ids, unique per span). */
export const TEXT_COLUMNS: readonly RawColumn[] = ['trace_id', 'span_id', 'parent_span_id', 'response_id'];
/** Columns carried as BIGINT when the value is a plain unsigned integer, else in `rare` (for the validator). */
export const NUMBER_COLUMNS = RAW_NUMBER_COLUMNS;
/** Columns carried only in `rare`, the per-span JSON object of seldom-present texts. */
export const RARE_COLUMNS: readonly RawColumn[] = ['tool_arguments'];
export const RARE = 'rare';
/** Columns carried as a code into the dictionary. */
export const DICT_COLUMNS: readonly RawColumn[] = ['conversation_id', 'extra'];
const CARRIED = new Set<RawColumn>([...TEXT_COLUMNS, ...NUMBER_COLUMNS, ...RARE_COLUMNS, ...DICT_COLUMNS]);
/** Everything else: one profile code per span. */
export const PROFILE_COLUMNS: readonly RawColumn[] = RAW_TEXT_COLUMNS.filter((c) => !CARRIED.has(c));

export const codeColumn = (c: RawColumn): string => `${c}_code`;

/** Column order of the coded table, as the appender writes it. */
export const CODED_LAYOUT = {
  integers: ['rid', 'file_idx', 'line', 'profile', ...DICT_COLUMNS.map(codeColumn)],
  texts: [...TEXT_COLUMNS, RARE],
  bigints: NUMBER_COLUMNS.map(numberColumn),
} as const;

/**
 * Rows in the coded layout as a loader parsing in JavaScript builds them (OTLP's parse workers);
 * profile and dictionary codes are local to the batch (-1 = NULL), the appender maps them to global ones.
 */
export interface CodedRows {
  rows: number;
  lines: Int32Array;
  /** One array per TEXT_COLUMNS entry, then the `rare` JSON texts. */
  texts: (string | null)[][];
  /** One per NUMBER_COLUMNS entry; -1 where the value is absent or travels as text. */
  numbers: BigInt64Array[];
  profile: Int32Array;
  /** Distinct PROFILE_COLUMNS tuples, with their keys. */
  profiles: (string | null)[][];
  profileKeys: string[];
  /** One per DICT_COLUMNS entry, codes into `dict`. */
  dictCodes: Int32Array[];
  dict: string[];
}

export async function createCodedTables(db: Database): Promise<void> {
  const cols = [
    ...CODED_LAYOUT.integers.map((c) => `${quoteIdent(c)} INTEGER`),
    ...CODED_LAYOUT.texts.map((c) => `${quoteIdent(c)} VARCHAR`),
    ...CODED_LAYOUT.bigints.map((c) => `${quoteIdent(c)} BIGINT`),
  ];
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(CODED_TABLE)} (${cols.join(', ')})`);
  const profileCols = PROFILE_COLUMNS.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ');
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(PROFILE_TABLE)} (code INTEGER, ${profileCols})`);
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(DICT_TABLE)} (code INTEGER, value VARCHAR)`);
}

/** (Re)define the raw view: the raw table, the coded rows decoded, and the typed relations registered (raw-typed.ts). */
export async function defineRawView(db: Database): Promise<void> {
  const decoded = RAW_TEXT_COLUMNS.map((c) => {
    const q = quoteIdent(c);
    if (TEXT_COLUMNS.includes(c)) return `o.${q}`;
    const rare = `json_extract_string(o.${RARE}, '$.${c}')`;
    const n = `o.${quoteIdent(numberColumn(c))}`;
    if (NUMBER_COLUMNS.includes(c)) return `CASE WHEN ${n} < 0 AND o.${RARE} IS NOT NULL THEN ${rare} END AS ${q}`;
    if (RARE_COLUMNS.includes(c)) return `${rare} AS ${q}`;
    if (DICT_COLUMNS.includes(c)) return `${quoteIdent(`d_${c}`)}.value AS ${q}`;
    return `p.${q}`;
  });
  const joins = DICT_COLUMNS.map((c) => {
    const alias = quoteIdent(`d_${c}`);
    return `LEFT JOIN ${quoteIdent(DICT_TABLE)} ${alias} ON ${alias}.code = o.${quoteIdent(codeColumn(c))}`;
  });
  const typed = NUMBER_COLUMNS.map((c) => {
    const n = `o.${quoteIdent(numberColumn(c))}`;
    return `CASE WHEN ${n} >= 0 THEN ${n} END AS ${quoteIdent(numberColumn(c))}`;
  });
  const all = ['rid', 'file_idx', 'line', ...RAW_TEXT_COLUMNS, ...NUMBER_COLUMNS.map(numberColumn)].map(quoteIdent).join(', ');
  await db.exec(`
    CREATE OR REPLACE TEMP VIEW ${quoteIdent(RAW_VIEW)} AS
    SELECT ${all} FROM ${quoteIdent(RAW_TABLE)}
    UNION ALL
    SELECT o.rid, o.file_idx, o.line, ${decoded.join(', ')}, ${typed.join(', ')}
    FROM ${quoteIdent(CODED_TABLE)} o
    LEFT JOIN ${quoteIdent(PROFILE_TABLE)} p ON p.code = o.profile
    ${joins.join('\n    ')}
    ${typedRelations(db).map((view) => `UNION ALL SELECT ${all} FROM ${quoteIdent(view)}`).join('\n    ')}`);
}

export async function dropCodedTables(db: Database): Promise<void> {
  await db.exec(`DROP VIEW IF EXISTS ${quoteIdent(RAW_VIEW)}`);
  await dropTypedRelations(db);
  for (const t of [CODED_TABLE, PROFILE_TABLE, DICT_TABLE]) await db.exec(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
}
