/**
 * renderTemplate(): per-host variables in kickstart templates.
 *
 * A placeholder is `{{name}}` (spaces inside the braces allowed) where the
 * name is a letter or `_` followed by letters, digits, `_`, `.` or `-`. Other
 * `{{` text is left alone, so scripts that use braces themselves survive.
 * An unknown name is an error with its line, not an empty string: a
 * kickstart with a silently blank `network --hostname=` installs the wrong host.
 *
 * On a command line (outside %packages, %pre, %post… sections) a value is
 * quoted as a kickstart word (the shlex rules of words.ts), so it stays one
 * argument: `rootpw --plaintext {{pw}}` with `pass word` renders `rootpw
 * --plaintext 'pass word'`, where an unquoted value used to leave `word` as a
 * second argument, in clear text next to the hash of `pass`. Inside quotes
 * the value is escaped for that quote; inside a comment it is copied. A line
 * break in a value would start a new command (or end a section), so it is an
 * error on a command line, and in a section body no value may start a line
 * with `%`. Section bodies (scripts, package lists) are otherwise copied
 * verbatim: their quoting is the template author's.
 */
import { RemasterError } from '../errors.ts';

/** Options for renderTemplate. */
export interface RenderTemplateOptions {
  /** Template path for error messages. */
  file?: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/gu;
const PLAIN_FRAGMENT = /^[A-Za-z0-9_@%+=:,./-]*$/u;
const SECTION_START = /^\s*%(?!end\b|include\b|ksappend\b)[A-Za-z]/u;
const SECTION_END = /^\s*%end\b/u;

type Quote = 'none' | "'" | '"' | 'comment';

/** The shlex state (words.ts splitWords) after reading `text` from the start of a command line. */
function quoteState(text: string): Quote {
  let quote: Quote = 'none';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = 'none';
    } else if (quote === '"') {
      if (c === '"') quote = 'none';
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) i++;
    } else if (c === ' ' || c === '\t') {
      inWord = false;
    } else if (c === '#' && !inWord) {
      return 'comment';
    } else if (c === '\\') {
      i++;
      inWord = true;
    } else {
      if (c === "'" || c === '"') quote = c;
      inWord = true;
    }
  }
  return quote;
}

/** Return `value` as it must appear at a point of a command line in quote state `state`, to read back as itself. */
function quoteFragment(value: string, state: Quote): string {
  if (state === 'comment') return value;
  if (state === "'") return value.replaceAll("'", `'\\''`);
  if (state === '"') return value.replace(/["\\]/gu, (c) => `\\${c}`);
  return PLAIN_FRAGMENT.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

interface Ctx {
  vars: Readonly<Record<string, string>>;
  options: RenderTemplateOptions;
  line: number;
}

function fail(ctx: Ctx, column: number, detail: string): never {
  throw new RemasterError('KICKSTART_SYNTAX', detail, { ...(ctx.options.file !== undefined ? { file: ctx.options.file } : {}), line: ctx.line, column });
}

function lookup(ctx: Ctx, name: string, match: string, column: number): string {
  if (Object.hasOwn(ctx.vars, name)) return ctx.vars[name] as string;
  const known = Object.keys(ctx.vars).sort();
  const hint = known.length > 0 ? `known: ${known.join(', ')}` : 'no variables were given';
  return fail(ctx, column, `unknown template variable "${name}" in ${match} (${hint})`);
}

function renderLine(text: string, ctx: Ctx, inSection: boolean): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const at = m.index;
    const column = at + 1;
    out += text.slice(last, at);
    const value = lookup(ctx, m[1] as string, m[0], column);
    if (/[\0\r]/u.test(value) || (!inSection && value.includes('\n'))) {
      fail(ctx, column, `the value of {{${m[1]}}} holds a line break or NUL, which would start a new kickstart command; give it on one line`);
    }
    if (inSection) {
      if (value.split('\n').slice(out.trim() === '' ? 0 : 1).some((l) => l.trimStart().startsWith('%'))) {
        fail(ctx, column, `the value of {{${m[1]}}} puts a line starting with % into a section, which would end it or open another`);
      }
      out += value;
    } else {
      out += quoteFragment(value, quoteState(out));
    }
    last = at + m[0].length;
  }
  return out + text.slice(last);
}

/** Replace every `{{name}}` with `vars[name]`, quoted as a kickstart word on command lines; throw KICKSTART_SYNTAX naming the line of an unknown or unsafe one. */
export function renderTemplate(text: string, vars: Readonly<Record<string, string>>, options: RenderTemplateOptions = {}): string {
  let inSection = false;
  return text.split('\n').map((line, i) => {
    if (SECTION_END.test(line)) inSection = false;
    else if (SECTION_START.test(line)) {
      const header = renderLine(line, { vars, options, line: i + 1 }, false);
      inSection = true;
      return header;
    }
    return renderLine(line, { vars, options, line: i + 1 }, inSection);
  }).join('\n');
}

/** Return the variable names a template uses, in order of first use. */
export function templateVariables(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string))];
}
