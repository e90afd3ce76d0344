/**
 * Escape-by-default HTML: `html\`<p>${value}</p>\`` escapes every
 * interpolated value unless it is itself an Html fragment made by `html`
 * (arrays are joined, null/undefined/false render nothing). No other way
 * to put markup in a page exists, so a host name, MAC, log line or
 * kickstart always renders as text.
 */

/** A trusted fragment of markup. */
export class Html {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/gu, (c) => ESCAPES[c] as string);
}

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return (v as readonly Value[]).map(render).join('');
  return escapeHtml(String(v));
}

/** Tagged template: markup from the literal, every value escaped. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i] as Value) + (strings[i + 1] as string);
  return new Html(out);
}

/**
 * Terminal output as plain text: ANSI escape sequences (CSI, OSC) removed and every other control
 * character except tab and newline shown as U+FFFD, so a log tail cannot move the page or hide text.
 */
export function terminalText(text: string): string {
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/gu, '')
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/gu, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu, '\ufffd');
}

/** A time as the console shows it: `2026-12-03 13:39:06Z` (UTC); empty for none. */
export function formatTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/u, 'Z');
}
