/**
 * parseKickstart(): kickstart text to the node model, keeping every line.
 *
 * Follows pykickstart's state machine (parser.py): in the command section a
 * line starting with `%` opens a section; a section runs to `%end` or, as
 * RHEL 5/6 and kickseed allow, to the next known section header. `%include`
 * and `%ksappend` are noted, not followed. Deliberate extension: a command
 * line ending in `\` continues on the next line (shell semantics), which
 * generated kickstarts use for long `network` or `part` lines.
 */
import { RemasterError } from '../errors.ts';
import { KNOWN_SECTIONS, type Kickstart, type KickstartNode, type KickstartSection } from './types.ts';
import { splitWords } from './words.ts';

/** Options for parseKickstart. */
export interface ParseKickstartOptions {
  /** Path for error messages and `Kickstart.file`. */
  file?: string;
}

const SECTION_NAMES: ReadonlySet<string> = new Set(KNOWN_SECTIONS);

/** Split text into lines that keep their terminators (the last one may have none). */
export function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/u);
}

function stripEol(raw: string): string {
  return raw.replace(/\r?\n$/u, '');
}

function firstWord(raw: string): string {
  return raw.trim().split(/\s+/u)[0] ?? '';
}

/** Return true when a line opens a section pykickstart knows (`%post`, `%packages --x`, ...). */
export function isSectionHeader(raw: string): boolean {
  const word = firstWord(raw);
  return word.startsWith('%') && SECTION_NAMES.has(word.slice(1));
}

function isEnd(raw: string): boolean {
  return firstWord(raw) === '%end';
}

/** Count the physical lines of a command that ends in an odd number of backslashes. */
function continuedLength(lines: readonly string[], start: number): number {
  let n = 1;
  while (start + n < lines.length && /(?:^|[^\\])(?:\\\\)*\\$/u.test(stripEol(lines[start + n - 1] as string))) n++;
  return n;
}

/** Parse kickstart text into an ordered node list; throw KICKSTART_SYNTAX on an unclosed quote. */
export function parseKickstart(text: string, options: ParseKickstartOptions = {}): Kickstart {
  const lines = splitLines(text);
  const eol = lines[0]?.endsWith('\r\n') ? '\r\n' : '\n';
  const nodes: KickstartNode[] = [];
  let section: KickstartSection | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = i + 1;
    if (section) {
      if (isEnd(raw)) {
        section.end = { line, raw };
        section = undefined;
        continue;
      }
      if (!isSectionHeader(raw)) {
        section.body += raw;
        continue;
      }
      section = undefined;
    }
    const parsed = parseTopLine(lines, i, options.file);
    nodes.push(parsed.node);
    if (parsed.node.kind === 'section') section = parsed.node;
    i += parsed.consumed - 1;
  }
  return { ...(options.file !== undefined ? { file: options.file } : {}), eol, nodes };
}

function syntaxError(detail: string, file: string | undefined, line: number): RemasterError {
  return new RemasterError('KICKSTART_SYNTAX', detail, { ...(file !== undefined ? { file } : {}), line });
}

/** Parse one command-section line (or a run of continued lines) at index `i`. */
function parseTopLine(lines: readonly string[], i: number, file: string | undefined): { node: KickstartNode; consumed: number } {
  const raw = lines[i] as string;
  const line = i + 1;
  const trimmed = raw.trim();
  if (trimmed === '') return { node: { kind: 'blank', line, raw }, consumed: 1 };
  if (trimmed.startsWith('#')) return { node: { kind: 'comment', line, raw, text: stripEol(raw) }, consumed: 1 };
  if (trimmed.startsWith('%')) return { node: parseDirective(raw, line, file), consumed: 1 };
  const consumed = continuedLength(lines, i);
  const physical = lines.slice(i, i + consumed);
  const logical = physical.map((l, k) => (k < consumed - 1 ? stripEol(l).slice(0, -1) : stripEol(l))).join('');
  const split = splitWords(logical);
  if (split.error !== undefined) throw syntaxError(split.error, file, line);
  const [name, ...args] = split.words;
  if (name === undefined) return { node: { kind: 'comment', line, raw: physical.join(''), text: stripEol(raw) }, consumed };
  const node: KickstartNode = { kind: 'command', line, raw: physical.join(''), name, args };
  if (split.comment !== undefined) node.comment = split.comment;
  return { node, consumed };
}

/** Parse a `%…` line outside a section: `%end`, `%include`, `%ksappend` or a section header. */
function parseDirective(raw: string, line: number, file: string | undefined): KickstartNode {
  const split = splitWords(stripEol(raw));
  if (split.error !== undefined) throw syntaxError(split.error, file, line);
  const [word = '', ...args] = split.words;
  if (word === '%end') return { kind: 'stray-end', line, raw };
  if (word === '%include' || word === '%ksappend') {
    const path = args[0];
    if (path === undefined) throw syntaxError(`${word} needs a path`, file, line);
    return { kind: 'include', line, raw, directive: word === '%include' ? 'include' : 'ksappend', path };
  }
  return { kind: 'section', line, raw, name: word.slice(1), args, body: '' };
}
