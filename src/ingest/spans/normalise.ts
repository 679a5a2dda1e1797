/**
 * Validation and normalisation of raw rows, in SQL, for every source format:
 * - validation: ids present, timestamps parse, token counts are non-negative integers;
 * - the input-token convention per span (inclusive / exclusive / no_cache_counts) and the disjoint
 *   token classes; provider, operation and service-tier normalisation; inference vs agent/tool spans.
 * The result lands in a staging table shaped like `spans`, with `ingest_id` holding the file index.
 */
import type { Database } from '../../db/database.js';
import { quoteIdent } from '../../db/quote.js';
import { SPAN_COLUMN_NAMES, stagingTableDdl } from '../../db/schema.js';
import { SPAN_SOURCES } from '../sources/registry.js';
import { namespacedColumns } from './namespace.js';
import { defineRawView, RAW_VIEW } from './raw-coded.js';
import { readingTypedRelations } from './raw-typed.js';
import { numberColumn, RAW_NUMBER_COLUMNS, RAW_TEXT_COLUMNS, RAW_TOKEN_COLUMNS, type RawColumn } from './raw-table.js';
import type { ConventionOverride, InputConvention } from './types.js';

export const STAGE_TABLE = 'costattr_span_stage';
const EXCLUSIVE_SOURCES = 'costattr_exclusive_sources';

/** Custom attribute names that look like a counter costattr does not read (`braintrust.metrics`, `acme.usage`). */
const COUNTER_LIKE = 'token|usage|metric|cost';

/** Operations that carry cost. */
export const INFERENCE_OPERATIONS: readonly string[] = ['chat', 'text_completion', 'generate_content', 'embeddings'];
/** Operations whose usage (if any) aggregates their children: never counted. */
const AGGREGATE_OPERATIONS = ['invoke_agent', 'create_agent', 'invoke_workflow', 'execute_tool'];
const KNOWN_OPERATIONS = [...INFERENCE_OPERATIONS, ...AGGREGATE_OPERATIONS, 'retrieval'];

/** A raw integer column's value: its typed twin, else its text parsed (see RAW_NUMBER_COLUMNS). */
function count(c: RawColumn): string {
  return `costattr_count(${quoteIdent(numberColumn(c))}, ${quoteIdent(c)})`;
}

/** A raw time column's timestamp: its typed twin (epoch s/ms/µs/ns), else its text parsed. */
function time(c: RawColumn): string {
  return `coalesce(costattr_epoch_ts(${quoteIdent(numberColumn(c))}), costattr_ts(${quoteIdent(c)}))`;
}

function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v}'`).join(', ');
}

/** `value` is one of `values`: a list lookup, which DuckDB does not plan as a join the way it plans a long IN list. */
function oneOf(value: string, values: readonly string[]): string {
  return `list_contains([${sqlList(values)}], ${value})`;
}

/** Sources that fix the convention of all their spans (src/ingest/sources), as a SQL list. */
function sourcesWith(convention: InputConvention): string {
  const names = SPAN_SOURCES.filter((s) => s.convention === convention).map((s) => s.name);
  return names.length === 0 ? 'NULL' : sqlList(names);
}

/** Helper macros (temp: they vanish with the connection). */
export async function createNormaliseMacros(db: Database): Promise<void> {
  await db.exec(`
    CREATE OR REPLACE TEMP MACRO costattr_tok_ok(t) AS
      t IS NULL OR (regexp_full_match(trim(t), '[0-9]+(\\.0*)?') AND TRY_CAST(split_part(trim(t), '.', 1) AS BIGINT) IS NOT NULL);
    CREATE OR REPLACE TEMP MACRO costattr_tok(t) AS TRY_CAST(split_part(trim(t), '.', 1) AS BIGINT);
    CREATE OR REPLACE TEMP MACRO costattr_count(n, t) AS coalesce(n, costattr_tok(t));
    CREATE OR REPLACE TEMP MACRO costattr_tok_problem(t) AS CASE
      WHEN TRY_CAST(trim(t) AS DOUBLE) IS NULL OR isnan(TRY_CAST(trim(t) AS DOUBLE)) THEN 'not a number: ' || t
      WHEN TRY_CAST(trim(t) AS DOUBLE) < 0 THEN 'negative token count: ' || t
      WHEN TRY_CAST(trim(t) AS DOUBLE) <> floor(TRY_CAST(trim(t) AS DOUBLE)) THEN 'fractional token count: ' || t
      ELSE 'token count out of range: ' || t END;
    CREATE OR REPLACE TEMP MACRO costattr_epoch_ts(n) AS CASE
      WHEN n IS NULL OR n <= 0 THEN NULL
      WHEN n >= 100000000000000000 THEN make_timestamp(n // 1000)
      WHEN n >= 100000000000000 THEN make_timestamp(n)
      WHEN n >= 100000000000 THEN make_timestamp(n * 1000)
      ELSE make_timestamp(n * 1000000) END;
    CREATE OR REPLACE TEMP MACRO costattr_ts(t) AS
      coalesce(costattr_epoch_ts(TRY_CAST(t AS BIGINT)), TRY_CAST(TRY_CAST(t AS TIMESTAMPTZ) AS TIMESTAMP));
    CREATE OR REPLACE TEMP MACRO costattr_ts_blank(t) AS t IS NULL OR trim(t) IN ('', '0');
    CREATE OR REPLACE TEMP MACRO costattr_op_word(w) AS CASE
      WHEN ${oneOf('w', KNOWN_OPERATIONS)} THEN w
      WHEN w IN ('completion', 'completions') THEN 'text_completion'
      WHEN w = 'embedding' THEN 'embeddings'
      ELSE NULL END;
    CREATE OR REPLACE TEMP MACRO costattr_span_kind(k) AS CASE k
      WHEN 'llm' THEN 'chat' WHEN 'embedding' THEN 'embeddings' WHEN 'agent' THEN 'invoke_agent'
      WHEN 'chain' THEN 'invoke_workflow' WHEN 'tool' THEN 'execute_tool' WHEN 'retriever' THEN 'retrieval'
      ELSE k END;
  `);
}

/** The custom attributes (`ns.key` of the raw `extra`) whose names look like counters, as a SQL list. */
function counterLikeAttributes(extra: string): string {
  const names = `flatten(list_transform(json_keys(TRY_CAST(${extra} AS JSON)), ns -> list_transform(
    coalesce(json_keys(json_extract(TRY_CAST(${extra} AS JSON), '$."' || replace(ns, '"', '') || '"')), []), k -> ns || '.' || k)))`;
  return `list_sort(list_filter(coalesce(${names}, []), n -> regexp_matches(lower(n), '${COUNTER_LIKE}')))`;
}

/** Staged spans that name a model but carry no counter costattr reads, and the counter-like attributes they had. */
export interface UncountedSpans {
  spans: number;
  attributes: string[];
}

export async function uncountedSpans(db: Database): Promise<UncountedSpans> {
  const row = await db.one<{ n: string; names: string[] | null }>(
    `SELECT count(*)::VARCHAR AS n, list_sort(list_distinct(flatten(list(names)))) AS names FROM (
       SELECT json_extract_string(tags_json, '$.uncounted_counters[*]') AS names FROM ${quoteIdent(STAGE_TABLE)}
       WHERE problem IS NULL AND json_exists(tags_json, '$.uncounted_counters'))`,
  );
  return { spans: Number(row?.n ?? 0), attributes: row?.names ?? [] };
}

export interface RowProblem {
  file_idx: number;
  line: number;
  field: string;
  message: string;
}

/** Marks a staged problem `tok:<field>|<raw count>` whose message is still to be worded. */
const TOKEN_PROBLEM = 'tok:';

/** The first problem of a raw row, as `field|message` (or TOKEN_PROBLEM…), or NULL when the row is valid. */
function problemExpression(): string {
  const checks = [
    `WHEN trace_id IS NULL OR trim(trace_id) = '' THEN 'trace_id|missing trace id'`,
    `WHEN span_id IS NULL OR trim(span_id) = '' THEN 'span_id|missing span id'`,
    `WHEN start_ts IS NULL AND NOT costattr_ts_blank(start_time) THEN 'start_time|bad timestamp: ' || start_time`,
    `WHEN end_ts IS NULL AND NOT costattr_ts_blank(end_time) THEN 'end_time|bad timestamp: ' || end_time`,
    // a bad count's message is worded later, for the rejected rows only (see stagedProblems): the
    // wording expanded ten times over would cost the planner more than the rows cost the executor
    ...RAW_TOKEN_COLUMNS.map((c) => `WHEN NOT costattr_tok_ok(${quoteIdent(c)}) THEN '${TOKEN_PROBLEM}${c}|' || ${quoteIdent(c)}`),
  ];
  return `CASE ${checks.join(' ')} END`;
}

/** Every invalid staged row with its first problem, in file order. */
export async function stagedProblems(db: Database): Promise<RowProblem[]> {
  const rows = await db.all<{ file_idx: number; line: number; problem: string }>(
    `SELECT ingest_id AS file_idx, line,
       CASE WHEN starts_with(problem, $tok) THEN
         split_part(substr(problem, length($tok) + 1), '|', 1) || '|' || costattr_tok_problem(substr(problem, strpos(problem, '|') + 1))
       ELSE problem END AS problem
     FROM ${quoteIdent(STAGE_TABLE)} WHERE problem IS NOT NULL ORDER BY ingest_id, line, rid`,
    { tok: TOKEN_PROBLEM },
  );
  return rows.map((r) => {
    const bar = r.problem.indexOf('|');
    return { file_idx: r.file_idx, line: r.line, field: r.problem.slice(0, bar), message: r.problem.slice(bar + 1) };
  });
}

export async function dropInvalidStagedRows(db: Database): Promise<void> {
  await db.exec(`DELETE FROM ${quoteIdent(STAGE_TABLE)} WHERE problem IS NOT NULL`);
}

/** Staging, empty: shaped like `spans`, plus `rid`, `line` and `problem`. */
export async function createStagingTable(db: Database): Promise<void> {
  await db.exec(stagingTableDdl(STAGE_TABLE));
  await db.exec(`ALTER TABLE ${quoteIdent(STAGE_TABLE)} ADD COLUMN rid INTEGER`);
  await db.exec(`ALTER TABLE ${quoteIdent(STAGE_TABLE)} ADD COLUMN line INTEGER`);
  await db.exec(`ALTER TABLE ${quoteIdent(STAGE_TABLE)} ADD COLUMN problem VARCHAR`);
}

/**
 * Raw → staging (made by createStagingTable) in one pass: namespace tags read, each row checked (`problem`), the convention rules
 * and token classes applied (see docs/data-model.md). Staging also keeps `rid` and `line`.
 */
export async function normaliseIntoStaging(db: Database, convention: ConventionOverride, namespace: string | null): Promise<void> {
  await defineRawView(db);
  const ns = namespacedColumns(namespace);
  const typed = new Set<string>(RAW_NUMBER_COLUMNS);
  const rawColumns = ['rid', 'file_idx', 'line', ...RAW_TEXT_COLUMNS].map((c) => {
    const expr = ns.columns.get(c);
    if (!expr) return quoteIdent(c);
    // a typed value wins over the namespace fallback, as the text column would
    if (typed.has(c)) return `CASE WHEN ${quoteIdent(numberColumn(c as RawColumn))} IS NULL THEN ${expr} END AS ${quoteIdent(c)}`;
    return `${expr} AS ${quoteIdent(c)}`;
  });
  rawColumns.push(...RAW_NUMBER_COLUMNS.map((c) => quoteIdent(numberColumn(c))));
  const chain = `
    WITH ${namespace === null ? '' : `ns_groups AS (
      -- the custom attributes of many spans are alike: read each distinct group's JSON once
      SELECT extra, json_extract_string(extra, $ns_paths::VARCHAR[]) AS ns_values
      FROM (SELECT DISTINCT extra FROM ${quoteIdent(RAW_VIEW)} WHERE extra IS NOT NULL)
    ),`}
    src AS (
      SELECT ${rawColumns.join(', ')} FROM (
        SELECT *${namespace === null ? '' : ', ns_values'} FROM ${quoteIdent(RAW_VIEW)}${namespace === null ? '' : ` LEFT JOIN ns_groups USING (extra)`}
      )
    ),
    timed AS (
      SELECT *, ${time('start_time')} AS start_ts, ${time('end_time')} AS end_ts FROM src
    ),
    base AS (
      SELECT r.*,
        ${problemExpression()} AS problem,
        nullif(lower(trim(r.parent_span_id)), '') AS pid,
        ${count('input_tokens')} AS i_raw,
        ${count('output_tokens')} AS o_raw,
        ${count('cache_read_tokens')} AS cr,
        ${count('cache_write_tokens')} AS cw,
        ${count('cache_write_5m_tokens')} AS cw5,
        ${count('cache_write_1h_tokens')} AS cw1,
        ${count('reasoning_tokens')} AS rz,
        CASE
          WHEN nullif(trim(provider), '') IS NULL THEN
            CASE WHEN scope_name ILIKE '%anthropic%' THEN 'anthropic' WHEN scope_name ILIKE '%openai%' THEN 'openai' END
          ELSE CASE lower(trim(provider))
            WHEN 'vertex_ai' THEN 'gcp.vertex_ai'
            WHEN 'gemini' THEN 'gcp.gemini'
            WHEN 'xai' THEN 'x_ai'
            ELSE regexp_replace(lower(trim(provider)), '^az\\.ai\\.', 'azure.ai.') END
        END AS prov,
        coalesce(
          costattr_op_word(nullif(lower(trim(operation)), '')),
          nullif(lower(trim(operation)), ''),
          costattr_op_word(costattr_span_kind(lower(trim(request_type)))),
          costattr_op_word(lower(split_part(trim(name), ' ', 1))),
          costattr_op_word(regexp_extract(lower(split_part(trim(name), ' ', 1)), '([a-z_]+)$', 1))
        ) AS op
      FROM timed r
    ),
    classed AS (
      SELECT *,
        -- names a model, may be a model call, yet carries no counter costattr reads: would price silently at $0
        (nullif(trim(coalesce(request_model, response_model)), '') IS NOT NULL
          AND coalesce(NOT ${oneOf('op', [...AGGREGATE_OPERATIONS, 'retrieval'])}, true)
          AND i_raw IS NULL AND o_raw IS NULL AND cr IS NULL AND cw IS NULL AND cw5 IS NULL AND cw1 IS NULL AND rz IS NULL) AS uncounted,
        (cr IS NOT NULL OR cw IS NOT NULL OR cw5 IS NOT NULL OR cw1 IS NOT NULL) AS has_cache,
        coalesce(cr, 0) AS read_n,
        coalesce(cw, coalesce(cw5, 0) + coalesce(cw1, 0)) AS write_n,
        coalesce(i_raw, 0) AS in_n,
        coalesce(${oneOf('op', INFERENCE_OPERATIONS)}, false)
          OR (coalesce(NOT ${oneOf('op', AGGREGATE_OPERATIONS)}, true) AND (i_raw IS NOT NULL OR o_raw IS NOT NULL)) AS inference
      FROM base
    )
  `;
  // a span reporting more cache than input is exclusive by its own counters; a span whose counters
  // cannot tell follows its source (scope, provider), judged exclusive when at least half of the
  // source's spans with cache counts prove it, so one odd record never flips a whole source. Found
  // first, by a pass that DuckDB prunes to the few columns it needs, then joined to every row (a
  // window over all rows would drag every column through a sort)
  await readingTypedRelations(db, () => db.exec(
    `CREATE OR REPLACE TEMP TABLE ${quoteIdent(EXCLUSIVE_SOURCES)} AS ${chain}
     SELECT scope_name, prov, true AS exclusive FROM classed WHERE has_cache GROUP BY scope_name, prov
     HAVING 2 * count(*) FILTER (WHERE in_n < read_n + write_n) >= count(*)`,
    ns.params,
  ));
  const select = `${chain},
    judged AS (
      SELECT c.*,
        CASE
          WHEN NOT has_cache THEN 'no_cache_counts'
          WHEN source IN (${sourcesWith('exclusive')}) THEN 'exclusive'
          WHEN $convention = 'exclusive' THEN 'exclusive'
          WHEN in_n < read_n + write_n THEN 'exclusive'
          WHEN source IN (${sourcesWith('inclusive')}) THEN 'inclusive'
          WHEN $convention = 'inclusive' THEN 'inclusive'
          WHEN c.scope_name ILIKE '%traceloop%anthropic%' THEN 'exclusive'
          WHEN f.exclusive THEN 'exclusive'
          ELSE 'inclusive'
        END AS convention
      FROM classed c
      LEFT JOIN ${quoteIdent(EXCLUSIVE_SOURCES)} f ON f.scope_name IS NOT DISTINCT FROM c.scope_name AND f.prov IS NOT DISTINCT FROM c.prov
    )
    SELECT
      lower(trim(trace_id)) AS trace_id,
      lower(trim(span_id)) AS span_id,
      pid AS parent_span_id,
      file_idx AS ingest_id,
      source,
      scope_name,
      service_name,
      name,
      op AS operation,
      start_ts AS start_time,
      end_ts AS end_time,
      inference AS is_inference,
      prov AS provider,
      nullif(trim(request_model), '') AS request_model,
      nullif(trim(response_model), '') AS response_model,
      CASE WHEN nullif(lower(trim(service_tier)), '') IS NULL OR lower(trim(service_tier)) IN ('default', 'auto') THEN 'standard'
           ELSE lower(trim(service_tier)) END AS service_tier,
      CASE WHEN NOT inference THEN 0 WHEN convention = 'inclusive' THEN in_n - read_n - write_n ELSE in_n END AS input_tokens,
      CASE WHEN inference THEN read_n ELSE 0 END AS cache_read_tokens,
      CASE WHEN inference THEN write_n - least(coalesce(cw1, 0), write_n) ELSE 0 END AS cache_write_5m_tokens,
      CASE WHEN inference THEN least(coalesce(cw1, 0), write_n) ELSE 0 END AS cache_write_1h_tokens,
      CASE WHEN NOT inference THEN 0 WHEN coalesce(rz, 0) > coalesce(o_raw, 0) THEN coalesce(o_raw, 0) + rz ELSE coalesce(o_raw, 0) END AS output_tokens,
      CASE WHEN inference THEN coalesce(rz, 0) ELSE 0 END AS reasoning_tokens,
      i_raw AS reported_input_tokens,
      convention AS input_convention,
      has_cache AS has_cache_counts,
      nullif(trim(tag_tenant), '') AS tag_tenant,
      nullif(trim(tag_user_id), '') AS tag_user_id,
      nullif(trim(tag_task), '') AS tag_task,
      nullif(trim(tag_route), '') AS tag_route,
      nullif(trim(tag_tier), '') AS tag_tier,
      nullif(trim(tag_effort), '') AS tag_effort,
      NULL AS tenant, NULL AS user_id, NULL AS task, NULL AS route, NULL AS tier, NULL AS effort,
      ${count('prompt_tokens')} AS prompt_tokens,
      ${count('tool_tokens')} AS tool_tokens,
      ${count('memory_tokens')} AS memory_tokens,
      tool_name,
      tool_arguments,
      conversation_id,
      response_id,
      CASE WHEN uncounted THEN json_merge_patch(coalesce(TRY_CAST(tags_json AS JSON), '{}'), json_object('uncounted_counters', ${counterLikeAttributes('extra')}))::VARCHAR
           ELSE tags_json END AS tags_json,
      rid,
      line,
      problem
    FROM judged`;
  const columns = [...SPAN_COLUMN_NAMES, 'rid', 'line', 'problem'].map(quoteIdent).join(', ');
  await readingTypedRelations(db, () => db.exec(`INSERT INTO ${quoteIdent(STAGE_TABLE)} (${columns}) SELECT ${columns} FROM (${select})`, { convention, ...ns.params }));
  await db.exec(`DROP TABLE ${quoteIdent(EXCLUSIVE_SOURCES)}`);
}
