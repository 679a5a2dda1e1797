/**
 * Claude Code session logs (`projects/<project>/<session>.jsonl`, sub-agent logs below), read in
 * one scan by DuckDB's JSON reader with explicit columns (no per-line JavaScript). One inference span
 * per assistant message:
 * - a record is a line with `message.usage.input_tokens` and `output_tokens` (what ccusage counts);
 * - the same response is written several times (one line per content block, streaming snapshots
 *   with growing `output_tokens`, sub-agent sidechain replays): records sharing (message.id,
 *   requestId) — message.id alone when requestId is missing — are one call; the record with the
 *   most tokens wins, a non-sidechain copy on ties (ccusage v20's rule; v17 kept the first);
 *   start/end time are the first and last line's timestamps;
 * - `<synthetic>` messages (Claude Code's own, never billed) are left out;
 * - usage is Anthropic's (input excludes both cache classes: convention `exclusive`); the 1-hour
 *   cache writes come from `cache_creation.ephemeral_1h_input_tokens`;
 * - trace = session, span id = message id + request id, response id = message id (the provider's
 *   id, so an Anthropic SDK span of the same call merges with it), project → tenant, session → task.
 */
import type { Database } from '../../../db/database.js';
import { quoteIdent } from '../../../db/quote.js';
import { CostattrError } from '../../../errors.js';
import { insertRaw } from '../../spans/raw-insert.js';
import { MAX_RECORD_BYTES } from '../records.js';
import type { SourceLoadContext, SourceLoadResult } from '../source.js';
import { firstBadLine } from './diagnose.js';
import { projectOf } from './projects.js';

const LINES_TABLE = 'costattr_claude_lines';
const FILES_TABLE = 'costattr_claude_files';
export const CLAUDE_DEDUPE_RULE = 'message_request';
export const SYNTHETIC_RULE = 'synthetic_model';

const COLUMNS = `{
  type: 'VARCHAR', timestamp: 'VARCHAR', sessionId: 'VARCHAR', requestId: 'VARCHAR', isSidechain: 'BOOLEAN', uuid: 'VARCHAR',
  message: 'STRUCT(id VARCHAR, model VARCHAR, usage STRUCT(input_tokens BIGINT, output_tokens BIGINT,
    cache_creation_input_tokens BIGINT, cache_read_input_tokens BIGINT,
    cache_creation STRUCT(ephemeral_5m_input_tokens BIGINT, ephemeral_1h_input_tokens BIGINT), service_tier VARCHAR))'
}`;

/**
 * Read the usage fields of the lines that carry usage; returns how many lines were malformed (only
 * with skipInvalid: the reader then yields them as all-NULL rows, which no Claude Code line is —
 * every one has a `type` — and those are kept for counting).
 */
async function readLines(db: Database, root: string, files: readonly string[], skipInvalid: boolean): Promise<number> {
  const read = (ignoreErrors: boolean): Promise<void> =>
    db.exec(
      `CREATE OR REPLACE TEMP TABLE ${LINES_TABLE} AS
       SELECT filename, type, timestamp, TRY_CAST(timestamp AS TIMESTAMPTZ) AS at, sessionId, requestId,
         coalesce(isSidechain, false) AS sidechain, uuid, message.id AS msg_id, message.model AS model, message.usage AS u
       FROM read_json($files::VARCHAR[], format = 'newline_delimited', filename = true, ignore_errors = ${ignoreErrors},
         maximum_object_size = ${MAX_RECORD_BYTES}, columns = ${COLUMNS})
       WHERE (message.usage.input_tokens IS NOT NULL AND message.usage.output_tokens IS NOT NULL)
         OR (type IS NULL AND timestamp IS NULL AND sessionId IS NULL AND uuid IS NULL AND message.id IS NULL)`,
      { files: JSON.stringify(files) },
    );
  try {
    await read(false);
    return 0;
  } catch (err) {
    if (!skipInvalid) {
      throw (await firstBadLine(files)) ?? new CostattrError('BAD_INPUT', `${root}: Claude Code log: ${(err as Error).message.split('\n')[0] ?? ''}`, { cause: err });
    }
  }
  await read(true);
  const bad = await db.one<{ n: string }>(
    `SELECT count(*)::VARCHAR AS n FROM ${LINES_TABLE} WHERE type IS NULL AND timestamp IS NULL AND sessionId IS NULL AND uuid IS NULL AND msg_id IS NULL`,
  );
  return Number(bad?.n ?? 0);
}

export async function loadClaudeCode(ctx: SourceLoadContext, root: string, files: readonly string[]): Promise<SourceLoadResult> {
  const { db } = ctx;
  const malformed = await readLines(db, root, files, ctx.options.skipInvalid === true);
  await db.exec(
    `CREATE OR REPLACE TEMP TABLE ${FILES_TABLE} AS
     SELECT unnest($files::VARCHAR[]) AS filename, unnest($projects::VARCHAR[]) AS project, unnest($stems::VARCHAR[]) AS stem`,
    {
      files: JSON.stringify(files),
      projects: JSON.stringify(files.map((f) => projectOf(root, f))),
      stems: JSON.stringify(files.map((f) => (f.split(/[\\/]/).pop() ?? f).replace(/\.jsonl$/i, ''))),
    },
  );
  const usage = `(SELECT * FROM ${LINES_TABLE} WHERE u.input_tokens IS NOT NULL AND u.output_tokens IS NOT NULL)`;
  const counts = await db.one<{ records: string; synthetic: string }>(
    `SELECT count(*)::VARCHAR AS records, count(*) FILTER (WHERE model = '<synthetic>')::VARCHAR AS synthetic FROM ${usage}`,
  );
  const from = `(
    SELECT row_number() OVER () AS ord, * FROM (
      SELECT l.*, f.project, coalesce(l.sessionId, f.stem) AS session,
        coalesce(l.msg_id || ':' || l.requestId, l.msg_id, l.uuid) AS key,
        min(l.at) OVER w AS first_at,
        max(l.at) OVER w AS last_at
      FROM ${usage} l JOIN ${FILES_TABLE} f USING (filename)
      WHERE coalesce(l.model, '') <> '<synthetic>'
      WINDOW w AS (PARTITION BY coalesce(l.msg_id || ':' || l.requestId, l.msg_id, l.uuid))
      QUALIFY row_number() OVER (
        PARTITION BY key
        ORDER BY u.input_tokens + u.output_tokens + coalesce(u.cache_creation_input_tokens, 0) + coalesce(u.cache_read_input_tokens, 0) DESC,
          sidechain, l.at, filename
      ) = 1
    ))`;
  const rows = await insertRaw(ctx, {
    from,
    columns: {
      source: `'claude-code'`,
      trace_id: 'session',
      span_id: 'key',
      scope_name: `'claude-code'`,
      service_name: `'claude-code'`,
      name: `'claude-code assistant message'`,
      operation: `'chat'`,
      start_time: `coalesce(strftime(first_at, '%Y-%m-%dT%H:%M:%S.%fZ'), timestamp)`,
      end_time: `strftime(last_at, '%Y-%m-%dT%H:%M:%S.%fZ')`,
      provider: `'anthropic'`,
      request_model: 'model',
      response_model: 'model',
      service_tier: 'u.service_tier',
      conversation_id: 'session',
      response_id: 'msg_id',
      tag_tenant: 'project',
      tag_task: 'session',
      tags_json: `json_object('claude_code.sidechain', sidechain)::VARCHAR`,
    },
    numbers: {
      start_time: 'epoch_us(first_at)',
      end_time: 'epoch_us(last_at)',
      input_tokens: 'u.input_tokens',
      output_tokens: 'u.output_tokens',
      cache_read_tokens: 'u.cache_read_input_tokens',
      cache_write_tokens: 'u.cache_creation_input_tokens',
      cache_write_5m_tokens: 'u.cache_creation.ephemeral_5m_input_tokens',
      cache_write_1h_tokens: 'u.cache_creation.ephemeral_1h_input_tokens',
    },
  });
  for (const t of [LINES_TABLE, FILES_TABLE]) await db.exec(`DROP TABLE ${quoteIdent(t)}`);
  const records = Number(counts?.records ?? 0);
  const synthetic = Number(counts?.synthetic ?? 0);
  return {
    records: records + malformed,
    rejected: malformed,
    rows,
    dropped: { [CLAUDE_DEDUPE_RULE]: records - synthetic - rows, [SYNTHETIC_RULE]: synthetic },
    duplicateRules: [CLAUDE_DEDUPE_RULE],
  };
}
