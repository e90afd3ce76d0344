/**
 * injectScript(): add a %pre, %post, %pre-install, %onerror or %traceback
 * section with a correctly formatted header, checked against the dialect
 * (sections.ts). The new section goes after the existing ones (scripts of one
 * type run in file order, pykickstart sections.py) or, with `position:
 * 'first'`, before the first section of its type.
 */
import { RemasterError } from '../errors.ts';
import { isSectionHeader } from './parse.ts';
import { scriptOptionsFor, sectionSince, sectionsFor, type ScriptSection } from './sections.ts';
import type { Kickstart, KickstartDialect, KickstartNode, KickstartSection } from './types.ts';

/** Options for injectScript. */
export interface InjectScriptOptions {
  section: ScriptSection;
  /** Script text; a final newline is added when missing. */
  body: string;
  /** Absolute interpreter path, e.g. `/usr/bin/bash` (default `/bin/sh`). */
  interpreter?: string;
  /** Run %post in the installer environment instead of the target chroot. */
  nochroot?: boolean;
  /** Log file for the script output (inside the chroot unless `nochroot`). */
  log?: string;
  /** Stop the install when the script exits non-zero. */
  erroronfail?: boolean;
  /** Target dialect; when given, sections and options are checked against it. */
  dialect?: KickstartDialect;
  /** Where to put it among sections of the same type (default `last`). */
  position?: 'first' | 'last';
  /** What produced the script, kept on the node for `ks render --explain`. */
  origin?: string;
}

function refuse(detail: string): RemasterError {
  return new RemasterError('KICKSTART_SYNTAX', detail);
}

/** Build the header arguments in the order `--nochroot --log= --interpreter= --erroronfail`. */
export function scriptHeaderArgs(options: Omit<InjectScriptOptions, 'section' | 'body' | 'origin'>): string[] {
  const args: string[] = [];
  if (options.nochroot) args.push('--nochroot');
  if (options.log !== undefined) args.push(`--log=${options.log}`);
  if (options.interpreter !== undefined) args.push(`--interpreter=${options.interpreter}`);
  if (options.erroronfail) args.push('--erroronfail');
  return args;
}

function validate(options: InjectScriptOptions, args: readonly string[]): void {
  const { section, dialect } = options;
  if (options.nochroot && section !== 'post') throw refuse(`--nochroot applies to %post only, not %${section} (which never runs chrooted)`);
  if (options.interpreter !== undefined && !options.interpreter.startsWith('/')) throw refuse(`--interpreter must be an absolute path, got "${options.interpreter}"`);
  const bad = options.body.split('\n').find((l) => l.trim().split(/\s+/u)[0] === '%end' || isSectionHeader(l));
  if (bad !== undefined) throw refuse(`the %${section} body contains "${bad.trim()}", which would end the section early`);
  if (dialect === undefined) return;
  if (!sectionsFor(dialect).includes(section)) throw refuse(`%${section} is not supported by ${dialect} (${sectionSince(section)})`);
  const allowed = scriptOptionsFor(dialect, section);
  for (const arg of args) {
    const name = arg.split('=')[0] as string;
    if (!allowed.includes(name)) throw refuse(`%${section} ${name} is not supported by ${dialect} (accepted: ${allowed.join(' ')})`);
  }
}

/** Return a copy of `ks` with a new script section; throw KICKSTART_SYNTAX when the dialect cannot run it. */
export function injectScript(ks: Kickstart, options: InjectScriptOptions): Kickstart {
  const args = scriptHeaderArgs(options);
  validate(options, args);
  const body = options.body === '' || options.body.endsWith('\n') ? options.body : `${options.body}\n`;
  const node: KickstartSection = { kind: 'section', line: 0, name: options.section, args, body, end: { line: 0 }, ...(options.origin !== undefined ? { origin: options.origin } : {}) };
  const nodes = [...ks.nodes];
  const same = nodes.flatMap((n, i) => (n.kind === 'section' && n.name === options.section ? [i] : []));
  const at = options.position === 'first' && same.length > 0 ? (same[0] as number) : nodes.length;
  nodes.splice(at, 0, node);
  return { ...ks, nodes };
}

/** Return a copy of `ks` with `%include <path>` lines added at the end of the command section (before the first section). */
export function injectIncludes(ks: Kickstart, paths: readonly string[], origin?: string): Kickstart {
  if (paths.length === 0) return ks;
  const nodes = [...ks.nodes];
  const first = nodes.findIndex((n) => n.kind === 'section');
  const at = first < 0 ? nodes.length : first;
  const added: KickstartNode[] = paths.map((path) => ({ kind: 'include', line: 0, directive: 'include', path, ...(origin !== undefined ? { origin } : {}) }));
  nodes.splice(at, 0, ...added);
  return { ...ks, nodes };
}
