/**
 * Feeds batches of coded rows (OTLP's, from its parse workers) into the coded raw table
 * (raw-coded.ts) through DuckDB's appender, one columnar data chunk (at most 2048 rows) at a time.
 * Integer columns hold no NULLs (-1 marks absence), which keeps their vectors on the appender's fast
 * path; only the ids and the rare-texts object cross as strings. Batch-local profile and dictionary
 * codes become global ones here, each distinct value appended once.
 */
import type { DuckDBAppender, DuckDBBigIntVector, DuckDBDataChunk as DataChunk, DuckDBIntegerVector, DuckDBType } from '@duckdb/node-api';
import { BIGINT, DuckDBDataChunk, INTEGER, VARCHAR } from '../../db/duckdb.js';
import type { Database } from '../../db/database.js';
import { CODED_LAYOUT, CODED_TABLE, DICT_TABLE, PROFILE_COLUMNS, PROFILE_TABLE, type CodedRows } from './raw-coded.js';

const CHUNK_ROWS = 2048;
/** Distinct values remembered for reuse; past this the memory is dropped (codes stay unique, values may repeat). */
const MAX_REMEMBERED = 1 << 18;
const CODED_TYPES: readonly DuckDBType[] = [
  ...CODED_LAYOUT.integers.map(() => INTEGER),
  ...CODED_LAYOUT.texts.map(() => VARCHAR),
  ...CODED_LAYOUT.bigints.map(() => BIGINT),
];
const PROFILE_TYPES: readonly DuckDBType[] = [INTEGER, ...PROFILE_COLUMNS.map(() => VARCHAR)];
const DICT_TYPES: readonly DuckDBType[] = [INTEGER, VARCHAR];

/** Global codes for distinct strings; new ones are collected for appending. */
class CodeBook {
  private readonly codes = new Map<string, number>();
  private next = 0;

  /** Local code → global code; `added` receives each value seen for the first time, with its code. */
  map(keys: readonly string[], added: (code: number, local: number) => void): Int32Array {
    if (this.codes.size > MAX_REMEMBERED) this.codes.clear();
    const out = new Int32Array(keys.length);
    keys.forEach((key, local) => {
      let code = this.codes.get(key);
      if (code === undefined) {
        code = this.next++;
        this.codes.set(key, code);
        added(code, local);
      }
      out[local] = code;
    });
    return out;
  }
}

/** Write values[from, from+n) (through `map` when given; -1 stays -1) into an INTEGER column. */
function setIntegers(chunk: DataChunk, column: number, values: Int32Array, from: number, n: number, map?: Int32Array): void {
  const vector = chunk.getColumnVector(column) as DuckDBIntegerVector;
  for (let i = 0; i < n; i++) {
    const v = values[from + i] ?? -1;
    vector.setItem(i, v < 0 || !map ? v : (map[v] ?? -1));
  }
  vector.flush();
}

function setBigInts(chunk: DataChunk, column: number, values: BigInt64Array, from: number, n: number): void {
  const vector = chunk.getColumnVector(column) as DuckDBBigIntVector;
  for (let i = 0; i < n; i++) vector.setItem(i, values[from + i] ?? -1n);
  vector.flush();
}

function appendRows(appender: DuckDBAppender, types: readonly DuckDBType[], rows: (string | number | null)[][]): void {
  for (let from = 0; from < rows.length; from += CHUNK_ROWS) {
    const chunk = DuckDBDataChunk.create(types, Math.min(CHUNK_ROWS, rows.length - from));
    chunk.setRows(rows.slice(from, from + CHUNK_ROWS));
    appender.appendDataChunk(chunk);
  }
}

export class RawAppender {
  private readonly profiles = new CodeBook();
  private readonly dict = new CodeBook();

  private constructor(
    private readonly coded: DuckDBAppender,
    private readonly profileTable: DuckDBAppender,
    private readonly dictTable: DuckDBAppender,
  ) {}

  static async open(db: Database): Promise<RawAppender> {
    // the coded tables are TEMP (raw-coded.ts): named in the temp catalog, or a read beside a read-only --db cannot append
    const temp = (table: string): Promise<DuckDBAppender> => db.connection.createAppender(table, 'main', 'temp');
    return new RawAppender(await temp(CODED_TABLE), await temp(PROFILE_TABLE), await temp(DICT_TABLE));
  }

  /** Append the batch's rows with row ids firstRid, firstRid + 1, … */
  append(fileIdx: number, firstRid: number, batch: CodedRows): void {
    const newProfiles: (string | number | null)[][] = [];
    const profileMap = this.profiles.map(batch.profileKeys, (code, local) => newProfiles.push([code, ...(batch.profiles[local] ?? [])]));
    const newValues: (string | number | null)[][] = [];
    const dictMap = this.dict.map(batch.dict, (code, local) => newValues.push([code, batch.dict[local] ?? null]));
    appendRows(this.profileTable, PROFILE_TYPES, newProfiles);
    appendRows(this.dictTable, DICT_TYPES, newValues);

    const { integers, texts } = CODED_LAYOUT;
    const total = batch.rows;
    for (let from = 0; from < total; from += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, total - from);
      const chunk = DuckDBDataChunk.create(CODED_TYPES, n);
      const rids = new Int32Array(n);
      for (let i = 0; i < n; i++) rids[i] = firstRid + from + i;
      setIntegers(chunk, 0, rids, 0, n);
      setIntegers(chunk, 1, new Int32Array(n).fill(fileIdx), 0, n);
      setIntegers(chunk, 2, batch.lines, from, n);
      setIntegers(chunk, 3, batch.profile, from, n, profileMap);
      batch.dictCodes.forEach((codes, k) => setIntegers(chunk, 4 + k, codes, from, n, dictMap));
      batch.texts.forEach((column, k) => chunk.setColumnValues(integers.length + k, column.slice(from, from + n)));
      batch.numbers.forEach((column, k) => setBigInts(chunk, integers.length + texts.length + k, column, from, n));
      this.coded.appendDataChunk(chunk);
    }
  }

  /** Make appended rows visible to SQL on the same connection. */
  flush(): void {
    for (const a of [this.coded, this.profileTable, this.dictTable]) a.flushSync();
  }

  close(): void {
    for (const a of [this.coded, this.profileTable, this.dictTable]) {
      a.flushSync();
      a.closeSync();
    }
  }
}
