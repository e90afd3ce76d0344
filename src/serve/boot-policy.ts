/**
 * ProxyDHCP boot policy: which boot file a PXE client of the current tree
 * gets (pure). Decided with the client's own words (option 60, 77, 93):
 * - iPXE (user class "iPXE"): the HTTP script `<base>/boot.ipxe`, which
 *   chains the per-MAC script (reference 07 §3) — except iPXE on BIOS
 *   firmware (a NIC's iPXE ROM, as in QEMU) when the tree publishes
 *   pxelinux.0 but no BIOS iPXE (undionly.kpxe): the operator chose pxelinux
 *   for BIOS machines, and iPXE runs pxelinux.0 as a PXE NBP through its
 *   PXE API, so such a client gets pxelinux.0 like the firmware it replaces;
 * - BIOS PXE ROMs: pxelinux.0 (it reads the ProxyDHCP offer for its TFTP
 *   server), else undionly.kpxe;
 * - x64 UEFI PXE: ipxe.efi when the tree has it, else the GRUB the tree
 *   publishes (shimx64.efi or core.efi). iPXE first because GRUB 2.06 as
 *   Debian builds it takes its TFTP server from the site DHCP server's ACK
 *   only (grub-core/net/drivers/efi/efinet.c reads pxe_mode->dhcp_ack),
 *   never from the ProxyDHCP offer, so it looks for its modules on the
 *   wrong server; Fedora/RHEL's GRUB carries a patch for that ("efinet:
 *   Add DHCP proxy support"), and a GRUB built with
 *   `grub-mkimage -p '(tftp,<server>)/boot/grub'` names its server itself:
 *   trees with such a GRUB and no iPXE boot it. Secure Boot needs the
 *   signed shim chain, so with ProxyDHCP it needs such a GRUB too.
 * - UEFI HTTP boot (option 60 "HTTPClient"): `<base>/ipxe.efi` over HTTP.
 * Anything else, and unarmed MACs when `armedOnly`, get no answer.
 */
import type { BootAnswer, DhcpClient } from '../net/dhcp/index.ts';
import { normalizeMac, uefiGrubBootFile, type PublishManifest } from '../pxe/index.ts';

/** Fixed facts of the policy. */
export interface BootPolicyOptions {
  /** This server's address on the boot network (siaddr). */
  nextServer: string;
  /** Base URL of this server's HTTP side (`http://10.0.0.1:8080`). */
  httpBase: string;
  /** Answer only MACs armed in the current tree. */
  armedOnly?: boolean;
  /** Override the BIOS boot file. */
  biosFile?: string;
  /** Override the x64 UEFI boot file. */
  efiFile?: string;
}

/** Return the boot file for a PXE client, or undefined to stay silent. */
export function decideBootFile(client: DhcpClient, m: PublishManifest | undefined, o: BootPolicyOptions): BootAnswer | undefined {
  if (m === undefined) return undefined;
  if (o.armedOnly && !m.model.hosts.some((h) => normalizeMac(h.mac) === client.mac)) return undefined;
  const has = (p: string) => m.loaders.includes(p);
  const base = o.httpBase.replace(/\/+$/u, '');
  const answer = (bootFile: string | undefined) => (bootFile === undefined ? undefined : { nextServer: o.nextServer, bootFile });
  if (client.isIpxe) return answer(client.archName === 'bios' && has('pxelinux.0') && !has('undionly.kpxe') ? 'pxelinux.0' : `${base}/boot.ipxe`);
  if (client.isHttpBoot) return client.archName === 'efi-x64-http' && has('ipxe.efi') ? answer(`${base}/ipxe.efi`) : undefined;
  if (client.archName === 'bios') return answer(o.biosFile ?? (has('pxelinux.0') ? 'pxelinux.0' : has('undionly.kpxe') ? 'undionly.kpxe' : undefined));
  if (client.archName === 'efi-x64') return answer(o.efiFile ?? (has('ipxe.efi') ? 'ipxe.efi' : uefiGrubBootFile(m)));
  return undefined;
}
