/**
 * Which published file a request names, as far as serving policy cares
 * (reference 07 §1.2, §2.2, §3, §5): a host's own boot menu (PXELINUX
 * `pxelinux.cfg/01-<mac>`, its IP and UUID aliases, GRUB's
 * `grub.cfg-01-<mac>` in both spellings, iPXE `ipxe/mac-<hex>.ipxe`), the
 * kernel or an initrd of the current version, a boot loader, or a host's
 * answer file, which a tree published for serve hands out only through
 * `/ks/<mac>` (rendered with the host's callbacks). Pure.
 */
import { ipv4HexName, normalizeMac, normalizeUuid, type PublishManifest } from '../pxe/index.ts';

/** What a requested path is. */
export type ServedPath =
  | { kind: 'host-menu'; mac: string }
  | { kind: 'alias-menu'; mac: string }
  | { kind: 'kernel' }
  | { kind: 'initrd' }
  | { kind: 'loader' }
  | { kind: 'answers' }
  | { kind: 'other' };

const PXELINUX_MAC = /^pxelinux\.cfg\/01-((?:[0-9a-f]{2}-){5}[0-9a-f]{2})$/iu;
const GRUB_MAC = /^grub\.cfg-01-((?:[0-9a-f]{2}[-:]){5}[0-9a-f]{2})$/iu;
const IPXE_MAC = /^ipxe\/mac-([0-9a-f]{12})\.ipxe$/iu;

function aliasOf(m: PublishManifest, name: string): string | undefined {
  for (const h of m.model.hosts) {
    if (h.ip !== undefined && ipv4HexName(h.ip) === name) return normalizeMac(h.mac);
    if (h.uuid !== undefined && normalizeUuid(h.uuid) === name.toLowerCase()) return normalizeMac(h.mac);
  }
  return undefined;
}

function hostMenu(m: PublishManifest, path: string): ServedPath | undefined {
  const direct = PXELINUX_MAC.exec(path)?.[1] ?? IPXE_MAC.exec(path)?.[1];
  if (direct !== undefined) return { kind: 'host-menu', mac: normalizeMac(direct) };
  const grubPrefix = `${m.grubDir}/`;
  if (path.startsWith(grubPrefix)) {
    const name = path.slice(grubPrefix.length);
    const mac = GRUB_MAC.exec(name)?.[1];
    if (mac !== undefined) return { kind: 'host-menu', mac: normalizeMac(mac.replaceAll(':', '-')) };
    if (name.startsWith('grub.cfg-')) {
      const alias = aliasOf(m, name.slice('grub.cfg-'.length));
      if (alias !== undefined) return { kind: 'alias-menu', mac: alias };
    }
  }
  if (path.startsWith('pxelinux.cfg/')) {
    const alias = aliasOf(m, path.slice('pxelinux.cfg/'.length));
    if (alias !== undefined) return { kind: 'alias-menu', mac: alias };
  }
  return undefined;
}

/** Classify a root-relative path (no leading slash) against the current manifest. */
export function classifyServedPath(m: PublishManifest, path: string): ServedPath {
  const menu = hostMenu(m, path);
  if (menu !== undefined) return menu;
  if (path === m.model.kernel.path) return { kind: 'kernel' };
  if (path === m.model.initrd.path) return { kind: 'initrd' };
  if (m.loaders.includes(path)) return { kind: 'loader' };
  if (m.model.serveUrl !== undefined) {
    for (const h of m.model.hosts) {
      const ks = h.kickstart;
      if (ks === undefined) continue;
      // the raw answers (and overlays carrying them) hold what only the armed host should get, with its callbacks
      if (path === ks.path || path === ks.initrdPath || (ks.format === 'autoinstall' && path === ks.path.replace(/user-data$/u, 'meta-data'))) return { kind: 'answers' };
    }
  }
  return { kind: 'other' };
}
