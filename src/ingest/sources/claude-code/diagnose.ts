/**
 * When DuckDB's JSON reader refuses a Claude Code log, find the line and field it choked on and say
 * so in the product's words (file:line, field, what was expected, what was there) instead of the
 * engine's text. Only runs on that failure path: the files are re-read line by line with JSON.parse
 * and each line checked against the typed columns load.ts reads.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { badInput, type CostattrError } from '../../../errors.js';

type Expected = 'text' | 'boolean' | 'count' | 'object';

/** The fields load.ts reads with an explicit type, by path: what each must hold when present. */
const FIELDS: ReadonlyArray<readonly [string, Expected]> = [
  ['type', 'text'], ['timestamp', 'text'], ['sessionId', 'text'], ['requestId', 'text'], ['isSidechain', 'boolean'], ['uuid', 'text'],
  ['message', 'object'], ['message.id', 'text'], ['message.model', 'text'], ['message.usage', 'object'],
  ['message.usage.input_tokens', 'count'], ['message.usage.output_tokens', 'count'],
  ['message.usage.cache_creation_input_tokens', 'count'], ['message.usage.cache_read_input_tokens', 'count'],
  ['message.usage.cache_creation', 'object'],
  ['message.usage.cache_creation.ephemeral_5m_input_tokens', 'count'], ['message.usage.cache_creation.ephemeral_1h_input_tokens', 'count'],
  ['message.usage.service_tier', 'text'],
];

const WORDS: Record<Expected, string> = { text: 'a string', boolean: 'true or false', count: 'a whole number of tokens', object: 'an object' };

function fits(value: unknown, expected: Expected): boolean {
  switch (expected) {
    case 'text': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'count': return typeof value === 'number' && Number.isSafeInteger(value);
    case 'object': return typeof value === 'object' && !Array.isArray(value);
    default: return (expected satisfies never) as boolean;
  }
}

function at(record: unknown, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** What is wrong with one line, or undefined when it reads as a Claude Code record. */
export function lineProblem(text: string): { field: string | undefined; problem: string } | undefined {
  if (text.trim() === '') return undefined;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch (err) {
    return { field: undefined, problem: `not valid JSON (${(err as Error).message})` };
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return { field: undefined, problem: 'expected a JSON object per line' };
  for (const [path, expected] of FIELDS) {
    const value = at(record, path);
    if (value === undefined || value === null || fits(value, expected)) continue;
    return { field: path, problem: `expected ${WORDS[expected]}, found ${shown(value)}` };
  }
  return undefined;
}

/** The first bad line among `files`, as the error to throw; undefined if every line reads. */
export async function firstBadLine(files: readonly string[]): Promise<CostattrError | undefined> {
  for (const file of files) {
    const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      const found = lineProblem(text);
      if (found) {
        lines.close();
        return badInput(file, { line }, found.field, found.problem);
      }
    }
  }
  return undefined;
}
