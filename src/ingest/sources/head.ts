/**
 * A file as source detection sees it: its name and its first 64 KiB (gunzipped when the name ends in
 * `.gz`; a partial gzip member decodes as far as it goes), read only when a detector first asks, so
 * a file recognised by its extension alone (Parquet) is never opened here.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

const HEAD_BYTES = 64 * 1024;

function readHead(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
    const head = buf.subarray(0, n);
    if (!path.endsWith('.gz')) return head.toString('utf8');
    try {
      return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    } catch {
      return '';
    }
  } finally {
    closeSync(fd);
  }
}

export class FileHead {
  private head: string | undefined;
  private columns: ReadonlySet<string> | undefined;

  constructor(readonly path: string) {}

  /** Whether the file name ends with `extension` (case-insensitive). */
  is(extension: string): boolean {
    return this.path.toLowerCase().endsWith(extension);
  }

  /** The first bytes as text. */
  get text(): string {
    this.head ??= readHead(this.path);
    return this.head;
  }

  /** Whether records carry the field: a column of a CSV file's header, else a JSON key (`"key":`) in the first bytes. */
  hasField(key: string): boolean {
    if (this.is('.csv')) return this.csvHeader().has(key);
    return new RegExp(`"${key}"\\s*:`).test(this.text);
  }

  private csvHeader(): ReadonlySet<string> {
    const first = this.text.split(/\r?\n/, 1)[0] ?? '';
    this.columns ??= new Set(first.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
    return this.columns;
  }
}
