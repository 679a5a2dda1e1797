/**
 * Feeds flattened batches into the raw table through DuckDB's appender, one columnar data chunk
 * (at most 2048 rows) at a time: no row-at-a-time INSERTs.
 */
import { DuckDBDataChunk, INTEGER, VARCHAR, type DuckDBAppender, type DuckDBType } from '@duckdb/node-api';
import type { Database } from '../../db/database.js';
import type { FlatBatch } from './otlp-flatten.js';
import { RAW_TABLE, RAW_TEXT_COLUMNS } from './raw-table.js';

const CHUNK_ROWS = 2048;
const TYPES: readonly DuckDBType[] = [INTEGER, INTEGER, INTEGER, ...RAW_TEXT_COLUMNS.map(() => VARCHAR)];

export class RawAppender {
  private nextRid = 1;

  private constructor(private readonly appender: DuckDBAppender) {}

  static async open(db: Database): Promise<RawAppender> {
    return new RawAppender(await db.connection.createAppender(RAW_TABLE));
  }

  /** The next row id; a caller inserting rows itself (flat tables) takes ids from here and then `skip`s them. */
  get nextRowId(): number {
    return this.nextRid;
  }

  skip(rows: number): void {
    this.nextRid += rows;
  }

  append(fileIdx: number, batch: FlatBatch): void {
    const total = batch.lines.length;
    for (let from = 0; from < total; from += CHUNK_ROWS) {
      const to = Math.min(total, from + CHUNK_ROWS);
      const n = to - from;
      const chunk = DuckDBDataChunk.create(TYPES, n);
      const rids = new Array<number>(n);
      for (let i = 0; i < n; i++) rids[i] = this.nextRid++;
      chunk.setColumnValues(0, rids);
      chunk.setColumnValues(1, new Array<number>(n).fill(fileIdx));
      chunk.setColumnValues(2, batch.lines.slice(from, to));
      batch.columns.forEach((column, c) => chunk.setColumnValues(3 + c, column.slice(from, to)));
      this.appender.appendDataChunk(chunk);
    }
  }

  /** Make appended rows visible to SQL on the same connection. */
  flush(): void {
    this.appender.flushSync();
  }

  close(): void {
    this.appender.flushSync();
    this.appender.closeSync();
  }
}
