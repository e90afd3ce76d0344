/**
 * The state a kickstart's commands are checked in: one `CommandRun` per
 * command line, with the release's option table for that command version,
 * the attributes earlier lines of the same command set (a command given
 * twice keeps what the first line set, as the installer's command objects
 * do), the data earlier lines of a repeatable command defined (for
 * duplicates), and the findings.
 *
 * Per-version rules (rules.ts) are registered under the command version
 * that introduced them (`F20_LogVol`); a command version runs the nearest
 * registered rule in its lineage, and a rule reaches its predecessor with
 * `run.next(...)`, so a version that replaced its predecessor's checks does
 * not inherit them.
 */
import { parseArgv, type Namespace } from './argv.ts';
import type { ParserSpec } from './types.ts';

/** How a finding counts. */
export type FindingKind = 'error' | 'deprecated' | 'duplicate';

/** One finding on a command line. */
export interface Finding {
  kind: FindingKind;
  message: string;
  /** For deprecations: whether a whole command or one of its options is deprecated. */
  subject?: 'command' | 'option';
}

/** Thrown by a rule to stop checking a line, as the installer's parser stops at its first error. */
export class StopLine extends Error {}

/** Per-file state shared by every line: attributes of singleton commands and data of repeatable ones, by command version. */
export interface FileState {
  attributes: Map<string, Namespace>;
  data: Map<string, Namespace[]>;
  /** Command objects seen so far (by the name the release maps: part and partition share one). */
  seen: Set<string>;
}

/** Create an empty per-file state. */
export function newFileState(): FileState {
  return { attributes: new Map(), data: new Map(), seen: new Set() };
}

/** A rule: the checks of one command version. */
export type Rule = (run: CommandRun) => void;

/** Python truthiness: false for undefined, null, false, 0, '', [] and {}. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}

/** One command line being checked. */
export class CommandRun {
  readonly findings: Finding[] = [];
  /** The command word as written (`part` or `partition`). */
  readonly name: string;
  /** Arguments after the command word. */
  readonly words: readonly string[];
  /** The text after the command word, for commands that read their line whole. */
  readonly rest: string;
  /** Command version, e.g. `F41_Partition`, then its lineage. */
  readonly classes: readonly string[];
  readonly spec: ParserSpec;
  /** pykickstart's ordering number of the release (RHEL9 = 34100). */
  readonly release: number;
  readonly #state: FileState;
  readonly #rules: ReadonlyMap<string, Rule>;

  constructor(init: { name: string; words: readonly string[]; rest: string; cls: string; spec: ParserSpec; release: number; state: FileState; rules: ReadonlyMap<string, Rule> }) {
    this.name = init.name;
    this.words = init.words;
    this.rest = init.rest;
    this.classes = [init.cls, ...(init.spec.lineage ?? [])];
    this.spec = init.spec;
    this.release = init.release;
    this.#state = init.state;
    this.#rules = init.rules;
  }

  /** Run the nearest rule at or after `from` in this version's lineage (default: the version itself). */
  next(from?: string): void {
    const start = from === undefined ? 0 : this.classes.indexOf(from) + 1;
    for (const cls of this.classes.slice(start)) {
      const rule = this.#rules.get(cls);
      if (rule) return rule(this);
    }
    this.parse('strict');
  }

  /** Run the rule registered for exactly `cls` (a version calling a specific older version's checks). */
  call(cls: string): void {
    const rule = this.#rules.get(cls);
    if (!rule) throw new Error(`no kickstart rule for ${cls}`);
    rule(this);
  }

  /** Return true when this version is or extends `cls`. */
  is(cls: string): boolean {
    return this.classes.includes(cls);
  }

  /** Parse the words with the option table; `strict` rejects left-over words. */
  parse(mode: 'strict' | 'known'): { ns: Namespace; extra: string[] } {
    const result = parseArgv(this.spec, this.words);
    for (const option of result.deprecated) {
      this.deprecate(`the ${option} option has been deprecated and no longer has any effect; remove it`, 'option');
    }
    if (result.error !== undefined) this.fail(result.error);
    if (mode === 'strict' && result.extra.length > 0) this.fail(`unrecognized arguments: ${result.extra.join(' ')}`);
    return { ns: result.ns, extra: result.extra };
  }

  /** Merge parsed values into the command's attributes (later lines override) and return them. */
  setToSelf(ns: Namespace): Namespace {
    const key = this.classes[0] as string;
    const attrs = this.#state.attributes.get(key) ?? {};
    Object.assign(attrs, ns);
    this.#state.attributes.set(key, attrs);
    return attrs;
  }

  /** The data earlier lines of this repeatable command defined. */
  get dataList(): readonly Namespace[] {
    return this.#state.data.get(this.classes[0] as string) ?? [];
  }

  /** Record this line's data for later duplicate checks. */
  addData(data: Namespace): void {
    const key = this.classes[0] as string;
    this.#state.data.set(key, [...this.dataList, data]);
  }

  /** Stop with an error. */
  fail(message: string): never {
    this.findings.push({ kind: 'error', message });
    throw new StopLine(message);
  }

  /** Note a deprecated command, option or form (accepted, ignored; ksvalidator rejects it). */
  deprecate(message: string, subject: 'command' | 'option' = 'command'): void {
    this.findings.push({ kind: 'deprecated', message, subject });
  }

  /** Note a second definition of the same thing. */
  duplicate(message: string): void {
    this.findings.push({ kind: 'duplicate', message });
  }

  /** Fail with "Unexpected arguments" when any word is left over. */
  noExtra(extra: readonly string[]): void {
    if (extra.length > 0) this.fail(`unexpected arguments to ${this.name}: ${extra.join(' ')}`);
  }
}
