/**
 * Command tables per release, as data.
 *
 * Sources:
 * - KNOWN_COMMANDS: the union of pykickstart 3.74 handlers/rhel{5..10}.py and
 *   handlers/f{N}.py command maps (pykickstart/pykickstart, control.py).
 * - COMMAND_STATUS: reference 06 §4 ("Deprecated / removed commands by
 *   release", from pykickstart 3.74 handler tables: DeprecatedCommand is
 *   accepted with a warning, RemovedCommand is a parse error). A status
 *   carries forward to later releases until a later row changes it (the
 *   handler of release N+1 starts from release N's map). Fedora uses the RHEL
 *   10 row (RHEL 10 is based on F40).
 * - COMMAND_SINCE: the release whose handler first maps the command
 *   (reference 06 §3/§4: liveimg RHEL 7+, authselect RHEL 8+, timesource
 *   F33 = RHEL 9, rdp RHEL 10; pykickstart handlers for the rest).
 * - KICKSEED_COMMANDS: nya3jp/kickseed handlers/ (Ubuntu's kickseed), as
 *   listed in the Ubuntu installation guide's kickstart appendix; reference
 *   06 §5 names a subset. Anything else is "Unrecognised kickstart command".
 */
import { dialectRank, type KickstartDialect } from './types.ts';

/** Every command some supported release parses. */
export const KNOWN_COMMANDS: ReadonlySet<string> = new Set([
  'auth', 'authconfig', 'authselect', 'autopart', 'autostep', 'bootc', 'bootloader', 'btrfs', 'cdrom', 'clearpart',
  'cmdline', 'device', 'deviceprobe', 'dmraid', 'driverdisk', 'eula', 'fcoe', 'firewall', 'firstboot', 'graphical',
  'group', 'halt', 'harddrive', 'hmc', 'ignoredisk', 'install', 'interactive', 'iscsi', 'iscsiname', 'key', 'keyboard',
  'lang', 'langsupport', 'liveimg', 'logging', 'logvol', 'mediacheck', 'method', 'module', 'monitor', 'mount', 'mouse',
  'multipath', 'network', 'nfs', 'nvdimm', 'ostreecontainer', 'ostreesetup', 'part', 'partition', 'poweroff', 'raid',
  'rdp', 'realm', 'reboot', 'repo', 'reqpart', 'rescue', 'rhsm', 'rootpw', 'selinux', 'services', 'shutdown', 'skipx',
  'snapshot', 'sshkey', 'sshpw', 'syspurpose', 'text', 'timesource', 'timezone', 'updates', 'upgrade', 'url', 'user',
  'vnc', 'volgroup', 'xconfig', 'zerombr', 'zfcp', 'zipl',
]);

/** Deprecated and removed commands per RHEL release (reference 06 §4). */
export const COMMAND_STATUS: Readonly<Record<number, { deprecated: readonly string[]; removed: readonly string[] }>> = {
  5: { deprecated: ['langsupport', 'mouse'], removed: [] },
  // RHEL 6: "langsupport, mouse no longer handled".
  6: { deprecated: ['monitor'], removed: ['langsupport', 'mouse'] },
  7: { deprecated: ['upgrade'], removed: [] },
  8: { deprecated: ['install', 'btrfs', 'device', 'deviceprobe', 'dmraid', 'multipath'], removed: [] },
  9: { deprecated: ['autostep', 'btrfs', 'method'], removed: ['install', 'device', 'deviceprobe', 'dmraid', 'multipath'] },
  10: {
    deprecated: ['module', 'vnc'],
    removed: ['auth', 'authconfig', 'autostep', 'btrfs', 'device', 'deviceprobe', 'dmraid', 'install', 'method', 'multipath', 'nvdimm'],
  },
};

/** Replacement hints shown with deprecated or removed commands (reference 06 §4). */
export const COMMAND_REPLACEMENT: Readonly<Record<string, string>> = {
  auth: 'use authselect', authconfig: 'use authselect', vnc: 'use rdp', install: 'delete the line (installing is the default)', upgrade: 'delete the line (kickstart upgrades are gone)',
};

/** First RHEL release whose parser knows the command; absent means RHEL 5 or earlier. */
export const COMMAND_SINCE: Readonly<Record<string, number>> = {
  liveimg: 7, reqpart: 7, ostreesetup: 7, realm: 7, eula: 7, sshkey: 7,
  authselect: 8, module: 8, rhsm: 8, syspurpose: 8, mount: 8, hmc: 8, nvdimm: 8,
  timesource: 9, zipl: 9, ostreecontainer: 9,
  rdp: 10,
};

/** Commands Ubuntu's kickseed has handlers for. */
export const KICKSEED_COMMANDS: ReadonlySet<string> = new Set([
  'auth', 'authconfig', 'autopart', 'autostep', 'bootloader', 'cdrom', 'clearpart', 'device', 'driverdisk', 'firewall',
  'firstboot', 'halt', 'harddrive', 'ignoredisk', 'install', 'interactive', 'iscsi', 'iscsiname', 'keyboard', 'lang',
  'langsupport', 'logvol', 'mouse', 'network', 'nfs', 'part', 'partition', 'poweroff', 'preseed', 'raid', 'reboot',
  'rootpw', 'selinux', 'shutdown', 'skipx', 'text', 'timezone', 'upgrade', 'url', 'user', 'volgroup', 'xconfig', 'zerombr',
]);

/** Status of a command for a dialect. */
export type CommandStatus = 'ok' | 'deprecated' | 'removed' | 'unknown' | 'too-new';

/** Look up a command's status for a dialect (ubuntu: kickseed's handler list). */
export function commandStatus(name: string, dialect: KickstartDialect): CommandStatus {
  if (dialect === 'ubuntu') return KICKSEED_COMMANDS.has(name) ? 'ok' : 'unknown';
  if (!KNOWN_COMMANDS.has(name)) return 'unknown';
  const rank = dialectRank(dialect);
  if ((COMMAND_SINCE[name] ?? 0) > rank) return 'too-new';
  let status: CommandStatus = 'ok';
  for (const release of [5, 6, 7, 8, 9, 10]) {
    if (release > rank) break;
    const row = COMMAND_STATUS[release];
    if (row?.removed.includes(name)) status = 'removed';
    else if (row?.deprecated.includes(name)) status = 'deprecated';
  }
  return status;
}

/** Suggest the nearest known command for a typo (edit distance ≤ 2), if any. */
export function suggestCommand(name: string, dialect: KickstartDialect): string | undefined {
  const pool = dialect === 'ubuntu' ? KICKSEED_COMMANDS : KNOWN_COMMANDS;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of pool) {
    const d = editDistance(name.toLowerCase(), candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
