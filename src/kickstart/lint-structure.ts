/**
 * Structural lint rules: `%end` by dialect (reference 06 §2), `\`-continued
 * command lines, and for Ubuntu's kickseed its own section and command
 * lists (sections.ts, commands.ts; reference 06 §5). The anaconda dialects'
 * sections and commands are checked by lint-syntax.ts.
 */
import { commandStatus, suggestCommand } from './commands.ts';
import type { LintFinding, LintInput } from './lint-types.ts';
import { scriptOptionsFor, sectionSince, sectionsFor } from './sections.ts';
import { endPolicy, KNOWN_SECTIONS, type KickstartSection } from './types.ts';

const SCRIPT_SECTIONS = new Set(['pre', 'post', 'pre-install', 'onerror', 'traceback']);

/** Check `%end` presence and placement for the dialect. */
export function lintEnds({ ks, sections, options }: LintInput): LintFinding[] {
  const policy = endPolicy(options.dialect);
  const issues: LintFinding[] = [];
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

/** Flag `\`-continued commands: installers read one command per line. */
export function lintContinuations({ commands }: LintInput): LintFinding[] {
  return commands
    .filter((c) => c.raw !== undefined && /\\\r?\n./su.test(c.raw))
    .map((c) => ({ line: c.line, severity: 'error', code: 'KS_LINE_CONTINUATION', message: `${c.name}: a line ending in "\\" is not understood by the installer; render with a dialect to join it` }));
}

/** Check sections, script options and commands against Ubuntu's kickseed. */
export function lintKickseed({ sections, commands, options }: LintInput): LintFinding[] {
  if (options.dialect !== 'ubuntu') return [];
  const issues: LintFinding[] = [];
  const supported = sectionsFor('ubuntu');
  for (const s of sections) {
    if (!(KNOWN_SECTIONS as readonly string[]).includes(s.name)) {
      issues.push({ line: s.line, severity: 'error', code: 'KS_UNKNOWN_SECTION', message: `unknown section %${s.name}` });
    } else if (!supported.includes(s.name)) {
      issues.push({ line: s.line, severity: 'error', code: 'KS_SECTION_NOT_SUPPORTED', message: `%${s.name} is not supported by ubuntu (${sectionSince(s.name)})` });
    } else if (SCRIPT_SECTIONS.has(s.name)) {
      issues.push(...lintScriptHeader(s));
    }
  }
  for (const c of commands.filter((x) => commandStatus(x.name, 'ubuntu') === 'unknown')) {
    const guess = suggestCommand(c.name, 'ubuntu');
    // kickseed only warns ("Unrecognised kickstart command"); the install goes on.
    issues.push({ line: c.line, severity: 'warning', code: 'KS_UNKNOWN_COMMAND', message: `unknown command "${c.name}"${guess ? ` (did you mean "${guess}"?)` : ''}` });
  }
  return issues;
}

function lintScriptHeader(s: KickstartSection): LintFinding[] {
  const allowed = scriptOptionsFor('ubuntu', s.name);
  return s.args
    .map((a) => a.split('=')[0] as string)
    .filter((name) => !allowed.includes(name))
    .map((name) => ({ line: s.line, severity: 'error' as const, code: 'KS_SCRIPT_OPTION' as const, message: `%${s.name} option ${name} is not supported by ubuntu (accepted: ${allowed.join(' ')})` }));
}
