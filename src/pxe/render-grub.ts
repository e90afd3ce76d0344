/**
 * GRUB 2 network-boot menus (reference 07 §2; rhboot/grub2 docs/grub.texi,
 * grub-core/normal/main.c, grub-core/net/net.c). Images built by
 * grub-mknetdir search `$prefix/grub.cfg-01-<mac-with-dashes>` before
 * `$prefix/grub.cfg`; Debian/Ubuntu signed images skip that search, so the
 * default `grub.cfg` also sources `$prefix/grub.cfg-01-${net_default_mac}`
 * (colon spelling) when it exists (`[ -s ]` opens the file, which works over
 * TFTP where directory listing does not). Local boot: `exit` returns to the
 * firmware boot order on EFI; BIOS chainloads the first disk's boot sector.
 * Quoting: every kernel argument goes through escapeGrubWord (backslash
 * before whitespace, quotes, `$`, `;`, `&`, `|`, `<`, `>`, `{`, `}`).
 */
import { escapeGrubWord } from '../bootcfg/index.ts';
import { hostInitrds, hostKernelArgs, type PxeArtifact, type PxeHost, type PxeModel } from './model.ts';
import { normalizeMac } from './mac.ts';

const LOCAL_ENTRY = [
  "menuentry 'Boot from local disk' --id local {",
  '  if [ "$grub_platform" = "efi" ]; then exit; else chainloader (hd0)+1; boot; fi',
  '}',
];

/** Quote a menu title for GRUB: single quotes, a literal quote as `'\''`. */
function title(text: string): string {
  return `'${text.replace(/[\r\n\0]+/gu, ' ').replaceAll("'", "'\\''")}'`;
}

function header(model: PxeModel, comment: string, defaultId: string): string[] {
  return [
    `# remaster: ${comment.replace(/[\r\n\0]+/gu, ' ')}; generated, do not edit`,
    'set timeout=0',
    `set default=${defaultId}`,
    ...(model.serialConsole ? ['serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console'] : []),
  ];
}

function location(model: PxeModel, artifact: PxeArtifact): string {
  if (model.http?.grub === true && artifact.httpUrl !== undefined) {
    const url = new URL(artifact.httpUrl);
    return escapeGrubWord(`(http,${url.host})${url.pathname}`);
  }
  return escapeGrubWord(`/${artifact.path}`);
}

/** Render `grub.cfg`: armed hosts on images without the config search find their file; others boot locally. */
export function renderGrubDefault(model: PxeModel): string {
  const lines = [
    ...header(model, `${model.label}: default for unlisted machines`, 'local'),
    ...LOCAL_ENTRY,
    'if [ -n "$net_default_mac" -a -s "$prefix/grub.cfg-01-$net_default_mac" ]; then',
    '  source "$prefix/grub.cfg-01-$net_default_mac"',
    'fi',
  ];
  return `${lines.join('\n')}\n`;
}

/** Render `grub.cfg-01-<mac>` (both spellings share it): the install entry for one armed host. */
export function renderGrubHost(model: PxeModel, host: PxeHost): string {
  const mac = normalizeMac(host.mac);
  const who = host.name !== undefined ? `${host.name} (${mac})` : mac;
  const args = hostKernelArgs(model, host).map((a) => escapeGrubWord(a.raw));
  const lines = [
    ...header(model, `${model.label} for ${who}${host.once ? '; once' : ''}${host.expires !== undefined ? `; expires ${host.expires}` : ''}`, 'install'),
    ...(model.http?.grub === true ? ['insmod http'] : []),
    `menuentry ${title(`Install ${model.label} on ${who}`)} --id install {`,
    `  linux ${location(model, model.kernel)} ${args.join(' ')}`,
    `  initrd ${hostInitrds(model, host).map((a) => location(model, a)).join(' ')}`,
    '}',
    ...LOCAL_ENTRY,
  ];
  return `${lines.join('\n')}\n`;
}
