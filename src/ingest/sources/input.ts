/**
 * Bounded reading of a span file: the bytes of a file (gunzipped when the name ends in `.gz`) as a
 * stream of chunks, refused with exit 2 naming the file and line as soon as it passes a limit: more
 * decompressed bytes than allowed, a gzip expanding more than the allowed ratio (a bomb), a line
 * longer than allowed, or a gzip that is truncated or corrupt. Flat JSON Lines are also checked for
 * nesting depth before DuckDB's reader (which crashes on JSON nested thousands deep) sees them.
 * Limits are set with `ingest --input-limits` (docs/hardening.md).
 */
import { createReadStream } from 'node:fs';
import { Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CostattrError } from '../../errors.js';

export interface InputLimits {
  /** Decompressed bytes one file may hold. */
  fileBytes: number;
  /** Decompressed bytes per compressed byte a gzip may reach (checked once past RATIO_GRACE_BYTES). */
  gzipRatio: number;
  /** Bytes one line (or one pretty-printed document) may hold. */
  lineBytes: number;
  /** How deep objects and arrays may nest in a flat JSON line. */
  jsonDepth: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_INPUT_LIMITS: InputLimits = { fileBytes: 64 * 1024 * MiB, gzipRatio: 200, lineBytes: 256 * MiB, jsonDepth: 128 };

/** A gzip's first bytes may expand a lot (headers, repeated keys): the ratio counts only past these. */
const RATIO_GRACE_BYTES = 16 * MiB;

const NAMES: Record<string, keyof InputLimits> = { file: 'fileBytes', 'gzip-ratio': 'gzipRatio', line: 'lineBytes', depth: 'jsonDepth' };
const SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/i;
const UNIT: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: MiB, gib: 1024 * MiB };

/** `line=64MB,depth=64,gzip-ratio=100,file=10GB` → limits over the defaults. */
export function parseInputLimits(text: string | undefined): InputLimits {
  const limits = { ...DEFAULT_INPUT_LIMITS };
  for (const pair of (text ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name = '', value = ''] = pair.split('=').map((s) => s.trim());
    const key = NAMES[name];
    const m = SIZE.exec(value);
    const n = m ? Number(m[1]) * UNIT[(m[2] ?? 'b').toLowerCase()]! : NaN;
    if (key === undefined || !(n > 0)) {
      throw new CostattrError('BAD_USAGE', `--input-limits ${pair}: expected ${Object.keys(NAMES).map((k) => `${k}=N`).join(', ')} (sizes such as 64MB)`);
    }
    limits[key] = Math.floor(n);
  }
  return limits;
}

const NEWLINE = 10;

function tooBig(path: string, line: number, problem: string, limit: string): CostattrError {
  return new CostattrError('BAD_INPUT', `${path}:${line}: ${problem}`, { hint: `raise the limit with --input-limits ${limit} if the file is genuine` });
}

/** Counts the compressed bytes going into the gunzip, for the ratio. */
function counter(count: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      count.bytes += chunk.length;
      done(null, chunk);
    },
  });
}

/** The file's (decompressed) bytes, chunk by chunk, within `limits`; `disk.bytesRead` follows the bytes read from disk. */
export async function* readInput(path: string, limits: InputLimits = DEFAULT_INPUT_LIMITS, disk: { bytesRead: number } = { bytesRead: 0 }): AsyncGenerator<Buffer> {
  const gzip = path.toLowerCase().endsWith('.gz');
  const compressed = { bytes: 0 };
  // small compressed reads keep the count of compressed bytes close to what the gunzip has consumed
  const raw = createReadStream(path, { highWaterMark: gzip ? 64 * 1024 : MiB });
  const stream: Readable = gzip ? pipeline(raw, counter(compressed), createGunzip(), () => undefined) : raw;
  let bytes = 0;
  let line = 1;
  let lineSoFar = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limits.fileBytes) throw tooBig(path, line, `more than ${limits.fileBytes} bytes${gzip ? ' once decompressed' : ''}`, 'file=…');
      if (gzip && bytes > RATIO_GRACE_BYTES && bytes > limits.gzipRatio * compressed.bytes) {
        throw tooBig(path, line, `gzip expands more than ${limits.gzipRatio}× (${bytes} bytes from ${compressed.bytes}): refused as a likely gzip bomb`, 'gzip-ratio=…');
      }
      const first = chunk.indexOf(NEWLINE);
      if (lineSoFar + (first < 0 ? chunk.length : first) > limits.lineBytes) {
        throw tooBig(path, line, `a line longer than ${limits.lineBytes} bytes`, 'line=…');
      }
      if (first >= 0) {
        for (let at = first; at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) line += 1;
        lineSoFar = chunk.length - chunk.lastIndexOf(NEWLINE) - 1;
      } else {
        lineSoFar += chunk.length;
      }
      disk.bytesRead = raw.bytesRead;
      yield chunk;
    }
  } catch (err) {
    if (err instanceof CostattrError) throw err;
    const message = (err as Error).message;
    if (gzip && /unexpected end|incorrect header|invalid|Z_/i.test(message + String((err as { code?: unknown }).code))) {
      throw new CostattrError('BAD_INPUT', `${path}:${line}: truncated or corrupt gzip (${message})`, { cause: err });
    }
    throw err;
  } finally {
    raw.destroy();
  }
}

/**
 * Read a JSON Lines file once within `limits`, also refusing a line nested deeper than
 * `limits.jsonDepth` (brackets outside strings, counted across chunks).
 */
export async function checkJsonLines(path: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Promise<void> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  for await (const chunk of readInput(path, limits)) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c) escaped = true;
        else if (byte === 0x22) inString = false;
      } else if (byte === 0x22) inString = true;
      else if (byte === 0x7b || byte === 0x5b) {
        if (++depth > limits.jsonDepth) {
          throw new CostattrError('BAD_INPUT', `${path}:${line}: JSON nested more than ${limits.jsonDepth} deep`, { hint: 'raise the limit with --input-limits depth=… if the file is genuine' });
        }
      } else if (byte === 0x7d || byte === 0x5d) depth = Math.max(0, depth - 1);
      else if (byte === NEWLINE) {
        line += 1;
        depth = 0;
        inString = false;
      }
    }
  }
}
