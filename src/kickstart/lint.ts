/**
 * lintKickstart(): every rule for a dialect, issues sorted by line.
 * Rules and severities follow reference 06 §6, mirroring what
 * `ksvalidator -v <RELEASE>` (pykickstart) and anaconda's mandatory spokes do.
 */
import { lintCommands, lintEnds, lintSections } from './lint-structure.ts';
import { lintPasswords, lintUnattended } from './lint-install.ts';
import { lintArguments } from './lint-args.ts';
import { lintNetwork, lintPackages, lintTimezone } from './lint-options.ts';
import type { LintInput, LintIssue, LintKickstartOptions } from './lint-types.ts';
import type { Kickstart, KickstartCommand, KickstartSection } from './types.ts';

const RULES = [lintEnds, lintSections, lintCommands, lintArguments, lintPasswords, lintTimezone, lintNetwork, lintPackages, lintUnattended];

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
  const issues = RULES.flatMap((rule) => rule(input));
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => a.issue.line - b.issue.line || rank(a.issue) - rank(b.issue) || a.order - b.order)
    .map(({ issue }) => issue);
}

function rank(issue: LintIssue): number {
  return issue.severity === 'error' ? 0 : 1;
}

/** Return true when any issue is an error. */
export function hasLintErrors(issues: readonly LintIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Format an issue as `file:line: severity: message [CODE]`. */
export function formatLintIssue(file: string, issue: LintIssue): string {
  return `${file}:${issue.line}: ${issue.severity}: ${issue.message} [${issue.code}]`;
}
