/**
 * One writer per lake: `DIR/.lock` holds the writing process's id. A lock whose process is gone
 * (a killed write) is taken over; a live one is refused (exit 2), as a database in use is.
 */
import { openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CostattrError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the lake's write lock; returns its release. */
export function lockLake(dir: string): () => void {
  const path = join(dir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new CostattrError('DB_IN_USE', `lake ${dir} is being written by another costattr process (pid ${holder})`, {
          hint: 'wait for the other ingest to finish',
        });
      }
      rmSync(path, { force: true }); // left by a killed write
    }
  }
  throw new CostattrError('DB_IN_USE', `lake ${dir}: could not take its write lock (${path})`);
}
