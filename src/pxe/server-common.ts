/**
 * The types every server renderer shares, and the one quoting rule: a value
 * that goes into a configuration line must not be able to end it.
 */
import { RemasterError, type Warning } from '../errors.ts';
import type { Ipv4Subnet } from './ipv4.ts';
import type { PublishManifest } from './manifest.ts';

/** The servers remaster writes configuration for. */
export const SERVER_KINDS = ['dnsmasq', 'isc', 'tftpd-hpa', 'nginx'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

/** Which file each kind of client is told to boot; a missing kind gets none. */
export interface PxeBootFiles {
  /** BIOS clients (option 93 absent or 0) that are not iPXE. */
  bios?: string;
  /** x64 UEFI clients (option 93 = 7 or 9) that are not iPXE. */
  efi?: string;
  /** iPXE clients (user class "iPXE"), any architecture; absent: they are treated like the firmware they run on. */
  ipxe?: string;
}

/** Options for renderServerConfig. */
export interface ServerConfigOptions {
  /** The TFTP root, absolute (servers resolve a relative one against their own working directory). */
  tftpRoot: string;
  /** The boot server's address on the client network: next-server, TFTP and HTTP listen address. */
  serverIp: string;
  /** Interface the DHCP server serves (dnsmasq `interface=`, dhcpd's command line). */
  interface?: string;
  /** The client subnet in CIDR notation (dnsmasq and ISC). */
  subnet?: string;
  /** DHCP pool (default: the half of the subnet that does not hold the server). */
  range?: [string, string];
  /** dnsmasq: proxyDHCP beside an existing DHCP server (no addresses handed out). */
  proxy?: boolean;
  /** Send iPXE clients `boot.ipxe` (default true); false treats iPXE ROMs as the PXE firmware they replace. */
  ipxe?: boolean;
  /** Override the BIOS or x64 UEFI boot file. */
  biosFile?: string;
  efiFile?: string;
  /** nginx: the HTTP root (default: the one the tree was published with). */
  httpRoot?: string;
}

/** What renderServerConfig returns. */
export interface ServerConfigResult {
  text: string;
  /** The boot files the configuration sends clients to. */
  bootFiles: PxeBootFiles;
  warnings: Warning[];
}

/** Everything a renderer needs, checked. */
export interface ServerConfigInput extends ServerConfigOptions {
  manifest: PublishManifest;
  bootFiles: PxeBootFiles;
  net?: Ipv4Subnet;
}

const SAFE = /^[A-Za-z0-9._:/@%+=,-]+$/u;

/** Refuse a value that would break out of its configuration line (a quote, a space, a newline). */
export function safeValue(what: string, value: string): string {
  if (!SAFE.test(value)) throw new RemasterError('USAGE', `${what} ${JSON.stringify(value)} contains characters that cannot go into a server configuration line`);
  return value;
}

