/**
 * The custom tag namespace (`acme` → `acme.tenant_id`, `acme.user_id`, …): given, or detected as
 * the one non-standard attribute prefix that carries a tenant/user/task/route key. Once known, the
 * OTLP rows' own tags, layer counters, namespace service tier and `tags_json` are read from their
 * grouped custom attributes by the normaliser.
 */
import { quoteIdent } from '../../db/quote.js';
import { CostattrError } from '../../errors.js';

const NAMESPACE_PATTERN = /^[A-Za-z0-9_-]+$/;

export function resolveNamespace(given: string | undefined, candidates: ReadonlySet<string>): string | null {
  if (given !== undefined && given !== '') {
    if (!NAMESPACE_PATTERN.test(given)) {
      throw new CostattrError('BAD_USAGE', `--namespace ${given}: expected one attribute prefix such as "acme" (letters, digits, _ and -)`);
    }
    return given;
  }
  const found = [...candidates].sort();
  if (found.length > 1) {
    throw new CostattrError('BAD_USAGE', `several attribute namespaces carry tenant/user/task/route tags: ${found.join(', ')}`, {
      hint: `name the one to use with --namespace (e.g. --namespace ${found[0] ?? 'acme'})`,
    });
  }
  return found[0] ?? null;
}

/** Raw column → key under the namespace that fills it when the column itself is empty. */
const NAMESPACE_FIELDS = {
  tag_tenant: 'tenant_id',
  tag_user_id: 'user_id',
  tag_task: 'task_id',
  tag_route: 'route',
  tag_tier: 'tier',
  tag_effort: 'effort',
  prompt_tokens: 'prompt_tokens',
  tool_tokens: 'tool_tokens',
  memory_tokens: 'memory_tokens',
  service_tier: 'service_tier',
} as const;

/**
 * SQL expressions reading each raw column with its namespace fallback: the column when a flat table
 * filled it, else `<ns>.<key>` from the grouped custom attributes. The caller selects
 * `json_extract_string(extra, $ns_paths::VARCHAR[]) AS ns_values` first, so each row's JSON is parsed once.
 */
export function namespacedColumns(namespace: string | null): { columns: Map<string, string>; params: Record<string, string> } {
  const columns = new Map<string, string>();
  if (namespace === null) return { columns, params: {} };
  const group = `$."${namespace.replaceAll('"', '')}"`;
  const paths = [group];
  for (const [column, key] of Object.entries(NAMESPACE_FIELDS)) {
    paths.push(`${group}."${key}"`);
    columns.set(column, `coalesce(${quoteIdent(column)}, ns_values[${paths.length}])`);
  }
  columns.set('tags_json', 'coalesce(tags_json, ns_values[1])');
  return { columns, params: { ns_paths: JSON.stringify(paths) } };
}
