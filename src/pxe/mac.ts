/**
 * One canonical MAC spelling and every file name derived from it
 * (reference 07 §1.2, §2.2, §3, §5): PXELINUX `pxelinux.cfg/01-aa-bb-…`,
 * GRUB's search `grub.cfg-01-aa-bb-…` (grub-core/net/net.c turns the colons
 * of grub_net_hwaddr_to_str into dashes), GRUB's `${net_default_mac}`
 * (`aa:bb:…`) for images that skip the search, iPXE `${mac:hexraw}`.
 * Client IPv4 names use uppercase hex and are shortened one digit at a time
 * by the loaders; remaster writes the full eight-digit name only.
 */
import { RemasterError } from '../errors.ts';

const MAC_RE = /^[0-9a-f]{2}([:-]?)[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/u;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

/** Return the canonical lowercase colon-separated form of a MAC (`52:54:00:12:34:56`). */
export function normalizeMac(mac: string): string {
  const lower = mac.trim().toLowerCase().replace(/^01-(?=(?:[0-9a-f]{2}-){5}[0-9a-f]{2}$)/u, '');
  if (!MAC_RE.test(lower)) throw new RemasterError('USAGE', `not an Ethernet MAC address: ${JSON.stringify(mac)}, expected six hex pairs like 52:54:00:12:34:56`);
  const hex = lower.replace(/[:-]/gu, '');
  return hex.match(/../gu)!.join(':');
}

/** Return `aa-bb-cc-dd-ee-ff` (iPXE `${mac:hexhyp}`). */
export function macHexhyp(mac: string): string {
  return normalizeMac(mac).replaceAll(':', '-');
}

/** Return `aabbccddeeff` (iPXE `${mac:hexraw}`). */
export function macHexraw(mac: string): string {
  return normalizeMac(mac).replaceAll(':', '');
}

/** Return the PXELINUX / GRUB hardware-type name `01-aa-bb-cc-dd-ee-ff`. */
export function macConfigName(mac: string): string {
  return `01-${macHexhyp(mac)}`;
}

/** Return a client IPv4 address as the loaders' uppercase hex name (`10.0.0.130` → `0A000082`). */
export function ipv4HexName(ip: string): string {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RemasterError('USAGE', `not an IPv4 address: ${JSON.stringify(ip)}`);
  }
  return parts.map((p) => p.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** Return a client UUID in the lowercase dashed form the loaders look up. */
export function normalizeUuid(uuid: string): string {
  const lower = uuid.trim().toLowerCase();
  if (!UUID_RE.test(lower)) throw new RemasterError('USAGE', `not a UUID: ${JSON.stringify(uuid)}, expected 8-4-4-4-12 hex digits`);
  return lower;
}
