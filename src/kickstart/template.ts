/**
 * renderTemplate(): per-host variables in kickstart templates.
 *
 * A placeholder is `{{name}}` (spaces inside the braces allowed) where the
 * name is a letter or `_` followed by letters, digits, `_`, `.` or `-`. Other
 * `{{` text is left alone, so scripts that use braces themselves survive.
 * An unknown name is an error with its line, not an empty string: a
 * kickstart with a silently blank `network --hostname=` installs the wrong host.
 */
import { RemasterError } from '../errors.ts';

/** Options for renderTemplate. */
export interface RenderTemplateOptions {
  /** Template path for error messages. */
  file?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/gu;

/** Replace every `{{name}}` with `vars[name]`; throw KICKSTART_SYNTAX naming the line of an unknown one. */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>, options: RenderTemplateOptions = {}): string {
  return text.replace(PLACEHOLDER, (match: string, name: string, offset: number) => {
    if (Object.hasOwn(vars, name)) return vars[name] as string;
    const line = text.slice(0, offset).split('\n').length;
    const known = Object.keys(vars).sort();
    const hint = known.length > 0 ? `known: ${known.join(', ')}` : 'no variables were given';
    throw new RemasterError('KICKSTART_SYNTAX', `unknown template variable "${name}" in ${match} (${hint})`, {
      ...(options.file !== undefined ? { file: options.file } : {}),
      line,
      column: offset - text.lastIndexOf('\n', offset - 1),
    });
  });
}

/** Return the variable names a template uses, in order of first use. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}
