/**
 * Where an attribution tag of a record-shaped source comes from, as a list of field specs tried in
 * order (the first non-empty wins). A spec is
 *   `field`            a top-level field (`team_id`, `userId`),
 *   `field.a.b`        a path inside a JSON-valued field (`metadata.tenant_id`),
 *   `tag:<prefix>`     the first entry of the tag list that starts with the prefix, without it
 *                      (`tag:tenant:` reads `tenant:acme` as `acme`).
 * `--map tenant=end_user` (or a mapping file) replaces a source's default specs for that tag.
 * Specs come from the user, so every name and path is bound as a parameter.
 */
import type { DuckDBValue } from '@duckdb/node-api';

export class FieldSpecs {
  readonly params: Record<string, DuckDBValue> = {};
  private next = 0;

  constructor(private readonly tagsExpr: string) {}

  private bind(value: string): string {
    const name = `costattr_spec_${this.next++}`;
    this.params[name] = value;
    return `$${name}`;
  }

  /** SQL text expression of one spec over a record `rec`. */
  expression(spec: string): string {
    if (spec.startsWith('tag:')) {
      const prefix = this.bind(spec.slice(4));
      return `nullif(substr(list_filter(${this.tagsExpr}, t -> starts_with(t, ${prefix}))[1], length(${prefix}) + 1), '')`;
    }
    const dot = spec.indexOf('.');
    if (dot <= 0) return `nullif(json_extract_string(rec, ${this.bind(`$."${spec.replaceAll('"', '')}"`)}), '')`;
    const field = this.bind(`$."${spec.slice(0, dot).replaceAll('"', '')}"`);
    const path = this.bind(`$.${spec.slice(dot + 1).split('.').map((k) => `"${k.replaceAll('"', '')}"`).join('.')}`);
    return `nullif(json_extract_string(costattr_json_field(rec, ${field}), ${path}), '')`;
  }

  /** The first non-empty of several specs. */
  firstOf(specs: readonly string[]): string {
    const parts = specs.map((s) => this.expression(s));
    return parts.length === 0 ? 'NULL' : parts.length === 1 ? (parts[0] ?? 'NULL') : `coalesce(${parts.join(', ')})`;
  }
}

/** Attribution fields a source maps, in the canonical names `--map` uses. */
export const MAPPED_TAGS = ['tenant', 'user_id', 'task', 'route', 'tier'] as const;
export type MappedTag = (typeof MAPPED_TAGS)[number];

/** The user's spec for a tag (from --map) in front of the source's defaults. */
export function tagSpecs(defaults: Readonly<Record<MappedTag, readonly string[]>>, mapping: Readonly<Record<string, string>>): Record<MappedTag, string[]> {
  const out = {} as Record<MappedTag, string[]>;
  for (const tag of MAPPED_TAGS) {
    const given = mapping[tag];
    out[tag] = given === undefined ? [...defaults[tag]] : [given];
  }
  return out;
}
