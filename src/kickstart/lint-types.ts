/** Lint issue and option types shared by the kickstart lint rules. */
import type { Kickstart, KickstartCommand, KickstartDialect, KickstartSection } from './types.ts';

/** How bad an issue is: errors stop or stall the install, warnings are risks. */
export type LintSeverity = 'error' | 'warning';

/**
 * What a finding is about:
 * - `syntax`: the target release's own parser rejects the line or warns about it (unknown or
 *   removed command or option, bad value, duplicate definition, deprecation). Any `syntax`
 *   finding means `ksvalidator -v <release>` would fail the file.
 * - `unattended`: remaster's own check that the install would stop and wait for a person (no time
 *   zone, no storage, no source...): valid syntax, stalled install.
 * - `advice`: remaster's own hardening and boot-line checks (plaintext passwords, no AppStream...).
 */
export type LintKind = 'syntax' | 'unattended' | 'advice';

/** Stable identifiers of lint rules (reference 06 §6). */
export type LintCode =
  | 'KS_MISSING_END' | 'KS_END_NOT_SUPPORTED' | 'KS_STRAY_END' | 'KS_UNKNOWN_SECTION' | 'KS_SECTION_NOT_SUPPORTED'
  | 'KS_SCRIPT_OPTION' | 'KS_LINE_CONTINUATION' | 'KS_UNKNOWN_COMMAND' | 'KS_COMMAND_TOO_NEW' | 'KS_REMOVED_COMMAND'
  | 'KS_DEPRECATED_COMMAND' | 'KS_PLAINTEXT_PASSWORD' | 'KS_BAD_CRYPT' | 'KS_NO_ROOT_PASSWORD' | 'KS_NO_TIMEZONE'
  | 'KS_TIMEZONE_NO_UTC' | 'KS_NO_STORAGE' | 'KS_NO_CLEARPART' | 'KS_NO_COMPLETION'
  | 'KS_NO_SOURCE' | 'KS_NO_APPSTREAM' | 'KS_NO_PACKAGES' | 'KS_PACKAGES_OPTION' | 'KS_STATIC_NETWORK'
  | 'KS_BOOTLOADER_PASSWORD' | 'KS_INTERPRETER_MISSING' | 'KS_BOOT_KS_PREFIX' | 'KS_BOOT_KS_MULTIPLE'
  | 'KS_UNKNOWN_OPTION' | 'KS_INVALID_COMMAND' | 'KS_DEPRECATED_OPTION' | 'KS_DUPLICATE' | 'KS_COMMAND_CONFLICT'
  | 'KS_SECTION_OPTION' | 'KS_EMPTY' | 'KS_SYNTAX' | 'KS_KSAPPEND' | 'KS_UNEXPECTED_ARGUMENT';

/** One finding, located by its 1-based line. */
export interface LintIssue {
  line: number;
  severity: LintSeverity;
  code: LintCode;
  kind: LintKind;
  message: string;
}

const UNATTENDED_CODES: ReadonlySet<LintCode> = new Set(['KS_NO_TIMEZONE', 'KS_NO_ROOT_PASSWORD', 'KS_NO_STORAGE', 'KS_NO_CLEARPART', 'KS_NO_SOURCE', 'KS_NO_PACKAGES', 'KS_NO_COMPLETION']);
const ADVICE_CODES: ReadonlySet<LintCode> = new Set([
  'KS_PLAINTEXT_PASSWORD', 'KS_BAD_CRYPT', 'KS_TIMEZONE_NO_UTC', 'KS_NO_APPSTREAM', 'KS_STATIC_NETWORK', 'KS_BOOTLOADER_PASSWORD',
  'KS_INTERPRETER_MISSING', 'KS_BOOT_KS_PREFIX', 'KS_BOOT_KS_MULTIPLE',
]);

/** Return the kind a code belongs to. */
export function lintKind(code: LintCode): LintKind {
  return UNATTENDED_CODES.has(code) ? 'unattended' : ADVICE_CODES.has(code) ? 'advice' : 'syntax';
}

/** An issue without its kind, which lintKind() fills from the code. */
export type LintFinding = Omit<LintIssue, 'kind'> & { kind?: LintKind };

/** Options for lintKickstart. */
export interface LintKickstartOptions {
  dialect: KickstartDialect;
  /** Policy: plaintext passwords become errors instead of warnings. */
  strict?: boolean;
  /** Check that nothing makes the installer stop and ask (default true). */
  unattended?: boolean;
  /** Kernel command line the kickstart boots with; `inst.repo=`/`repo=`/`method=` there counts as a source. */
  bootArgs?: string;
}

/** What the rules look at, computed once. */
export interface LintInput {
  ks: Kickstart;
  options: LintKickstartOptions;
  commands: KickstartCommand[];
  sections: KickstartSection[];
  /** First `%include`/`%ksappend` line, if any: required commands may come from there. */
  includeLine?: number;
}

/** Return true when an argument list has `--name` or `--name=…`. */
export function hasOption(args: readonly string[], ...names: string[]): boolean {
  return args.some((a) => names.some((n) => a === n || a.startsWith(`${n}=`)));
}

/** Return the value of `--name=value` or `--name value`, if present. */
export function optionValue(args: readonly string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
    if (a === name && i + 1 < args.length && !(args[i + 1] as string).startsWith('--')) return args[i + 1];
  }
  return undefined;
}
