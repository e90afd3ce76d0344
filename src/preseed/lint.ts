/**
 * lintPreseed(): problems debian-installer would stop on, by line.
 *
 * - syntax: lines debconf-set-selections cannot read, unknown types, owner
 *   and question forms debconf does not accept, booleans other than
 *   true/false, shell commands with broken quoting (d-i runs them with
 *   `sh -c`), `\n` in a value (cdebconf makes it a line break, which cuts
 *   a command), the same question answered twice (the last one wins);
 * - unattended: answers the installer needs to run without a person —
 *   automatic partitioning without `partman-auto/method` (partman then asks
 *   for the method), a manual mirror without `mirror/http/hostname`, and the
 *   usual questions (locale, keymap, hostname, mirror, root password,
 *   partitioning confirmation, boot loader, the final reboot note) left
 *   unanswered;
 * - advice: plaintext passwords, a crypted password that is no crypt(5) string.
 *
 * Question names are those of the Debian 12 installation guide's example
 * preseed (appendix B, example-preseed.txt).
 */
import { shellQuotingProblem } from './shell.ts';
import { PRESEED_TYPES, type Preseed, type PreseedAnswer } from './types.ts';

/** How bad a finding is. */
export type PreseedSeverity = 'error' | 'warning';

/** What a finding is about (as for kickstart: the installer's own rules, a stalled install, remaster's advice). */
export type PreseedKind = 'syntax' | 'unattended' | 'advice';

/** One finding, by 1-based line. */
export interface PreseedIssue {
  line: number;
  severity: PreseedSeverity;
  code: string;
  kind: PreseedKind;
  message: string;
}

/** Options for lintPreseed. */
export interface LintPreseedOptions {
  /** Check that nothing makes the installer stop and ask (default true). */
  unattended?: boolean;
  /** Plaintext passwords become errors. */
  strict?: boolean;
}

/** A Debian package name (Debian policy 5.6.1), or d-i's own owner. */
const OWNER = /^(?:d-i|[a-z0-9][a-z0-9+.-]+)$/u;
/** debconf question names: owner-ish prefix, `/`, then path components. */
const QUESTION = /^[A-Za-z0-9][A-Za-z0-9+._-]*(?:\/[A-Za-z0-9+._-]+)+$/u;
const COMMANDS = ['preseed/early_command', 'partman/early_command', 'preseed/late_command', 'preseed/include_command'];
const CRYPT = /^\$(?:1|5|6|y|2[aby])\$/u;

function answers(model: Preseed): PreseedAnswer[] {
  return model.nodes.filter((n): n is PreseedAnswer => n.kind === 'answer');
}

function checkAnswer(a: PreseedAnswer, strict: boolean): PreseedIssue[] {
  const issues: PreseedIssue[] = [];
  const push = (severity: PreseedSeverity, code: string, kind: PreseedKind, message: string) => issues.push({ line: a.line, severity, code, kind, message });
  if (!OWNER.test(a.owner)) push('error', 'PS_OWNER', 'syntax', `"${a.owner}" is not an owner: use d-i for installer questions, or the package that owns the template`);
  if (!QUESTION.test(a.question)) push('error', 'PS_QUESTION', 'syntax', `"${a.question}" is not a debconf question name (owner/name)`);
  if (!(PRESEED_TYPES as readonly string[]).includes(a.type)) {
    push('error', 'PS_UNKNOWN_TYPE', 'syntax', `unknown type "${a.type}" for ${a.question} (expected one of ${PRESEED_TYPES.join(', ')})`);
  } else if ((a.type === 'boolean' || a.type === 'seen') && !['true', 'false'].includes(a.value.trim())) {
    push('error', 'PS_BOOLEAN', 'syntax', `${a.question} is ${a.type} but its value is "${a.value}" (expected true or false)`);
  }
  if (COMMANDS.includes(a.question)) {
    const problem = shellQuotingProblem(a.value);
    if (problem !== undefined) push('error', 'PS_COMMAND_QUOTING', 'syntax', `${a.question}: ${problem} (d-i runs it with sh -c)`);
  }
  if (a.value.includes('\\n')) {
    // cdebconf stores \n as a line break and cuts the protocol line there (see splitBackslashN).
    const what = COMMANDS.includes(a.question) ? 'the command is cut there and the installer misreads its next debconf reply' : 'programs reading it get only the first line';
    push(COMMANDS.includes(a.question) ? 'error' : 'warning', 'PS_BACKSLASH_N', 'syntax', `${a.question}: debconf turns "\\n" into a line break, so ${what}; write printf's \\012 or split the two characters`);
  }
  if (/^passwd\/(?:root|user)-password(?:-again)?$/u.test(a.question) && a.value !== '') {
    push(strict ? 'error' : 'warning', 'PS_PLAINTEXT_PASSWORD', 'advice', `${a.question} is a plaintext password; use ${a.question.replace(/-again$/u, '')}-crypted with a $6$ hash`);
  }
  if (/^passwd\/(?:root|user)-password-crypted$/u.test(a.question) && a.value !== '' && a.value !== '!' && !CRYPT.test(a.value.trim())) {
    push('error', 'PS_BAD_CRYPT', 'advice', `${a.question} does not start with $1$, $5$, $6$ or $y$ (the installer writes it verbatim into /etc/shadow)`);
  }
  return issues;
}

function duplicates(list: readonly PreseedAnswer[]): PreseedIssue[] {
  const seen = new Map<string, number>();
  const issues: PreseedIssue[] = [];
  for (const a of list) {
    if (a.type === 'seen') continue;
    const key = `${a.owner} ${a.question}`;
    const first = seen.get(key);
    if (first !== undefined) issues.push({ line: a.line, severity: 'warning', code: 'PS_DUPLICATE', kind: 'syntax', message: `${a.question} is answered again (first on line ${first}); the last answer wins` });
    else seen.set(key, a.line);
  }
  return issues;
}

/** Rules that need several answers together. */
function crossChecks(list: readonly PreseedAnswer[]): PreseedIssue[] {
  const value = (q: string) => list.findLast((a) => a.question === q && a.type !== 'seen');
  const issues: PreseedIssue[] = [];
  const auto = list.find((a) => /^partman-auto\/(?:disk|choose_recipe|expert_recipe|expert_recipe_file|init_automatically_partition)$/u.test(a.question));
  if (auto !== undefined && value('partman-auto/method') === undefined) {
    issues.push({ line: auto.line, severity: 'error', code: 'PS_PARTMAN_METHOD', kind: 'unattended', message: `automatic partitioning (${auto.question}) without d-i partman-auto/method (regular, lvm or crypto): partman asks for the method` });
  }
  const mirrorPart = list.find((a) => /^mirror\/(?:http|https|ftp)\/(?:directory|proxy)$/u.test(a.question) || (a.question === 'mirror/country' && a.value.trim() === 'manual'));
  const protocol = value('mirror/protocol')?.value.trim() || 'http';
  if (mirrorPart !== undefined && value(`mirror/${protocol}/hostname`) === undefined) {
    issues.push({ line: mirrorPart.line, severity: 'error', code: 'PS_MIRROR_HOSTNAME', kind: 'unattended', message: `a mirror is configured (${mirrorPart.question}) without d-i mirror/${protocol}/hostname: the installer asks for the mirror` });
  }
  return issues;
}

const EXPECTED: readonly { code: string; any: readonly string[]; what: string }[] = [
  { code: 'PS_NO_LOCALE', any: ['debian-installer/locale', 'debian-installer/language'], what: 'the language and locale (d-i debian-installer/locale)' },
  { code: 'PS_NO_KEYMAP', any: ['keyboard-configuration/xkb-keymap'], what: 'the keyboard (d-i keyboard-configuration/xkb-keymap)' },
  { code: 'PS_NO_HOSTNAME', any: ['netcfg/get_hostname', 'netcfg/hostname'], what: 'the host name (d-i netcfg/get_hostname)' },
  { code: 'PS_NO_MIRROR', any: ['mirror/http/hostname', 'mirror/https/hostname', 'mirror/ftp/hostname', 'apt-setup/use_mirror'], what: 'the mirror (d-i mirror/http/hostname)' },
  { code: 'PS_NO_PASSWORD', any: ['passwd/root-password-crypted', 'passwd/root-password', 'passwd/root-login', 'passwd/make-user'], what: 'the root password (d-i passwd/root-password-crypted)' },
  { code: 'PS_NO_PARTITIONING', any: ['partman/confirm', 'partman-auto/method'], what: 'partitioning and its confirmation (d-i partman-auto/method, partman/confirm)' },
  { code: 'PS_NO_BOOTLOADER', any: ['grub-installer/bootdev', 'grub-installer/only_debian'], what: 'where GRUB goes (d-i grub-installer/bootdev)' },
  { code: 'PS_NO_FINISH', any: ['finish-install/reboot_in_progress'], what: 'the final reboot note (d-i finish-install/reboot_in_progress note)' },
];

function unattended(list: readonly PreseedAnswer[]): PreseedIssue[] {
  const questions = new Set(list.map((a) => a.question));
  return EXPECTED.filter((e) => !e.any.some((q) => questions.has(q))).map((e) => ({
    line: 1, severity: 'warning' as const, code: e.code, kind: 'unattended' as const, message: `stall: nothing answers ${e.what}; the installer asks`,
  }));
}

/** Lint a parsed preseed; issues are ordered by line, errors first within a line. */
export function lintPreseed(model: Preseed, options: LintPreseedOptions = {}): PreseedIssue[] {
  const list = answers(model);
  const issues: PreseedIssue[] = [];
  for (const node of model.nodes) {
    if (node.kind === 'invalid') issues.push({ line: node.line, severity: 'error', code: 'PS_SYNTAX', kind: 'syntax', message: `"${node.text.slice(0, 60)}" is not "owner question type value"` });
    else if (node.kind === 'answer') issues.push(...checkAnswer(node, options.strict === true));
  }
  const last = model.nodes[model.nodes.length - 1];
  if (last?.raw !== undefined && /\\\r?\n?$/u.test(last.raw) && last.kind !== 'comment') {
    issues.push({ line: last.line, severity: 'error', code: 'PS_SYNTAX', kind: 'syntax', message: 'the file ends with a continuation backslash' });
  }
  issues.push(...duplicates(list), ...crossChecks(list));
  if (options.unattended !== false) issues.push(...unattended(list));
  return issues
    .map((issue, order) => ({ issue, order }))
    .sort((a, b) => a.issue.line - b.issue.line || (a.issue.severity === 'error' ? 0 : 1) - (b.issue.severity === 'error' ? 0 : 1) || a.order - b.order)
    .map(({ issue }) => issue);
}
