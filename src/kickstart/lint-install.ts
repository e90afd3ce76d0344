/**
 * Lint rules for a fully unattended install (reference 06 §3 and §6): the
 * spokes anaconda treats as mandatory (time zone, destination, root password,
 * source, software; pyanaconda/ui/tui/spokes on rhel7-branch, rhel-8, rhel-9),
 * the completion action, and the per-command pitfalls the reference lists.
 * Missing-command issues sit on line 1; after an `%include` they are warnings,
 * since the included file (often written by %pre) may supply them.
 */
import { dialectRank } from './types.ts';
import { hasOption, optionValue, type LintInput, type LintFinding as LintIssue, type LintCode } from './lint-types.ts';

const STORAGE = ['autopart', 'part', 'partition', 'raid', 'logvol', 'volgroup', 'reqpart', 'btrfs', 'mount'];
const CLEARING = ['clearpart', 'zerombr'];
const COMPLETION = ['reboot', 'poweroff', 'shutdown', 'halt'];
const SOURCES = ['url', 'nfs', 'cdrom', 'harddrive', 'hmc', 'liveimg', 'ostreesetup', 'ostreecontainer', 'bootc'];
/** Payloads that are an image, not packages: no %packages by design. */
const IMAGE_PAYLOADS = ['liveimg', 'ostreesetup', 'ostreecontainer', 'bootc'];
const BOOT_SOURCE = /(?:^|\s)(?:inst\.repo|repo|method|inst\.stage2)=/u;
/** crypt(5) prefixes anaconda writes verbatim into /etc/shadow: MD5, SHA-256, SHA-512, yescrypt. */
const CRYPT_PREFIX = /^\$(?:1|5|6|y)\$/u;

function has(input: LintInput, names: readonly string[]): boolean {
  return input.commands.some((c) => names.includes(c.name));
}

function missing(input: LintInput, code: LintCode, message: string): LintIssue {
  const text = `stall: ${message}`;
  if (input.includeLine !== undefined) {
    return { line: 1, severity: 'warning', code, message: `${text} (unless %include on line ${input.includeLine} supplies it)` };
  }
  return { line: 1, severity: 'error', code, message: text };
}

/** Check that every mandatory spoke is answered and the install ends by itself. */
export function lintUnattended(input: LintInput): LintIssue[] {
  if (input.options.unattended === false) return [];
  const { dialect, bootArgs } = input.options;
  const rank = dialectRank(dialect);
  const issues: LintIssue[] = [];
  if (!has(input, ['timezone'])) issues.push(missing(input, 'KS_NO_TIMEZONE', 'no timezone (the time zone spoke is mandatory and the install waits)'));
  if (!has(input, ['rootpw']) && !(rank >= 7 && hasWheelUser(input)) && !(dialect === 'ubuntu' && has(input, ['user']))) {
    issues.push(missing(input, 'KS_NO_ROOT_PASSWORD', rank >= 7 ? 'no rootpw and no user in group wheel (the root password spoke waits)' : 'no rootpw (the installer asks for a root password)'));
  }
  if (!has(input, STORAGE)) issues.push(missing(input, 'KS_NO_STORAGE', 'no storage commands such as autopart, part, reqpart, logvol or raid (the destination spoke waits)'));
  else if (!has(input, CLEARING)) issues.push({ line: 1, severity: 'warning', code: 'KS_NO_CLEARPART', message: 'stall: no clearpart or zerombr (disks with old or invalid partition tables make the installer ask)' });
  if (!has(input, SOURCES) && !(bootArgs !== undefined && BOOT_SOURCE.test(bootArgs))) {
    const issue = missing(input, 'KS_NO_SOURCE', 'no installation source (url, nfs, cdrom, harddrive, hmc, liveimg, ostreesetup, ostreecontainer or bootc) and no inst.repo= on the boot line');
    issues.push(dialect === 'ubuntu' ? { ...issue, severity: 'warning' } : issue);
  }
  if (!has(input, COMPLETION)) issues.push({ line: 1, severity: 'warning', code: 'KS_NO_COMPLETION', message: 'stall: no reboot, poweroff or shutdown (the default halt waits for a key press)' });
  if (!input.sections.some((s) => s.name === 'packages') && !has(input, IMAGE_PAYLOADS)) {
    issues.push({ ...missing(input, 'KS_NO_PACKAGES', 'no %packages section (the software selection spoke waits)'), ...(rank >= 7 ? {} : { severity: 'warning' as const }) });
  }
  return issues;
}

function hasWheelUser(input: LintInput): boolean {
  return input.commands.some((c) => c.name === 'user' && (optionValue(c.args, '--groups') ?? '').split(',').includes('wheel'));
}

/** Check passwords: plaintext (warning, error when strict) and malformed crypt strings (error). */
export function lintPasswords(input: LintInput): LintIssue[] {
  const issues: LintIssue[] = [];
  const severity = input.options.strict ? 'error' : 'warning';
  for (const c of input.commands) {
    const secret = c.name === 'rootpw' ? c.args.find((a) => !a.startsWith('--')) : c.name === 'user' ? optionValue(c.args, '--password') : undefined;
    if (secret === undefined) continue;
    if (!hasOption(c.args, '--iscrypted')) {
      issues.push({ line: c.line, severity, code: 'KS_PLAINTEXT_PASSWORD', message: `${c.name} has a plaintext password (kept in the kickstart and /root/anaconda-ks.cfg); use --iscrypted with a $6$ hash` });
    } else if (!CRYPT_PREFIX.test(secret)) {
      issues.push({ line: c.line, severity: 'error', code: 'KS_BAD_CRYPT', message: `${c.name} --iscrypted value does not start with $1$, $5$, $6$ or $y$; anaconda writes it verbatim into /etc/shadow` });
    }
  }
  for (const c of input.commands.filter((x) => x.name === 'bootloader')) {
    const pw = optionValue(c.args, '--password');
    if (pw !== undefined && !hasOption(c.args, '--iscrypted') && !pw.startsWith('grub.pbkdf2')) {
      issues.push({ line: c.line, severity: 'warning', code: 'KS_BOOTLOADER_PASSWORD', message: 'bootloader --password in plaintext; use --iscrypted with a grub.pbkdf2 hash' });
    }
  }
  return issues;
}
