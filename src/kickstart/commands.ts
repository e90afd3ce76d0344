/**
 * Command names per release.
 *
 * The anaconda releases come from the derived syntax tables
 * (syntax/tables.ts: pykickstart's handler maps per release, deprecated and
 * removed commands marked). KICKSEED_COMMANDS: nya3jp/kickseed handlers/
 * (Ubuntu's kickseed), as listed in the Ubuntu installation guide's
 * kickstart appendix; reference 06 §5 names a subset. Anything else is
 * "Unrecognised kickstart command" there.
 */
import { RELEASES } from './syntax/tables.ts';
import type { SyntaxDialect } from './syntax/types.ts';
import type { KickstartDialect } from './types.ts';

const SYNTAX_DIALECTS = Object.keys(RELEASES) as SyntaxDialect[];

/** Every command some supported anaconda release parses. */
export const KNOWN_COMMANDS: ReadonlySet<string> = new Set(SYNTAX_DIALECTS.flatMap((d) => Object.keys(RELEASES[d].commands)));

/** Replacement hints shown with deprecated or removed commands (reference 06 §4). */
export const COMMAND_REPLACEMENT: Readonly<Record<string, string>> = {
  auth: 'use authselect', authconfig: 'use authselect', vnc: 'use rdp', install: 'delete the line (installing is the default)', upgrade: 'delete the line (kickstart upgrades are gone)',
  method: 'use url, nfs, cdrom or harddrive', module: 'enable module streams in %packages (@module:stream)',
};

/** Commands Ubuntu's kickseed has handlers for. */
export const KICKSEED_COMMANDS: ReadonlySet<string> = new Set([
  'auth', 'authconfig', 'autopart', 'autostep', 'bootloader', 'cdrom', 'clearpart', 'device', 'driverdisk', 'firewall',
  'firstboot', 'halt', 'harddrive', 'ignoredisk', 'install', 'interactive', 'iscsi', 'iscsiname', 'keyboard', 'lang',
  'langsupport', 'logvol', 'mouse', 'network', 'nfs', 'part', 'partition', 'poweroff', 'preseed', 'raid', 'reboot',
  'rootpw', 'selinux', 'shutdown', 'skipx', 'text', 'timezone', 'upgrade', 'url', 'user', 'volgroup', 'xconfig', 'zerombr',
]);

/** Status of a command for a dialect: `removed` also covers a command an older release had and this one no longer maps. */
export type CommandStatus = 'ok' | 'deprecated' | 'removed' | 'unknown' | 'too-new';

/** Look up a command's status for a dialect (ubuntu: kickseed's handler list). */
export function commandStatus(name: string, dialect: KickstartDialect): CommandStatus {
  if (dialect === 'ubuntu') return KICKSEED_COMMANDS.has(name) ? 'ok' : 'unknown';
  const entry = RELEASES[dialect].commands[name];
  if (entry !== undefined) return entry.status ?? 'ok';
  if (!KNOWN_COMMANDS.has(name)) return 'unknown';
  const own = RELEASES[dialect].number;
  return SYNTAX_DIALECTS.some((d) => RELEASES[d].number > own && RELEASES[d].commands[name] !== undefined) ? 'too-new' : 'removed';
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
