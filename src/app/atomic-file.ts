/**
 * The one way costattr writes a file: to a temporary file in the same directory, fsync, then
 * rename over the target, so a kill or a full disk never leaves a truncated file where the old one was.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CostattrError } from '../errors.js';

export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w', 0o644);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    const reason = (err as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
    throw new CostattrError('BAD_USAGE', `cannot write ${path}: ${reason}`, { cause: err, hint: 'the previous file, if any, is unchanged' });
  }
}
