/**
 * iPXE scripts (reference 07 §3; ipxe/ipxe src/image/script.c,
 * src/hci/commands/image_cmd.c, src/core/settings.c). `boot.ipxe` chains
 * `ipxe/mac-${net0/mac:hexraw}.ipxe` and falls back to the local disk when
 * no such script exists: `sanboot --no-describe --drive 0x80` on BIOS;
 * `exit 1` on EFI, a failure, so the firmware goes on to its next boot
 * option (iPXE has no way to start a local disk's EFI loader). The
 * per-host script checks `${net0/mac}` before it loads anything (the
 * wrong-machine guard: a script reached any other way — a DHCP filename, a
 * copied chain line — installs nothing on another machine) and falls back
 * to the same local boot. It loads kernel and initrd (over HTTP when a URL
 * exists: initrds exceed what 512-byte TFTP carries, reference 08 §3) and
 * names each initrd with `initrd=<name>` for EFI-stub kernels. Quoting: iPXE
 * splits on whitespace and expands `${…}` with no escape, so an argument
 * holding whitespace or `$` is refused rather than silently changed.
 */
import { RemasterError } from '../errors.ts';
import { hostInitrds, hostKernelArgs, type PxeArtifact, type PxeHost, type PxeModel } from './model.ts';
import { macHexraw, normalizeMac } from './mac.ts';

/** Directory (inside the TFTP root) that holds the per-host scripts. */
export const IPXE_HOST_DIR = 'ipxe';

function comment(text: string): string {
  return `# remaster: ${text.replace(/[\r\n\0]+/gu, ' ')}; generated, do not edit`;
}

function location(model: PxeModel, artifact: PxeArtifact): string {
  const useHttp = model.http?.ipxe ?? true;
  return useHttp && artifact.httpUrl !== undefined ? artifact.httpUrl : `/${artifact.path}`;
}

function ipxeWord(host: PxeHost, word: string): string {
  if (/[\s$]/u.test(word)) {
    throw new RemasterError('USAGE', `host ${host.mac}: iPXE cannot pass ${JSON.stringify(word)} (whitespace or "$" inside one argument has no escape in iPXE scripts)`);
  }
  return word;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Return the per-host script path for a MAC (`ipxe/mac-525400123456.ipxe`). */
export function ipxeHostPath(mac: string): string {
  return `${IPXE_HOST_DIR}/mac-${macHexraw(mac)}.ipxe`;
}

const LOCAL_SECTION = [
  ':local',
  'echo Booting from local disk',
  'iseq ${platform} efi && goto local_efi ||',
  'sanboot --no-describe --drive 0x80 || exit 0',
  ':local_efi',
  // a failure status: on EFI_SUCCESS the firmware opens its boot manager menu (UEFI 2.10 §3.1.1),
  // on an error it tries the next boot option, the disk
  'exit 1',
];

/** Render `boot.ipxe`: chain the per-host script, else boot the local disk. */
export function renderIpxeDefault(model: PxeModel): string {
  const lines = [
    '#!ipxe',
    comment(`${model.label}: default for unlisted machines`),
    `chain --autofree ${IPXE_HOST_DIR}/mac-\${net0/mac:hexraw}.ipxe || goto local`,
    ...LOCAL_SECTION,
  ];
  return `${lines.join('\n')}\n`;
}

/** Render `ipxe/mac-<hexraw>.ipxe`: the install for one armed host, guarded by its MAC. */
export function renderIpxeHost(model: PxeModel, host: PxeHost): string {
  const mac = normalizeMac(host.mac);
  const initrds = hostInitrds(model, host);
  const names = initrds.map((a) => `initrd=${baseName(a.path)}`);
  const args = hostKernelArgs(model, host).map((a) => ipxeWord(host, a.raw));
  const lines = [
    '#!ipxe',
    comment(`${model.label} for ${host.name !== undefined ? `${host.name} (${mac})` : mac}${host.once ? '; once' : ''}${host.expires !== undefined ? `; expires ${host.expires}` : ''}`),
    `iseq \${net0/mac} ${mac} || goto local`,
    `kernel ${ipxeWord(host, location(model, model.kernel))} ${[...names, ...args].join(' ')}`,
    ...initrds.map((a) => `initrd ${ipxeWord(host, location(model, a))}`),
    'boot',
    ...LOCAL_SECTION,
  ];
  return `${lines.join('\n')}\n`;
}
