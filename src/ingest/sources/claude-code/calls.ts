/**
 * Claude Code session logs (`projects/<project>/<session>.jsonl`, sub-agent logs below), read in
 * one scan by DuckDB's JSON reader with explicit columns (no per-line JavaScript) and deduped into
 * model calls, one per assistant message; load.ts and stage.ts write those calls out:
 * - a record is a line with `message.usage.input_tokens` and `output_tokens` (what ccusage counts);
 * - the same response is written several times (one line per content block, streaming snapshots
 *   with growing `output_tokens`, sub-agent sidechain replays): records sharing (message.id,
 *   requestId) — message.id alone when requestId is missing — are one call; the record with the
 *   most tokens wins, a non-sidechain copy on ties (ccusage v20's rule; v17 kept the first);
 *   start/end time are the first and last line's timestamps;
 * - `<synthetic>` messages (Claude Code's own, never billed) are left out;
 * - trace = session, span id = message id + request id, response id = message id (the provider's
 *   id, so an Anthropic SDK span of the same call merges with it), project → tenant, session → task.
 */
import type { Database } from '../../../db/database.js';
import { quoteIdent } from '../../../db/quote.js';
import { CostattrError } from '../../../errors.js';
import { MAX_RECORD_BYTES } from '../records.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';
import { firstBadLine } from './diagnose.js';
import { projectOf } from './projects.js';

const CALLS_TABLE = 'costattr_claude_calls';
const FILES_TABLE = 'costattr_claude_files';
export const CLAUDE_DEDUPE_RULE = 'message_request';
export const SYNTHETIC_RULE = 'synthetic_model';

const COLUMNS = `{
  type: 'VARCHAR', timestamp: 'VARCHAR', sessionId: 'VARCHAR', requestId: 'VARCHAR', isSidechain: 'BOOLEAN', uuid: 'VARCHAR',
  message: 'STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT, output_tokens BIGINT,
    cache_creation_input_tokens BIGINT, cache_read_input_tokens BIGINT,
    cache_creation STRUCT(ephemeral_5m_input_tokens BIGINT, ephemeral_1h_input_tokens BIGINT), service_tier VARCHAR))'
}`;

/** A malformed line read under ignore_errors: all NULL, which no Claude Code line is (every one has a `type`). */
const MALFORMED = 'type IS NULL AND timestamp IS NULL AND sessionId IS NULL AND uuid IS NULL AND message.id IS NULL';
const USAGE = 'message.usage.input_tokens IS NOT NULL AND message.usage.output_tokens IS NOT NULL';

/** The fields of its winning line a call keeps: what the spans are written from. */
const LINE_FIELDS = 'filename, timestamp, sessionId, sidechain, msg_id, model, u';

/**
 * One pass over the logs, grouped by call: the lines that carry usage (or, with skipInvalid, are
 * malformed: the reader then yields them as all-NULL rows), grouped by (span id, synthetic, usage)
 * with how many lines each group holds, its first and last time, and its winning line: the most
 * tokens, then a non-sidechain copy, then the earliest, then the first file (a hash aggregate,
 * which DuckDB runs on every core without keeping the lines).
 */
async function readCalls(db: Database, root: string, files: readonly string[], skipInvalid: boolean): Promise<void> {
  const read = (ignoreErrors: boolean): Promise<void> =>
    db.exec(
      `CREATE OR REPLACE TEMP TABLE ${CALLS_TABLE} AS
       SELECT key, synthetic, usage, count(*) AS copies, count(*) FILTER (WHERE malformed) AS malformed,
         min(seen) AS first_at, max(seen) AS last_at,
         arg_min(struct_pack(${LINE_FIELDS}), struct_pack(
           tokens := -(u.input_tokens + u.output_tokens + coalesce(u.cache_creation_input_tokens, 0) + coalesce(u.cache_read_input_tokens, 0)),
           sidechain := sidechain, seen := seen, filename := filename)) AS line
       FROM (
         SELECT filename, timestamp, TRY_CAST(timestamp AS TIMESTAMPTZ) AS seen, sessionId, requestId,
           coalesce(isSidechain, false) AS sidechain, uuid, message.id AS msg_id, message.model AS model, message.usage AS u,
           coalesce(message.id || ':' || requestId, message.id, uuid) AS key,
           coalesce(message.model = '<synthetic>', false) AS synthetic, coalesce(${USAGE}, false) AS usage, ${ignoreErrors ? MALFORMED : 'false'} AS malformed
         FROM read_json($files::VARCHAR[], format = 'newline_delimited', filename = true, ignore_errors = ${ignoreErrors},
           maximum_object_size = ${MAX_RECORD_BYTES}, columns = ${COLUMNS})
         WHERE (${USAGE})${ignoreErrors ? ` OR (${MALFORMED})` : ''}
       ) l
       GROUP BY key, synthetic, usage`,
      { files: JSON.stringify(files) },
    );
  try {
    await read(false);
  } catch (err) {
    if (!skipInvalid) {
      throw (await firstBadLine(files)) ?? new CostattrError('BAD_INPUT', `${root}: Claude Code log: ${(err as Error).message.split('\n')[0] ?? ''}`, { cause: err });
    }
    await read(true);
  }
}

/** The calls of one log tree, while open: `from` selects them (with `ord`, their ordinal), `result` says what was read. */
export interface ClaudeCalls {
  from: string;
  result(rows: number): SourceLoadResult;
  close(): Promise<void>;
}

/**
 * Read and dedupe the logs under `root`. Each call of `from` carries the winning line's fields (u =
 * its usage), `project`, `session` (the file's name when the line has none), `key` (the span id),
 * `first_at` / `last_at` (its first and last line's times) and `sidechain`.
 */
export async function readClaudeCalls(ctx: SourceLoadContext, root: string, files: readonly string[]): Promise<ClaudeCalls> {
  const { db } = ctx;
  await readCalls(db, root, files, ctx.options.skipInvalid === true);
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${FILES_TABLE} AS
     SELECT unnest($files::VARCHAR[]) AS filename, unnest($projects::VARCHAR[]) AS project, unnest($stems::VARCHAR[]) AS stem`,
    {
      files: JSON.stringify(files),
      projects: JSON.stringify(files.map((f) => projectOf(root, f))),
      stems: JSON.stringify(files.map((f) => (f.split(/[\\/]/).pop() ?? f).replace(/\.jsonl$/i, ''))),
    },
  );
  const counts = await db.one<{ records: string; synthetic: string; malformed: string }>(
    `SELECT coalesce(sum(copies) FILTER (WHERE usage), 0)::VARCHAR AS records,
       coalesce(sum(copies) FILTER (WHERE usage AND synthetic), 0)::VARCHAR AS synthetic,
       coalesce(sum(malformed), 0)::VARCHAR AS malformed
     FROM ${CALLS_TABLE}`,
  );
  const from = `(
    SELECT row_number() OVER () AS ord, unnest(c.line), c.key, c.first_at, c.last_at, f.project, coalesce(c.line.sessionId, f.stem) AS session
    FROM ${CALLS_TABLE} c JOIN ${FILES_TABLE} f ON f.filename = c.line.filename
    WHERE c.usage AND NOT c.synthetic)`;
  const records = Number(counts?.records ?? 0);
  const synthetic = Number(counts?.synthetic ?? 0);
  const malformed = Number(counts?.malformed ?? 0);
  return {
    from,
    result: (rows) => ({
      records: records + malformed,
      rejected: malformed,
      rows,
      dropped: { [CLAUDE_DEDUPE_RULE]: records - synthetic - rows, [SYNTHETIC_RULE]: synthetic },
      duplicateRules: [CLAUDE_DEDUPE_RULE],
    }),
    close: async () => {
      for (const t of [CALLS_TABLE, FILES_TABLE]) await db.exec(`DROP TABLE ${quoteIdent(t)}`);
    },
  };
}
