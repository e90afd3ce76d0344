/**
 * DHCP configuration snippets for a published tree (reference 07 §4: ISC
 * dhcpd.conf(5), dnsmasq(8) 2.90). The boot file is chosen by client
 * architecture, option 93: 0 BIOS → pxelinux.0; x64 UEFI → the GRUB (or
 * iPXE) EFI image, matching both 7 and 9 because RFC 4578's original table
 * swapped them (Errata 4624) and firmware in the field sends either;
 * dnsmasq's names follow the old numbering, so x64 UEFI is `BC_EFI` (7)
 * plus `x86-64_EFI` (9). iPXE clients (user class "iPXE") get boot.ipxe.
 */
import { RemasterError } from '../errors.ts';
import { uefiGrubBootFile } from './loaders.ts';
import type { PublishManifest } from './manifest.ts';

/** Options for dhcpSnippet. */
export interface DhcpSnippetOptions {
  kind: 'isc' | 'dnsmasq';
  /** TFTP server address (BOOTP siaddr / option 66). */
  nextServer: string;
  /** BIOS boot file (default pxelinux.0). */
  biosFile?: string;
  /** x64 UEFI boot file (default boot/grub/x86_64-efi/core.efi, what grub-mknetdir makes). */
  efiFile?: string;
  /** Hand iPXE clients this script URL or path (default boot.ipxe). */
  ipxeScript?: string;
  /** dnsmasq only: the TFTP root to serve with its built-in server. */
  tftpRoot?: string;
}

const SAFE = /^[A-Za-z0-9._:/@%+=,-]+$/u;

function safe(what: string, value: string): string {
  // a quote or newline would break out of the generated configuration line
  if (!SAFE.test(value)) throw new RemasterError('USAGE', `${what} ${JSON.stringify(value)} contains characters that cannot go into a DHCP configuration line`);
  return value;
}

function isc(o: Required<Omit<DhcpSnippetOptions, 'tftpRoot'>>): string {
  return [
    '# remaster: ISC dhcpd PXE boot (put inside your subnet { } block; the option line at top level)',
    'option arch code 93 = unsigned integer 16;',
    `next-server ${o.nextServer};`,
    `option tftp-server-name "${o.nextServer}";`,
    'if exists user-class and option user-class = "iPXE" {',
    `  filename "${o.ipxeScript}";`,
    '} elsif option arch = 00:07 or option arch = 00:09 {',
    `  filename "${o.efiFile}";`,
    '} else {',
    `  filename "${o.biosFile}";`,
    '}',
  ].join('\n');
}

function dnsmasq(o: Required<Omit<DhcpSnippetOptions, 'tftpRoot'>>, tftpRoot: string | undefined): string {
  return [
    '# remaster: dnsmasq PXE boot (add a dhcp-range, or dhcp-range=<net>,proxy for proxyDHCP)',
    ...(tftpRoot !== undefined ? ['enable-tftp', `tftp-root=${tftpRoot}`] : []),
    'dhcp-match=set:bios,option:client-arch,0',
    'dhcp-match=set:efi64,option:client-arch,7',
    'dhcp-match=set:efi64,option:client-arch,9',
    'dhcp-userclass=set:ipxe,iPXE',
    `dhcp-boot=tag:bios,tag:!ipxe,${o.biosFile},,${o.nextServer}`,
    `dhcp-boot=tag:efi64,tag:!ipxe,${o.efiFile},,${o.nextServer}`,
    `dhcp-boot=tag:ipxe,${o.ipxeScript},,${o.nextServer}`,
    '# proxyDHCP equivalents (dnsmasq adds ".0" to BIOS names; BC_EFI is x64 UEFI in its old numbering):',
    `# pxe-service=x86PC,"remaster BIOS",${o.biosFile.replace(/\.0$/u, '')}`,
    `# pxe-service=BC_EFI,"remaster UEFI",${o.efiFile}`,
    `# pxe-service=x86-64_EFI,"remaster UEFI",${o.efiFile}`,
  ].join('\n');
}

/** Render the DHCP configuration that sends BIOS, UEFI and iPXE clients to the published tree. */
export function dhcpSnippet(options: DhcpSnippetOptions): string {
  const o = {
    kind: options.kind,
    nextServer: safe('next server', options.nextServer),
    biosFile: safe('BIOS file', options.biosFile ?? 'pxelinux.0'),
    efiFile: safe('EFI file', options.efiFile ?? 'boot/grub/x86_64-efi/core.efi'),
    ipxeScript: safe('iPXE script', options.ipxeScript ?? 'boot.ipxe'),
  };
  const root = options.tftpRoot !== undefined ? safe('TFTP root', options.tftpRoot) : undefined;
  return `${o.kind === 'isc' ? isc(o) : dnsmasq(o, root)}\n`;
}

/**
 * The boot files a published tree offers, for dhcpSnippet's defaults: pxelinux.0 for BIOS; for x64
 * UEFI the signed shim when the tree has the Secure Boot chain, else grub-mknetdir's core.efi, else
 * iPXE's ipxe.efi. A file the tree does not have is left out (dhcpSnippet's default applies).
 */
export function publishedBootFiles(manifest: Pick<PublishManifest, 'loaders' | 'grubDir'>): { biosFile?: string; efiFile?: string } {
  const has = (p: string): boolean => manifest.loaders.includes(p);
  const efi = uefiGrubBootFile(manifest) ?? (has('ipxe.efi') ? 'ipxe.efi' : undefined);
  return { ...(has('pxelinux.0') ? { biosFile: 'pxelinux.0' } : {}), ...(efi !== undefined ? { efiFile: efi } : {}) };
}
