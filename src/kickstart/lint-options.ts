/**
 * remaster's advice on command options (reference 06 §6): timezone in UTC,
 * static network completeness, AppStream for RHEL 8+ network installs, and
 * %post interpreters missing from a minimal package set. What a release
 * rejects or deprecates is lint-syntax.ts's.
 */
import { dialectRank } from './types.ts';
import { hasOption, optionValue, type LintInput, type LintFinding as LintIssue } from './lint-types.ts';

/** Check that timezone keeps the hardware clock in UTC. */
export function lintTimezone({ commands }: LintInput): LintIssue[] {
  return commands
    .filter((c) => c.name === 'timezone' && !hasOption(c.args, '--utc', '--isUtc'))
    .map((c) => ({ line: c.line, severity: 'warning', code: 'KS_TIMEZONE_NO_UTC', message: 'timezone without --utc: the hardware clock is taken as local time' }));
}

/** Check `network --bootproto=static` lines and the RHEL 8+ AppStream repo. */
export function lintNetwork({ commands, options }: LintInput): LintIssue[] {
  const rank = dialectRank(options.dialect);
  const issues: LintIssue[] = [];
  for (const c of commands.filter((x) => x.name === 'network' && optionValue(x.args, '--bootproto') === 'static')) {
    const absent = ['--ip', '--netmask', '--gateway', '--nameserver'].filter((o) => !hasOption(c.args, o));
    if (absent.length === 0) continue;
    // RHEL 5/6 loader drops to the TCP/IP dialog; later releases leave DNS or routing unset.
    const severity = rank <= 6 ? 'error' : 'warning';
    issues.push({ line: c.line, severity, code: 'KS_STATIC_NETWORK', message: `network --bootproto=static without ${absent.join(', ')}` });
  }
  const url = commands.find((c) => c.name === 'url');
  const appstream = commands.some((c) => c.name === 'repo' && (optionValue(c.args, '--name') ?? '').toLowerCase() === 'appstream');
  if (url && rank >= 8 && rank <= 10 && !appstream) {
    issues.push({ line: url.line, severity: 'warning', code: 'KS_NO_APPSTREAM', message: 'url points at BaseOS but there is no repo --name=AppStream: AppStream packages will be missing' });
  }
  return issues;
}

/** Check that a chrooted %post interpreter is installed. */
export function lintPackages({ sections }: LintInput): LintIssue[] {
  const issues: LintIssue[] = [];
  const packages = sections.filter((s) => s.name === 'packages');
  const listed = new Set(packages.flatMap((s) => s.body.split('\n').map((l) => l.trim())));
  for (const s of sections.filter((x) => x.name === 'post' && !x.args.includes('--nochroot'))) {
    const interp = optionValue(s.args, '--interpreter') ?? '';
    const m = /\/(python3?)$/u.exec(interp);
    if (m && packages.length > 0 && !listed.has('python3') && !listed.has(m[1] as string)) {
      issues.push({ line: s.line, severity: 'warning', code: 'KS_INTERPRETER_MISSING', message: `%post --interpreter=${interp} but ${m[1]} is not in %packages (minimal installs may lack it in the chroot)` });
    }
  }
  return issues;
}
