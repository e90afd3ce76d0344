/**
 * Structural lint rules: `%end` by dialect (reference 06 §2), sections and
 * script options the dialect's parser knows (sections.ts), and commands that
 * are unknown, too new, deprecated or removed (commands.ts, reference 06 §4).
 */
import { COMMAND_REPLACEMENT, commandStatus, suggestCommand } from './commands.ts';
import type { LintInput, LintIssue } from './lint-types.ts';
import { scriptOptionsFor, sectionSince, sectionsFor } from './sections.ts';
import { endPolicy, KNOWN_SECTIONS, type KickstartSection } from './types.ts';

const SCRIPT_SECTIONS = new Set(['pre', 'post', 'pre-install', 'onerror', 'traceback']);

/** Check `%end` presence and placement for the dialect. */
export function lintEnds({ ks, sections, options }: LintInput): LintIssue[] {
  const policy = endPolicy(options.dialect);
  const issues: LintIssue[] = [];
  for (const node of ks.nodes) {
    if (node.kind === 'stray-end') {
      issues.push({ line: node.line, severity: 'error', code: 'KS_STRAY_END', message: '%end outside any section' });
    }
  }
  for (const s of sections) {
    if (s.end !== undefined && policy === 'never') {
      const effect = options.dialect === 'ubuntu'
        ? 'kickseed does not recognise %end: it becomes script text or a package, and later commands are swallowed'
        : 'RHEL 5 runs %end as a script line or fails in %packages';
      issues.push({ line: s.end.line, severity: 'error', code: 'KS_END_NOT_SUPPORTED', message: `%end is not supported by ${options.dialect} (${effect})` });
    } else if (s.end === undefined && policy === 'always') {
      issues.push({ line: s.line, severity: 'error', code: 'KS_MISSING_END', message: `section %${s.name} does not end with %end (fatal on ${options.dialect})` });
    } else if (s.end === undefined && policy === 'optional') {
      issues.push({ line: s.line, severity: 'warning', code: 'KS_MISSING_END', message: `section %${s.name} does not end with %end (deprecated on rhel6, fatal from RHEL 7)` });
    }
  }
  return issues;
}

/** Check section names and script header options. */
export function lintSections({ sections, options }: LintInput): LintIssue[] {
  const issues: LintIssue[] = [];
  const supported = sectionsFor(options.dialect);
  for (const s of sections) {
    if (!(KNOWN_SECTIONS as readonly string[]).includes(s.name)) {
      issues.push({ line: s.line, severity: 'error', code: 'KS_UNKNOWN_SECTION', message: `unknown section %${s.name}` });
    } else if (!supported.includes(s.name)) {
      issues.push({ line: s.line, severity: 'error', code: 'KS_SECTION_NOT_SUPPORTED', message: `%${s.name} is not supported by ${options.dialect} (${sectionSince(s.name)})` });
    } else if (SCRIPT_SECTIONS.has(s.name)) {
      issues.push(...lintScriptHeader(s, options.dialect));
    }
  }
  return issues;
}

function lintScriptHeader(s: KickstartSection, dialect: LintInput['options']['dialect']): LintIssue[] {
  const allowed = scriptOptionsFor(dialect, s.name);
  return s.args
    .map((a) => a.split('=')[0] as string)
    .filter((name) => !allowed.includes(name))
    .map((name) => ({ line: s.line, severity: 'error' as const, code: 'KS_SCRIPT_OPTION' as const, message: `%${s.name} option ${name} is not supported by ${dialect} (accepted: ${allowed.join(' ')})` }));
}

/** Check every command against the dialect's command table. */
export function lintCommands({ commands, options }: LintInput): LintIssue[] {
  const issues: LintIssue[] = [];
  const { dialect } = options;
  for (const c of commands) {
    if (c.raw !== undefined && /\\\r?\n./su.test(c.raw)) {
      issues.push({ line: c.line, severity: 'error', code: 'KS_LINE_CONTINUATION', message: `${c.name}: a line ending in "\\" is not understood by the installer; render with a dialect to join it` });
    }
    const status = commandStatus(c.name, dialect);
    const hint = COMMAND_REPLACEMENT[c.name] ? `; ${COMMAND_REPLACEMENT[c.name]}` : '';
    if (status === 'unknown') {
      const guess = suggestCommand(c.name, dialect);
      const message = `unknown command "${c.name}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
      // kickseed only warns ("Unrecognised kickstart command"); anaconda stops.
      issues.push({ line: c.line, severity: dialect === 'ubuntu' ? 'warning' : 'error', code: 'KS_UNKNOWN_COMMAND', message });
    } else if (status === 'too-new') {
      issues.push({ line: c.line, severity: 'error', code: 'KS_COMMAND_TOO_NEW', message: `${c.name} is not known to ${dialect}` });
    } else if (status === 'removed') {
      issues.push({ line: c.line, severity: 'error', code: 'KS_REMOVED_COMMAND', message: `${c.name} was removed in ${dialect}${hint}` });
    } else if (status === 'deprecated') {
      issues.push({ line: c.line, severity: 'warning', code: 'KS_DEPRECATED_COMMAND', message: `${c.name} is deprecated in ${dialect}${hint}` });
    } else if ((c.name === 'auth' || c.name === 'authconfig') && /^rhel[89]$/u.test(dialect)) {
      // Reference 06 §4: RHEL 8/9 still parse auth through a compat translation.
      issues.push({ line: c.line, severity: 'warning', code: 'KS_DEPRECATED_COMMAND', message: `${c.name} is translated for compatibility on ${dialect} and removed in RHEL 10; use authselect` });
    }
  }
  return issues;
}
