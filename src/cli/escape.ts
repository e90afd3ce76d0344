/**
 * Terminal-safe text (STYLE.md §1.8 rule 8). Names, link targets, labels and
 * messages come from images, ISOs and packages made by others: printed raw, an
 * ESC sequence can clear the screen or retitle the terminal, a CR or BS can
 * overwrite what was printed, and a newline forges a listing line. Human
 * output escapes every C0 control, DEL and the C1 controls U+0080–U+009F
 * (which some terminals obey as 8-bit CSI/OSC) as `\ooo` octal, like
 * `ls -b` and GNU cpio; names also escape the backslash itself, so an escape
 * can always be told from a name that happens to contain one.
 */

/** C0 controls, DEL and C1 controls. */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/gu;
const CONTROLS_AND_BACKSLASH = /[\u0000-\u001f\u007f-\u009f\\]/gu;

function octal(c: string): string {
  return c === '\\' ? '\\\\' : `\\${(c.codePointAt(0) as number).toString(8).padStart(3, '0')}`;
}

/** Escape a name or link target for a listing: controls as `\ooo`, backslash as `\\`. */
export function escapeName(name: string): string {
  return name.replace(CONTROLS_AND_BACKSLASH, octal);
}

/** Escape free text (a message, a title, one console line): controls as `\ooo`, backslashes kept. */
export function escapeText(text: string): string {
  return text.replace(CONTROLS, octal);
}

/** Escape each line of a block of text, keeping its line breaks. */
export function escapeLines(text: string): string {
  return text.split('\n').map(escapeText).join('\n');
}

/**
 * JSON.stringify, plus `\u00XX` escapes for DEL and the C1 controls, which JSON.stringify leaves
 * raw (only U+0000–U+001F must be escaped in JSON strings). The result is the same JSON value.
 */
export function toJson(value: unknown, space?: number, replacer?: (key: string, value: unknown) => unknown): string {
  const text = JSON.stringify(value, replacer as never, space) ?? 'null';
  return text.replace(/[\u007f-\u009f]/gu, (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`);
}
