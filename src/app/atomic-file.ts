/**
 * The one way costattr writes a file: to a temporary file in the same directory, fsync, then
 * rename over the target, so a kill or a full disk never leaves a truncated file where the old one was.
 * Whole texts go through `writeFileAtomic`; files written piece by piece (the demo's span export)
 * through `AtomicFile`.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CostattrError } from '../errors.js';

function cannotWrite(path: string, err: unknown): CostattrError {
  const reason = (err as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
  return new CostattrError('BAD_USAGE', `cannot write ${path}: ${reason}`, { cause: err, hint: 'the previous file, if any, is unchanged' });
}

/** A file being written: nothing appears at `path` until `commit`; `abort` (or any failure) leaves the old file as it was. */
export class AtomicFile {
  private readonly temp: string;
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
    try {
      this.fd = openSync(this.temp, 'w', 0o644);
    } catch (err) {
      throw cannotWrite(path, err);
    }
  }

  write(text: string): void {
    if (this.fd === undefined) throw new Error(`${this.path}: written after commit or abort`);
    const bytes = Buffer.from(text, 'utf8');
    try {
      // a write may be partial (a disk filling up): write the rest until it is all out or the write fails
      for (let at = 0; at < bytes.length;) at += writeSync(this.fd, bytes, at, bytes.length - at);
    } catch (err) {
      this.abort();
      throw cannotWrite(this.path, err);
    }
  }

  /** fsync, then rename over the target. */
  commit(): void {
    if (this.fd === undefined) throw new Error(`${this.path}: committed after commit or abort`);
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      renameSync(this.temp, this.path);
    } catch (err) {
      this.abort();
      throw cannotWrite(this.path, err);
    }
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.temp, { force: true });
  }
}

export function writeFileAtomic(path: string, text: string): void {
  const file = new AtomicFile(path);
  file.write(text);
  file.commit();
}
