/** What a source loader reports back to the span ingest (src/ingest/spans/index.ts). */

export interface SourceLoad {
  /** Records the source holds (Claude Code: assistant messages with usage, before dedupe). */
  records: number;
  /** Records the source could not read (malformed lines, under skipInvalid only). */
  rejected: number;
  /** Rows written to the raw span table. */
  rows: number;
  /** Records left out before staging, by rule. */
  dropped: Record<string, number>;
  /** The rules in `dropped` that remove duplicates (the rest, e.g. ignored models, are not). */
  duplicateRules: string[];
}
