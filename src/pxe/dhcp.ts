/**
 * DHCP configuration snippets for a published tree (`remaster dhcp-snippet`;
 * server-dhcp.ts has the routing rules): the lines to add to a DHCP server
 * the operator already configured. BIOS → pxelinux.0; x64 UEFI (option 93 =
 * 7 or 9) → the GRUB (or iPXE) EFI image; iPXE clients → boot.ipxe.
 */
import { isAbsolute } from 'node:path';
import { RemasterError } from '../errors.ts';
import { safeValue } from './server-common.ts';
import { dnsmasqBootLines, ISC_GLOBAL, iscScopeLines } from './server-dhcp.ts';

/** Options for dhcpSnippet. */
export interface DhcpSnippetOptions {
  kind: 'isc' | 'dnsmasq';
  /** TFTP server address (BOOTP siaddr / option 66). */
  nextServer: string;
  /** BIOS boot file (default pxelinux.0). */
  biosFile?: string;
  /** x64 UEFI boot file (default boot/grub/x86_64-efi/core.efi, what grub-mknetdir makes); null: the tree has none, send UEFI clients nothing. */
  efiFile?: string | null;
  /** Hand iPXE clients this script URL or path (default boot.ipxe). */
  ipxeScript?: string;
  /** dnsmasq only: the TFTP root to serve with its built-in server (absolute). */
  tftpRoot?: string;
}

/**
 * Render the DHCP configuration that sends BIOS, UEFI and iPXE clients to the published tree, as
 * lines to add to an existing configuration (`remaster server-config` writes whole files). ISC
 * comes in two parts, top level and subnet scope, because dhcpd refuses a scoped option definition.
 */
export function dhcpSnippet(options: DhcpSnippetOptions): string {
  const next = safeValue('next server', options.nextServer);
  const files = {
    bios: safeValue('BIOS file', options.biosFile ?? 'pxelinux.0'),
    ...(options.efiFile !== null ? { efi: safeValue('EFI file', options.efiFile ?? 'boot/grub/x86_64-efi/core.efi') } : {}),
    ipxe: safeValue('iPXE script', options.ipxeScript ?? 'boot.ipxe'),
  };
  if (options.kind === 'isc') {
    return [
      '# remaster: ISC dhcpd PXE boot, two parts (dhcpd refuses an option definition inside a scope)',
      '# 1. at the top level of dhcpd.conf, outside every subnet { }:',
      ...ISC_GLOBAL,
      '# 2. inside your subnet { } block:',
      ...iscScopeLines(files, next),
      '',
    ].join('\n');
  }
  const root = options.tftpRoot;
  if (root !== undefined && !isAbsolute(root)) throw new RemasterError('USAGE', `the TFTP root must be an absolute path (dnsmasq resolves ${JSON.stringify(root)} against its own working directory)`);
  return [
    '# remaster: dnsmasq PXE boot (add a dhcp-range, or dhcp-range=<net>,proxy for proxyDHCP; remaster server-config dnsmasq writes a whole file)',
    ...(root !== undefined ? ['enable-tftp', `tftp-root=${safeValue('TFTP root', root)}`] : []),
    ...dnsmasqBootLines(files, next),
    '',
  ].join('\n');
}
