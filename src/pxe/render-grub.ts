/**
 * GRUB 2 network-boot menus (reference 07 §2; rhboot/grub2 docs/grub.texi,
 * grub-core/normal/main.c, grub-core/net/net.c). Images built by
 * grub-mknetdir search `$prefix/grub.cfg-<uuid>`, `grub.cfg-01-<mac>`, then
 * `grub.cfg-<IPv4 hex>` before `$prefix/grub.cfg`; Debian/Ubuntu signed
 * images skip that search, so the default `grub.cfg` also sources
 * `$prefix/grub.cfg-01-${net_default_mac}` (colon spelling) when it exists
 * (`[ -s ]` opens the file, which works over TFTP where listing does not).
 *
 * The wrong-machine guard: a host file is also reached through its IP and
 * UUID names, which another machine can present (DHCP may give it the armed
 * host's address), so the install entry exists only inside
 * `if [ "$net_default_mac" = "<armed mac>" ]` (GRUB's boot interface, set by
 * efinet/pxe from the DHCP reply it booted with); any other machine gets the
 * local entry alone.
 *
 * Local boot: BIOS chainloads the first disk's boot sector. EFI firmware
 * does not necessarily try the disk after `exit` (OVMF opens its setup
 * menu), so the entry chainloads (with `$root` on that ESP, the device the
 * loader is told it came from) the first ESP loader it finds — the
 * distributions' shims (what their boot entries name), Windows' boot
 * manager, then the removable-media path `\EFI\BOOT\BOOTX64.EFI` — and only
 * then exits to the firmware. Quoting: every kernel argument goes through
 * escapeGrubWord (backslash before whitespace, quotes, `$`, `;`, `&`, `|`,
 * `<`, `>`, `{`, `}`).
 */
import { escapeGrubWord } from '../bootcfg/index.ts';
import { hostInitrds, hostKernelArgs, type PxeArtifact, type PxeHost, type PxeModel } from './model.ts';
import { normalizeMac } from './mac.ts';

/** ESP loaders the EFI local entry tries, in order (`search --file` over every disk, first match). */
export const EFI_LOCAL_LOADERS = [
  '/EFI/redhat/shimx64.efi', '/EFI/fedora/shimx64.efi', '/EFI/centos/shimx64.efi', '/EFI/rocky/shimx64.efi', '/EFI/almalinux/shimx64.efi',
  '/EFI/debian/shimx64.efi', '/EFI/ubuntu/shimx64.efi', '/EFI/opensuse/shim.efi', '/EFI/sles/shim.efi',
  '/EFI/Microsoft/Boot/bootmgfw.efi', '/EFI/BOOT/BOOTX64.EFI',
] as const;

const LOCAL_ENTRY = [
  "menuentry 'Boot from local disk' --id local {",
  '  if [ "$grub_platform" = "efi" ]; then',
  '    insmod part_gpt',
  '    insmod part_msdos',
  '    insmod fat',
  '    insmod chain',
  `    for loader in ${EFI_LOCAL_LOADERS.join(' ')}; do`,
  // chainloader gives the image the device of $root (not of its file): a shim started with the
  // network device as its own looks for grubx64.efi there and fails, so root moves to the ESP
  '      if search --no-floppy --file --set=root $loader; then',
  '        echo "Booting ($root)$loader"',
  '        chainloader $loader',
  '        boot',
  '      fi',
  '    done',
  '    exit',
  '  else',
  '    chainloader (hd0)+1',
  '    boot',
  '  fi',
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

/** Render `grub.cfg-01-<mac>` (also reached as `grub.cfg-<ip hex>` / `grub.cfg-<uuid>`): the install entry, for the armed MAC only. */
export function renderGrubHost(model: PxeModel, host: PxeHost): string {
  const mac = normalizeMac(host.mac);
  const who = host.name !== undefined ? `${host.name} (${mac})` : mac;
  const args = hostKernelArgs(model, host).map((a) => escapeGrubWord(a.raw));
  const lines = [
    ...header(model, `${model.label} for ${who}${host.once ? '; once' : ''}${host.expires !== undefined ? `; expires ${host.expires}` : ''}`, 'local'),
    '# the install entry exists only for the armed MAC: this file is also found by IP address and UUID',
    `if [ "$net_default_mac" = "${mac}" ]; then`,
    '  set default=install',
    ...(model.http?.grub === true ? ['  insmod http'] : []),
    `  menuentry ${title(`Install ${model.label} on ${who}`)} --id install {`,
    `    linux ${location(model, model.kernel)} ${args.join(' ')}`,
    `    initrd ${hostInitrds(model, host).map((a) => location(model, a)).join(' ')}`,
    '  }',
    'else',
    `  echo "remaster: this machine ($net_default_mac) is not ${mac}; booting the local disk"`,
    'fi',
    ...LOCAL_ENTRY,
  ];
  return `${lines.join('\n')}\n`;
}
