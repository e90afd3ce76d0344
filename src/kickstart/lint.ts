/**
 * lintKickstart(): every rule for a dialect, issues sorted by line.
 * Syntax rules (kind `syntax`) mirror what `ksvalidator -v <RELEASE>`
 * (pykickstart) rejects; remaster adds its own unattended-install checks
 * (kind `unattended`: anaconda's mandatory spokes, reference 06 §3) and
 * advice (kind `advice`, reference 06 §6).
 */
import { RemasterError } from '../errors.ts';
import { lintContinuations, lintEnds, lintKickseed } from './lint-structure.ts';
import { lintPasswords, lintUnattended } from './lint-install.ts';
import { lintNetwork, lintPackages, lintTimezone } from './lint-options.ts';
import { lintSyntax } from './lint-syntax.ts';
import { lintKind, type LintFinding, type LintInput, type LintIssue, type LintKickstartOptions } from './lint-types.ts';
import { parseKickstart } from './parse.ts';
import type { Kickstart, KickstartCommand, KickstartSection } from './types.ts';

const RULES: ((input: LintInput) => LintFinding[])[] = [
  lintEnds, lintContinuations, lintSyntax, lintKickseed, lintPasswords, lintTimezone, lintNetwork, lintPackages, lintUnattended,
];

/** Lint a parsed kickstart for a dialect; return issues ordered by line, errors first within a line. */
export function lintKickstart(ks: Kickstart, options: LintKickstartOptions): LintIssue[] {
  const include = ks.nodes.find((n) => n.kind === 'include');
  const input: LintInput = {
    ks,
    options,
    commands: ks.nodes.filter((n): n is KickstartCommand => n.kind === 'command'),
    sections: ks.nodes.filter((n): n is KickstartSection => n.kind === 'section'),
    ...(include ? { includeLine: include.line } : {}),
  };
  const issues = RULES.flatMap((rule) => rule(input)).map((f): LintIssue => ({ ...f, kind: f.kind ?? lintKind(f.code) }));
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => a.issue.line - b.issue.line || rank(a.issue) - rank(b.issue) || a.order - b.order)
    .map(({ issue }) => issue);
}

/** Lint kickstart text: a file the parser cannot split (an unclosed quote) is one KS_SYNTAX issue instead of an exception. */
export function lintKickstartText(text: string, options: LintKickstartOptions & { file?: string }): LintIssue[] {
  let ks: Kickstart;
  try {
    ks = parseKickstart(text, options.file !== undefined ? { file: options.file } : {});
  } catch (err) {
    if (!(err instanceof RemasterError) || err.code !== 'KICKSTART_SYNTAX') throw err;
    return [{ line: err.line ?? 1, severity: 'error', code: 'KS_SYNTAX', kind: 'syntax', message: err.detail }];
  }
  return lintKickstart(ks, options);
}

function rank(issue: LintIssue): number {
  return issue.severity === 'error' ? 0 : 1;
}

/** Return true when any issue is an error. */
export function hasLintErrors(issues: readonly LintIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Return true when the release's own validator (ksvalidator) would reject the file: any `syntax` issue, warnings included. */
export function failsValidator(issues: readonly LintIssue[]): boolean {
  return issues.some((i) => i.kind === 'syntax');
}

/** Format an issue as `file:line: severity: message [CODE]`. */
export function formatLintIssue(file: string, issue: LintIssue): string {
  return `${file}:${issue.line}: ${issue.severity}: ${issue.message} [${issue.code}]`;
}
