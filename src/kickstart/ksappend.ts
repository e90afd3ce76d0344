/**
 * expandKsappend(): `%ksappend <location>` lines replaced by the text they
 * name, before the kickstart is parsed, as anaconda's preprocessing does
 * (pykickstart parser.py `preprocessKickstart`): any line whose first word
 * starts with `%ksappend`, inside sections too; the appended text is not
 * itself preprocessed. Reading is the caller's (text in, text out): a
 * location `read` cannot supply is reported, because the installer stops
 * on it, and its line is kept. Lines after appended text are numbered in
 * the expanded text, as ksvalidator numbers them.
 */
import type { LintIssue } from './lint-types.ts';

/** Result of expandKsappend. */
export interface KsappendResult {
  text: string;
  /** One error per `%ksappend` that could not be read. */
  issues: LintIssue[];
}

/** Return the locations `%ksappend` lines name, in order, so a caller can read them before expandKsappend. */
export function ksappendLocations(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('%ksappend')).flatMap((l) => {
    const location = l.split(' ')[1];
    return location === undefined ? [] : [location];
  });
}

/** Replace `%ksappend` lines with `read(location)`; undefined from `read` is an error naming the line. */
export function expandKsappend(text: string, read: (location: string) => string | undefined): KsappendResult {
  const issues: LintIssue[] = [];
  const out: string[] = [];
  const lines = text === '' ? [] : text.split(/(?<=\n)/u);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed.startsWith('%ksappend')) {
      out.push(line);
      return;
    }
    const location = trimmed.split(' ')[1];
    const content = location === undefined ? undefined : read(location);
    if (content === undefined) {
      const message = location === undefined ? '%ksappend needs a location' : `%ksappend ${location} cannot be read`;
      issues.push({ line: i + 1, severity: 'error', code: 'KS_KSAPPEND', kind: 'syntax', message });
      out.push(line);
      return;
    }
    out.push(content);
  });
  return { text: out.join(''), issues };
}
