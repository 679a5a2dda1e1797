/**
 * Text from inputs (tenant, route, model and tool names, values echoed in errors) made safe to print:
 * C0/C1 control characters — ESC, CR, BEL, the introducers of OSC-8 links and screen clears — are
 * shown as visible `\xNN` escapes, so a name cannot clear the screen, forge a link or overwrite a
 * line. Newlines and tabs stay only where a caller keeps them (multi-line messages).
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BREAK = /[\x00-\x1f\x7f-\x9f]/g;

function escape(ch: string): string {
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** One line of text (a table cell, a name): every control character escaped, line breaks too. */
export function safeInline(text: string): string {
  return text.replace(CONTROL_OR_BREAK, escape);
}

/** A message of several lines: newlines and tabs kept, every other control character escaped. */
export function safeMessage(text: string): string {
  return text.replace(CONTROL, escape);
}
