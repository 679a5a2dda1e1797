/**
 * JSON output: two-space indented, keys in the order the result object was built (stable). Every
 * document a command prints starts with `schema_version`: the version of its shape (the JSON Schema
 * files under `schemas/`), raised whenever a key is added, removed or changes meaning.
 */
export const SCHEMA_VERSION = 1;

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A command's JSON document, versioned: `{"schema_version": 1, …the document}`. */
export function renderJsonDocument(document: object): string {
  return renderJson({ schema_version: SCHEMA_VERSION, ...document });
}
