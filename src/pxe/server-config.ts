/**
 * renderServerConfig(): complete configurations for the servers operators
 * already run, for one published tree (reference 07 §4, 08): dnsmasq (DHCP +
 * TFTP, or proxyDHCP beside an existing DHCP server), ISC dhcpd, tftpd-hpa
 * and nginx. The boot files come from the tree's manifest: pxelinux.0 for
 * BIOS (or undionly.kpxe, which chains iPXE, when the tree has no pxelinux);
 * for x64 UEFI the signed shim, else grub-mknetdir's core.efi, else
 * ipxe.efi; iPXE clients (user class "iPXE") get `boot.ipxe`. A client kind
 * the tree has no loader for gets no boot file, with a warning that says
 * how to add one (a file name that does not exist makes UEFI firmware
 * report "NBP filesize is 0 Bytes" and stop).
 */
import { isAbsolute } from 'node:path';
import { RemasterError, makeWarning, type Warning } from '../errors.ts';
import { parseSubnet, type Ipv4Subnet } from './ipv4.ts';
import { uefiGrubBootFile } from './loaders.ts';
import type { PublishManifest } from './manifest.ts';
import { safeValue, type PxeBootFiles, type ServerConfigInput, type ServerConfigOptions, type ServerConfigResult, type ServerKind } from './server-common.ts';
import { renderDnsmasq, renderIsc } from './server-dhcp.ts';
import { renderNginx, renderTftpdHpa } from './server-tftp-http.ts';

const IPXE_BINARIES = new Set(['undionly.kpxe', 'undionly.kkpxe', 'ipxe.pxe', 'ipxe.efi', 'snponly.efi']);

/** Choose the boot files a tree offers (see the header); warn about client kinds left without one. */
export function serverBootFiles(manifest: Pick<PublishManifest, 'loaders' | 'grubDir' | 'files'>, options: Pick<ServerConfigOptions, 'ipxe' | 'biosFile' | 'efiFile'> = {}): { bootFiles: PxeBootFiles; warnings: Warning[] } {
  const has = (p: string): boolean => manifest.loaders.includes(p);
  const ipxe = options.ipxe !== false && manifest.files['boot.ipxe'] !== undefined ? 'boot.ipxe' : undefined;
  const bios = options.biosFile ?? (has('pxelinux.0') ? 'pxelinux.0' : ipxe !== undefined && has('undionly.kpxe') ? 'undionly.kpxe' : undefined);
  const efi = options.efiFile ?? uefiGrubBootFile(manifest) ?? (ipxe !== undefined && has('ipxe.efi') ? 'ipxe.efi' : undefined);
  const warnings: Warning[] = [];
  for (const file of [bios, efi]) {
    if (file !== undefined && ipxe === undefined && IPXE_BINARIES.has(file.slice(file.lastIndexOf('/') + 1))) {
      throw new RemasterError('USAGE', `${file} is iPXE: without the iPXE branch an iPXE client would be handed iPXE again, forever; keep iPXE clients on boot.ipxe`);
    }
    if (file !== undefined && manifest.files[file] === undefined) warnings.push(makeWarning('INPUT_NOT_FOUND', `${file} is not in the published tree: clients told to boot it will fail`));
  }
  if (efi !== undefined && IPXE_BINARIES.has(efi.slice(efi.lastIndexOf('/') + 1))) {
    warnings.push(makeWarning('USAGE', `x64 UEFI clients get ${efi} (the tree has no UEFI GRUB): a machine that is not armed returns to the firmware only after iPXE's "Press Ctrl-B" prompt, which Debian 12's iPXE held for minutes under QEMU; publish with --grub-netdir or --grub-signed for a direct local boot`));
  }
  if (bios === undefined) warnings.push(makeWarning('INPUT_NOT_FOUND', 'the published tree has no BIOS boot loader: BIOS clients get no boot file (install pxelinux and syslinux-common, or ipxe, and publish again)'));
  if (efi === undefined) {
    warnings.push(makeWarning('INPUT_NOT_FOUND', 'the published tree has no x64 UEFI boot loader: UEFI clients get no boot file; publish with --grub-netdir <grub-mknetdir output> (packages grub-efi-amd64-bin, grub-common) or --grub-signed (shim-signed, grub-efi-amd64-signed), or install ipxe (ipxe.efi) and publish again'));
  }
  return { bootFiles: { ...(bios !== undefined ? { bios } : {}), ...(efi !== undefined ? { efi } : {}), ...(ipxe !== undefined ? { ipxe } : {}) }, warnings };
}

/**
 * The boot files a published tree offers, as dhcpSnippet's and boot-test's defaults: the BIOS and x64 UEFI
 * files of serverBootFiles (pxelinux.0; the signed shim, else grub-mknetdir's core.efi, else ipxe.efi).
 */
export function publishedBootFiles(manifest: Pick<PublishManifest, 'loaders' | 'grubDir' | 'files'>): { biosFile?: string; efiFile?: string } {
  const { bios, efi } = serverBootFiles(manifest).bootFiles;
  return { ...(bios !== undefined ? { biosFile: bios } : {}), ...(efi !== undefined ? { efiFile: efi } : {}) };
}

function needSubnet(kind: ServerKind, options: ServerConfigOptions): Ipv4Subnet {
  if (options.subnet === undefined) throw new RemasterError('USAGE', `${kind} needs the client subnet (--subnet 10.0.0.0/24, or --interface to read it from)`);
  return parseSubnet(options.subnet);
}

/** Render the configuration of one server for a published tree. */
export function renderServerConfig(kind: ServerKind, manifest: PublishManifest, options: ServerConfigOptions): ServerConfigResult {
  if (!isAbsolute(options.tftpRoot)) throw new RemasterError('USAGE', `the TFTP root must be an absolute path (a server resolves ${JSON.stringify(options.tftpRoot)} against its own working directory)`);
  safeValue('TFTP root', options.tftpRoot);
  safeValue('server address', options.serverIp);
  if (options.interface !== undefined) safeValue('interface', options.interface);
  const { bootFiles, warnings } = kind === 'dnsmasq' || kind === 'isc' ? serverBootFiles(manifest, options) : { bootFiles: {}, warnings: [] };
  for (const f of Object.values(bootFiles)) safeValue('boot file', f);
  if (kind === 'dnsmasq' && options.proxy === true && bootFiles.efi !== undefined && bootFiles.efi !== bootFiles.ipxe) {
    // GRUB 2.06 (grub-core/net/drivers/efi/efinet.c) takes its server from the firmware's cached DHCPACK,
    // which under proxyDHCP is the site server's: seen in the ISC lab (shim → GRUB never found its menu).
    warnings.push(makeWarning('USAGE', `x64 UEFI clients get ${bootFiles.efi}, but GRUB 2.06 looks for its menus on the server that gave the address, not the proxyDHCP server: beside another DHCP server, UEFI clients boot GRUB only when that server's next-server (siaddr) is this server; otherwise hand them iPXE (--efi-file ipxe.efi, not under Secure Boot)`));
  }
  const input: ServerConfigInput = { ...options, manifest, bootFiles };
  switch (kind) {
    case 'dnsmasq': return { text: renderDnsmasq({ ...input, net: needSubnet(kind, options) }), bootFiles, warnings };
    case 'isc': return { text: renderIsc({ ...input, net: needSubnet(kind, options) }), bootFiles, warnings };
    case 'tftpd-hpa': return { text: renderTftpdHpa(input), bootFiles, warnings };
    case 'nginx': return { ...renderNginx(input), bootFiles };
  }
}
