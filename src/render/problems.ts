/**
 * Records an ingest skipped, as stderr notes: the first few named with file, line (or row), field
 * and reason, the rest counted; `ingest --rejects FILE` writes every one of them.
 */
export const NOTED_PROBLEMS = 10;

export interface SkippedRecord {
  file: string;
  line?: number | undefined;
  row?: number | undefined;
  field?: string | undefined;
  message: string;
}

/** `skipped FILE:LINE: field F: reason` for the first NOTED_PROBLEMS of `total` skipped records. */
export function skippedNotes(problems: readonly SkippedRecord[], total = problems.length): string[] {
  const notes = problems.slice(0, NOTED_PROBLEMS).map((p) => {
    const where = p.line !== undefined ? `:${p.line}` : p.row !== undefined ? ` row ${p.row}` : '';
    return `skipped ${p.file}${where}:${p.field ? ` field ${p.field}:` : ''} ${p.message}`;
  });
  if (total > NOTED_PROBLEMS) notes.push(`… ${total - NOTED_PROBLEMS} more skipped (ingest --rejects FILE lists them all)`);
  return notes;
}
