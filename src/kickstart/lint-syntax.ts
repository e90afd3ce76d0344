/**
 * lintSyntax(): what the target release's own kickstart parser rejects or
 * warns about, for the anaconda dialects (RHEL 5-10, Fedora): unknown,
 * removed and deprecated commands; options a command does not have in that
 * release, wrong values and argument counts (syntax/argv.ts over the
 * derived option tables, syntax/tables.ts); the per-version checks of
 * syntax/rules.ts; commands that exclude each other; the same user, network
 * device, partition... defined twice; section header options, `%packages`
 * group options, and sections a release deprecates. Every issue here has
 * kind `syntax`: this is the verdict `ksvalidator` gives.
 */
import { parseArgv } from './syntax/argv.ts';
import { RULES } from './syntax/rules.ts';
import { CommandRun, StopLine, newFileState, type FileState, type Finding } from './syntax/run.ts';
import { PARSERS, RELEASES } from './syntax/tables.ts';
import type { ParserSpec, ReleaseSpec, SyntaxDialect } from './syntax/types.ts';
import type { LintCode, LintInput, LintIssue } from './lint-types.ts';
import { COMMAND_REPLACEMENT, suggestCommand } from './commands.ts';
import type { KickstartCommand, KickstartSection } from './types.ts';

/** pykickstart release numbers used by section checks (version.py). */
const RELEASE = { RHEL6: 11100, F21: 19000, F32: 32000, F34: 34000, F40: 40000 } as const;
const SECTIONS_ANY_HEADER = new Set(['addon', 'anaconda']);

function issue(line: number, code: LintCode, message: string, severity: 'error' | 'warning' = 'error'): LintIssue {
  return { line, severity, code, kind: 'syntax', message };
}

/** Releases (oldest first) whose parser still maps `name` (deprecated included). */
function releasesWith(name: string): SyntaxDialect[] {
  return (Object.keys(RELEASES) as SyntaxDialect[]).filter((d) => RELEASES[d].commands[name] !== undefined && RELEASES[d].commands[name]?.status !== 'removed');
}

function unknownCommand(c: KickstartCommand, dialect: SyntaxDialect): LintIssue {
  const others = releasesWith(c.name);
  if (others.length > 0) {
    const own = RELEASES[dialect].number;
    const newer = others.some((d) => RELEASES[d].number > own);
    const code = newer ? 'KS_COMMAND_TOO_NEW' : 'KS_REMOVED_COMMAND';
    return issue(c.line, code, `${c.name} is not a command of ${dialect} (known to ${others.join(', ')})${hint(c.name)}`);
  }
  const guess = suggestCommand(c.name, dialect);
  return issue(c.line, 'KS_UNKNOWN_COMMAND', `unknown command "${c.name}"${guess ? ` (did you mean "${guess}"?)` : ''}`);
}

function hint(name: string): string {
  return COMMAND_REPLACEMENT[name] ? `; ${COMMAND_REPLACEMENT[name]}` : '';
}

/** Name the releases that take an option the line's release rejected, for the message. */
function optionElsewhere(label: string, message: string, parserOf: (d: SyntaxDialect) => ParserSpec | undefined): string {
  const word = /^(?:unrecognized|unexpected) arguments(?: to \S+)?: (--[^\s=]+)/u.exec(message)?.[1];
  if (word === undefined) return '';
  const takes = (Object.keys(RELEASES) as SyntaxDialect[]).filter((d) => (parserOf(d)?.options ?? []).some((o) => o.names.includes(word)));
  return takes.length > 0 ? ` (${label} ${word} exists in ${takes.join(', ')})` : '';
}

function commandParser(command: string): (d: SyntaxDialect) => ParserSpec | undefined {
  return (d) => {
    const cls = RELEASES[d].commands[command]?.class;
    return cls === undefined ? undefined : PARSERS[cls];
  };
}

function findingIssue(c: KickstartCommand, f: Finding): LintIssue {
  const text = f.message.startsWith(`${c.name} `) ? f.message : `${c.name}: ${f.message}`;
  if (f.kind === 'deprecated') return issue(c.line, f.subject === 'option' ? 'KS_DEPRECATED_OPTION' : 'KS_DEPRECATED_COMMAND', text, 'warning');
  if (f.kind === 'duplicate') return issue(c.line, 'KS_DUPLICATE', text, 'warning');
  const extra = /^(?:unrecognized|unexpected) arguments[^:]*: (.*)$/u.exec(f.message);
  const unknown = extra !== null;
  // left-over plain words (not options): an unquoted value split in two, e.g. a password with a space
  if (extra !== null && extra[1]?.split(' ').every((w) => !w.startsWith('-'))) return issue(c.line, 'KS_UNEXPECTED_ARGUMENT', text);
  return issue(c.line, unknown ? 'KS_UNKNOWN_OPTION' : 'KS_INVALID_COMMAND', `${text}${unknown ? optionElsewhere(c.name, f.message, commandParser(c.name)) : ''}`);
}

function lintCommand(c: KickstartCommand, release: ReleaseSpec, dialect: SyntaxDialect, state: FileState): LintIssue[] {
  const entry = release.commands[c.name];
  if (entry === undefined) return [unknownCommand(c, dialect)];
  if (entry.status === 'removed') return [issue(c.line, 'KS_REMOVED_COMMAND', `${c.name} was removed in ${dialect}${hint(c.name)}`)];
  if (entry.status === 'deprecated') {
    state.seen.add(entry.class);
    return [issue(c.line, 'KS_DEPRECATED_COMMAND', `${c.name} is deprecated in ${dialect} and has no effect${hint(c.name)}`, 'warning')];
  }
  const spec: ParserSpec = PARSERS[entry.class] ?? { options: [] };
  const issues: LintIssue[] = [];
  for (const other of spec.conflicts ?? []) {
    const cls = release.commands[other]?.class;
    if (cls !== undefined && state.seen.has(cls)) issues.push(issue(c.line, 'KS_COMMAND_CONFLICT', `the ${c.name} and ${other} commands cannot be used together`));
  }
  state.seen.add(entry.class);
  const rest = (c.raw ?? '').replace(/^\s*\S+/u, '').trim();
  const run = new CommandRun({ name: c.name, words: c.args, rest, cls: entry.class, spec, release: release.number, state, rules: RULES });
  try {
    run.next();
  } catch (err) {
    if (!(err instanceof StopLine)) throw err;
  }
  return [...issues, ...run.findings.map((f) => findingIssue(c, f))];
}

function lintSectionHeader(s: KickstartSection, release: ReleaseSpec): LintIssue[] {
  if (SECTIONS_ANY_HEADER.has(s.name)) return [];
  const spec = release.sections[s.name];
  if (spec === undefined) return [issue(s.line, 'KS_UNKNOWN_SECTION', `unknown section %${s.name}`)];
  const code: LintCode = s.name === 'packages' ? 'KS_PACKAGES_OPTION' : s.name === 'certificate' ? 'KS_SECTION_OPTION' : 'KS_SCRIPT_OPTION';
  const parsed = parseArgv(spec, s.args);
  const issues = parsed.deprecated.map((o) => issue(s.line, 'KS_DEPRECATED_OPTION', `%${s.name} ${o} is deprecated and has no effect`, 'warning'));
  const error = parsed.error ?? (parsed.extra.length > 0 ? `unrecognized arguments: ${parsed.extra.join(' ')}` : undefined);
  const elsewhere = error === undefined ? '' : optionElsewhere(`%${s.name}`, error, (d) => RELEASES[d].sections[s.name]);
  if (error !== undefined) return [...issues, issue(s.line, code, `%${s.name}: ${error}${elsewhere}`)];
  return [...issues, ...sectionChecks(s, parsed.ns, release.number)];
}

function sectionChecks(s: KickstartSection, ns: Record<string, unknown>, number: number): LintIssue[] {
  const issues: LintIssue[] = [];
  const has = (option: string): boolean => s.args.some((a) => a === option || a.startsWith(`${option}=`));
  if (s.name === 'packages') {
    if (number >= RELEASE.RHEL6 && ns['defaultPackages'] === true && ns['nobase'] === true) issues.push(issue(s.line, 'KS_PACKAGES_OPTION', '%packages --default and --nobase cannot be used together'));
    if (number >= RELEASE.F21 && ns['defaultPackages'] === true && ns['nocore'] === true) issues.push(issue(s.line, 'KS_PACKAGES_OPTION', '%packages --default and --nocore cannot be used together'));
    for (const [old, preferred] of [['--instLangs', '--inst-langs'], ['--excludeWeakdeps', '--exclude-weakdeps']] as const) {
      if (number >= RELEASE.F32 && number < RELEASE.F40 && has(old)) issues.push(issue(s.line, 'KS_DEPRECATED_OPTION', `%packages ${old} is being deprecated; use ${preferred}`, 'warning'));
    }
    issues.push(...packageGroups(s));
  }
  if (s.name === 'traceback' && number >= RELEASE.F34) issues.push(issue(s.line, 'KS_DEPRECATED_COMMAND', '%traceback is deprecated; use %onerror', 'warning'));
  if (s.name === 'certificate') {
    if (ns['dir'] === undefined && ns['type'] === undefined) issues.push(issue(s.line, 'KS_SECTION_OPTION', '%certificate needs --dir or --type'));
    if (s.body.trim() === '') issues.push(issue(s.line, 'KS_SECTION_OPTION', 'the %certificate section is empty'));
  }
  return issues;
}

const GROUP_OPTIONS: ParserSpec = {
  options: [
    { names: ['--nodefaults'], dest: 'nodefaults', arity: 0, const: true },
    { names: ['--optional'], dest: 'optional', arity: 0, const: true },
  ],
};

/** `@group --nodefaults` and `@group --optional` exclude each other. */
function packageGroups(s: KickstartSection): LintIssue[] {
  const issues: LintIssue[] = [];
  s.body.split('\n').forEach((raw, i) => {
    const line = raw.split('#')[0]?.trim() ?? '';
    if (!line.startsWith('@') || line.startsWith('@^')) return;
    const parsed = parseArgv(GROUP_OPTIONS, line.slice(1).split(/\s+/u));
    if (parsed.ns['nodefaults'] === true && parsed.ns['optional'] === true) {
      issues.push(issue(s.line + 1 + i, 'KS_PACKAGES_OPTION', `group ${line}: --nodefaults and --optional cannot both be given`));
    }
  });
  return issues;
}

/** Check commands and sections against the dialect's own parser rules. */
export function lintSyntax(input: LintInput): LintIssue[] {
  const dialect = input.options.dialect;
  if (dialect === 'ubuntu') return [];
  const release = RELEASES[dialect];
  const state = newFileState();
  const issues: LintIssue[] = [];
  for (const node of input.ks.nodes) {
    if (node.kind === 'command') issues.push(...lintCommand(node, release, dialect, state));
    else if (node.kind === 'section') issues.push(...lintSectionHeader(node, release));
  }
  if (input.ks.nodes.every((n) => n.kind === 'blank')) issues.push(issue(1, 'KS_EMPTY', 'the kickstart file is empty'));
  return issues;
}
