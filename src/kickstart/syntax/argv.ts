/**
 * parseArgv(): a command's words against its option table, the way the
 * installer's parser reads them (pykickstart builds on Python's argparse;
 * this follows the argparse rules documented for Python 3.11):
 *
 * - a word starting with `-` is an option unless it is a negative number or
 *   contains a space; `--` makes every later word positional;
 * - `--name=value` or `--name value`; a flag given `=value` is an error;
 * - an unambiguous prefix of an option name selects it (`--boot` for
 *   `--bootproto` when nothing else starts so); an ambiguous one is an error;
 * - positionals are taken greedily, in order, from each run of non-option
 *   words; a `*` or `?` positional consumed once is done, and later words
 *   are left over (`extra`);
 * - values are converted and checked (int, float, boolean words, fixed
 *   choices), required options and positionals must be present.
 *
 * The result is the namespace (values by destination, defaults included),
 * the left-over words, the first error (parsing stops there, as argparse's
 * does) and the deprecated options seen.
 */
import type { Arity, OptionSpec, ParserSpec, PositionalSpec, ValueType } from './types.ts';

/** Parsed values by destination. */
export type Namespace = Record<string, unknown>;

/** What parseArgv found. */
export interface ArgvResult {
  ns: Namespace;
  /** Words no option or positional took. */
  extra: string[];
  /** The first error, worded as the installer words it. */
  error?: string;
  /** Deprecated option spellings used, in order. */
  deprecated: string[];
}

type Action = { kind: 'option'; spec: OptionSpec } | { kind: 'positional'; spec: PositionalSpec };
type Classified = { action: OptionSpec | undefined; name: string; explicit: string | undefined };

class ArgvError extends Error {}

const NEGATIVE_NUMBER = /^-\d+$|^-\d*\.\d+$/u;
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/u;
const PY_FLOAT = /^\s*[+-]?(?:(?:\d+(?:_\d+)*)?\.?\d+(?:_\d+)*(?:[eE][+-]?\d+)?|\d+\.|inf(?:inity)?|nan)\s*$/iu;
const TRUE_WORDS = ['on', 'yes', 'true', '1'];
const FALSE_WORDS = ['off', 'no', 'false', '0'];

function optionIndex(spec: ParserSpec): Map<string, OptionSpec> {
  const index = new Map<string, OptionSpec>();
  for (const option of spec.options) for (const name of option.names) index.set(name, option);
  return index;
}

/** Decide whether a word is an option (and which) or a positional (undefined). */
function classify(word: string, index: ReadonlyMap<string, OptionSpec>): Classified | undefined {
  if (word === '' || word[0] !== '-') return undefined;
  const exact = index.get(word);
  if (exact) return { action: exact, name: word, explicit: undefined };
  if (word.length === 1) return undefined;
  const eq = word.indexOf('=');
  if (eq >= 0) {
    const named = index.get(word.slice(0, eq));
    if (named) return { action: named, name: word.slice(0, eq), explicit: word.slice(eq + 1) };
  }
  if (word.startsWith('--')) {
    const prefix = eq >= 0 ? word.slice(0, eq) : word;
    const explicit = eq >= 0 ? word.slice(eq + 1) : undefined;
    const matches = [...index.keys()].filter((name) => name.startsWith(prefix));
    if (matches.length > 1) throw new ArgvError(`ambiguous option: ${word} could match ${matches.join(', ')}`);
    if (matches.length === 1) return { action: index.get(matches[0] as string), name: matches[0] as string, explicit };
  }
  if (NEGATIVE_NUMBER.test(word) || word.includes(' ')) return undefined;
  return { action: undefined, name: word, explicit: undefined };
}

function convert(value: string, type: ValueType | undefined, label: string): unknown {
  if (type === undefined) return value;
  if (type === 'int') {
    if (!PY_INT.test(value)) throw new ArgvError(`argument ${label}: invalid int value: '${value}'`);
    return Number(value.replaceAll('_', ''));
  }
  if (type === 'float') {
    if (!PY_FLOAT.test(value)) throw new ArgvError(`argument ${label}: invalid float value: '${value}'`);
    return Number(value.replaceAll('_', ''));
  }
  if (type === 'bool') {
    const lower = value.toLowerCase();
    if (TRUE_WORDS.includes(lower)) return true;
    if (FALSE_WORDS.includes(lower)) return false;
    throw new ArgvError(`argument ${label}: invalid boolean value: '${value}'`);
  }
  if (type === 'list') return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  if (type === 'mountpoint') return value.startsWith('/') ? normalizePath(value) : value;
  if (!type.words.includes(value.toLowerCase())) throw new ArgvError(`argument ${label}: invalid value: ${value} (expected one of ${type.words.join(', ')})`);
  return value.toLowerCase();
}

/** POSIX path normalisation as Python's os.path.normpath: `/boot/` and `/boot/.` name `/boot`; a leading `//` is kept. */
export function normalizePath(path: string): string {
  const lead = path.startsWith('//') && !path.startsWith('///') ? '//' : path.startsWith('/') ? '/' : '';
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && (parts.length > 0 && parts[parts.length - 1] !== '..')) parts.pop();
    else if (part !== '..' || lead === '') parts.push(part);
  }
  return lead + parts.join('/') || (lead === '' ? '.' : lead);
}

function checked(spec: OptionSpec | PositionalSpec, value: string, label: string): unknown {
  const v = convert(value, spec.type, label);
  if (spec.choices !== undefined && !spec.choices.includes(v as string | number)) {
    throw new ArgvError(`argument ${label}: invalid choice: '${value}' (choose from ${spec.choices.map((c) => `'${c}'`).join(', ')})`);
  }
  return v;
}

/** The regular expression argparse uses to count the words an action takes from a pattern of A (argument) and - (after `--`). */
function arityPattern(arity: Arity, positional: boolean): string {
  const one = positional ? '-*A-*' : 'A';
  if (arity === '?') return positional ? '(-*A?-*)' : '(A?)';
  if (arity === '*') return positional ? '(-*[A-]*)' : '(A*)';
  if (arity === '+') return positional ? '(-*A[A-]*)' : '(AA*)';
  if (arity === 0) return positional ? '(-*-*)' : '()';
  return `(${Array.from({ length: arity }, () => one).join('')})`;
}

function arityMessage(arity: Arity): string {
  if (arity === '?') return 'expected at most one argument';
  if (arity === '+') return 'expected at least one argument';
  if (arity === 1) return 'expected one argument';
  return `expected ${arity} arguments`;
}

function label(action: Action): string {
  return action.kind === 'option' ? action.spec.names.join('/') : action.spec.dest;
}

/** Parse `words` (the command's arguments, without its name) against `spec`. */
export function parseArgv(spec: ParserSpec, words: readonly string[]): ArgvResult {
  const state = new ArgvState(spec, words);
  try {
    state.run();
  } catch (err) {
    if (!(err instanceof ArgvError)) throw err;
    return { ns: state.ns, extra: state.extra, error: err.message, deprecated: state.deprecated };
  }
  return { ns: state.ns, extra: state.extra, deprecated: state.deprecated };
}

class ArgvState {
  readonly ns: Namespace = {};
  readonly extra: string[] = [];
  readonly deprecated: string[] = [];
  readonly #spec: ParserSpec;
  readonly #words: readonly string[];
  readonly #seen = new Set<OptionSpec | PositionalSpec>();
  #classes: (Classified | 'A' | '-')[] = [];
  #pattern = '';
  #positionals: PositionalSpec[];

  constructor(spec: ParserSpec, words: readonly string[]) {
    this.#spec = spec;
    this.#words = words;
    this.#positionals = [...(spec.positionals ?? [])];
    for (const a of [...spec.options, ...(spec.positionals ?? [])]) if (a.default !== undefined && !(a.dest in this.ns)) this.ns[a.dest] = a.default;
  }

  run(): void {
    this.#classifyAll();
    const optionAt = this.#classes.flatMap((c, i) => (typeof c === 'object' ? [i] : []));
    let start = 0;
    const last = optionAt.length > 0 ? (optionAt[optionAt.length - 1] as number) : -1;
    while (start <= last) {
      const next = optionAt.find((i) => i >= start) as number;
      if (start !== next) {
        const end = this.#consumePositionals(start);
        if (end > start) {
          start = end;
          continue;
        }
      }
      if (!optionAt.includes(start)) {
        this.extra.push(...this.#words.slice(start, next));
        start = next;
      }
      start = this.#consumeOption(start);
    }
    const stop = this.#consumePositionals(start);
    this.extra.push(...this.#words.slice(stop));
    const missing = [...this.#spec.options, ...(this.#spec.positionals ?? [])].filter((a) => a.required && !this.#seen.has(a));
    if (missing.length > 0) {
      throw new ArgvError(`the following arguments are required: ${missing.map((a) => ('names' in a ? (a as OptionSpec).names.join('/') : a.dest)).join(', ')}`);
    }
  }

  #classifyAll(): void {
    const index = optionIndex(this.#spec);
    let afterDashes = false;
    for (const word of this.#words) {
      if (afterDashes) this.#classes.push('A');
      else if (word === '--') {
        afterDashes = true;
        this.#classes.push('-');
      } else {
        const c = classify(word, index);
        if (c?.action?.deprecated) this.deprecated.push(c.action.names[0] as string);
        this.#classes.push(c ?? 'A');
      }
    }
    this.#pattern = this.#classes.map((c) => (typeof c === 'object' ? 'O' : c)).join('');
  }

  #consumeOption(start: number): number {
    const c = this.#classes[start] as Classified;
    if (c.action === undefined) {
      this.extra.push(this.#words[start] as string);
      return start + 1;
    }
    const action = c.action;
    if (c.explicit !== undefined) {
      if (action.arity === 0) throw new ArgvError(`argument ${action.names.join('/')}: ignored explicit argument '${c.explicit}'`);
      if (typeof action.arity === 'number' && action.arity > 1) throw new ArgvError(`argument ${action.names.join('/')}: ${arityMessage(action.arity)}`);
      this.#take({ kind: 'option', spec: action }, [c.explicit]);
      return start + 1;
    }
    const m = new RegExp(`^${arityPattern(action.arity, false)}`, 'u').exec(this.#pattern.slice(start + 1));
    if (!m) throw new ArgvError(`argument ${action.names.join('/')}: ${arityMessage(action.arity)}`);
    const count = (m[1] as string).length;
    this.#take({ kind: 'option', spec: action }, this.#words.slice(start + 1, start + 1 + count));
    return start + 1 + count;
  }

  #consumePositionals(start: number): number {
    const rest = this.#pattern.slice(start);
    for (let n = this.#positionals.length; n > 0; n--) {
      const group = this.#positionals.slice(0, n);
      const m = new RegExp(`^${group.map((p) => arityPattern(p.arity, true)).join('')}`, 'u').exec(rest);
      if (!m) continue;
      let at = start;
      group.forEach((p, i) => {
        const count = (m[i + 1] as string).length;
        this.#take({ kind: 'positional', spec: p }, this.#words.slice(at, at + count).filter((w) => w !== '--'));
        at += count;
      });
      this.#positionals = this.#positionals.slice(n);
      return at;
    }
    return start;
  }

  #take(action: Action, args: readonly string[]): void {
    const spec = action.spec;
    this.#seen.add(spec);
    const name = label(action);
    const one = spec.arity === 1 || spec.arity === '?';
    let value: unknown;
    if (spec.arity === 0) value = (spec as OptionSpec).const ?? true;
    else if (args.length === 0 && spec.arity === '?') value = action.kind === 'option' ? action.spec.const : spec.default;
    else if (args.length === 0 && spec.arity === '*' && action.kind === 'positional') value = spec.default ?? [];
    else if (args.length === 1 && one && action.kind === 'option') value = checked(spec, args[0] as string, name);
    else if (args.length === 1 && spec.arity === '?') value = checked(spec, args[0] as string, name);
    else value = args.map((a) => checked(spec, a, name));
    if (action.kind === 'option' && action.spec.repeat) {
      const previous = Array.isArray(this.ns[spec.dest]) ? (this.ns[spec.dest] as unknown[]) : [];
      this.ns[spec.dest] = action.spec.arity === 0 || !Array.isArray(value) || action.spec.type === 'list' ? [...previous, ...(Array.isArray(value) ? value : [value])] : [...previous, value];
    } else {
      this.ns[spec.dest] = value;
    }
  }
}
