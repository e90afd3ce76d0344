/**
 * What a DHCP client says about itself: PXE or not, firmware architecture,
 * iPXE, client UUID, network interface (PXE specification 2.1 §2.2, RFC 4578,
 * RFC 3004). Pure: a decoded packet in, a plain value out; no policy.
 *
 * - Option 60 "PXEClient:Arch:00007:UNDI:003016" marks a PXE ROM; UEFI HTTP
 *   boot sends "HTTPClient:Arch:00016…" instead (UEFI 2.x §24.7.2).
 * - Option 93 architectures follow IANA's registry (RFC 5970 + RFC 4578
 *   errata 4624): 7 is x64 UEFI. RFC 4578's original table had 9 for x64, and
 *   firmware built from it still sends 9, so both map to 'efi-x64'.
 * - Option 77: RFC 3004 wants length-prefixed class names; iPXE sends the bare
 *   string "iPXE". A value that does not parse as RFC 3004 is one raw name.
 * - Option 97: type 0 + 16 bytes, formatted in wire order as PXELINUX and
 *   GRUB name their per-UUID config files.
 * Option problems are reported in `anomalies`, never thrown: a client with a
 * malformed option 97 may still be a PXE client worth logging.
 */
import type { DhcpPacket } from './packet.ts';
import { DHCP_OPTION, dhcpMessageType, optionText, optionUint16List } from './options.ts';

/** Firmware family from option 93 (or the "Arch:" field of option 60). */
export type ClientArch =
  | 'bios'
  | 'efi-ia32'
  | 'efi-x64'
  | 'efi-arm32'
  | 'efi-arm64'
  | 'efi-ia32-http'
  | 'efi-x64-http'
  | 'efi-arm32-http'
  | 'efi-arm64-http'
  | 'efi-riscv32'
  | 'efi-riscv64'
  | 'efi-loongarch64'
  | 'unknown';

/** IANA "Processor Architecture Types" values we name; 9 is x64 in RFC 4578's original numbering. */
const ARCH_NAMES = new Map<number, ClientArch>([
  [0, 'bios'],
  [6, 'efi-ia32'],
  [7, 'efi-x64'],
  [9, 'efi-x64'],
  [10, 'efi-arm32'],
  [11, 'efi-arm64'],
  [15, 'efi-ia32-http'],
  [16, 'efi-x64-http'],
  [18, 'efi-arm32-http'],
  [19, 'efi-arm64-http'],
  [25, 'efi-riscv32'],
  [27, 'efi-riscv64'],
  [39, 'efi-loongarch64'],
]);

/** Option 94: the client's network interface (UNDI) type and version. */
export interface ClientNii {
  type: number;
  major: number;
  minor: number;
}

/** A DHCP client as classified from one request. */
export interface DhcpClient {
  /** Hardware address from chaddr: lowercase, colon-separated (`aa:bb:cc:dd:ee:ff` for Ethernet). */
  mac: string;
  /** Option 53; undefined for BOOTP. */
  messageType: number | undefined;
  xid: number;
  /** Option 60 as text. */
  vendorClass: string | undefined;
  /** Option 60 starts with "PXEClient". */
  isPxe: boolean;
  /** Option 60 starts with "HTTPClient" (UEFI HTTP boot). */
  isHttpBoot: boolean;
  /** First option 93 value, else the "Arch:" number of option 60. */
  arch: number | undefined;
  /** Every option 93 value (a client may list several). */
  arches: number[];
  archName: ClientArch;
  /** UEFI (any EFI architecture) rather than BIOS. */
  isUefi: boolean;
  /** Option 77 class names. */
  userClasses: string[];
  /** Option 77 names "iPXE": iPXE is running and wants a script, not another boot ROM. */
  isIpxe: boolean;
  /** Option 97 as a lowercase 8-4-4-4-12 UUID in wire byte order. */
  uuid: string | undefined;
  /** The raw option 97 value (type byte included), echoed back by ProxyDHCP servers. */
  uuidOption: Uint8Array | undefined;
  /** Option 94. */
  nii: ClientNii | undefined;
  /** Options present but malformed (wrong length, unknown UUID type …). */
  anomalies: string[];
}

function hex(bytes: Uint8Array): string[] {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0'));
}

/** Return the client hardware address as lowercase colon-separated hex. */
export function clientMac(packet: DhcpPacket): string {
  return hex(packet.chaddr.subarray(0, packet.hlen)).join(':');
}

/** Parse option 77: RFC 3004 length-prefixed names, else one raw name (iPXE). */
function userClasses(value: Uint8Array | undefined): string[] {
  if (value === undefined || value.length === 0) return [];
  const names: string[] = [];
  let at = 0;
  while (at < value.length) {
    const length = value[at] as number;
    if (length === 0 || at + 1 + length > value.length) return [String.fromCharCode(...value)];
    names.push(String.fromCharCode(...value.subarray(at + 1, at + 1 + length)));
    at += 1 + length;
  }
  return names;
}

function uuidFrom(value: Uint8Array | undefined, anomalies: string[]): string | undefined {
  if (value === undefined) return undefined;
  if (value.length !== 17 || value[0] !== 0) {
    anomalies.push(`option 97 (client UUID) must be type 0 + 16 bytes, got ${value.length} bytes of type ${value[0] ?? 'none'}`);
    return undefined;
  }
  const h = hex(value.subarray(1)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function niiFrom(value: Uint8Array | undefined, anomalies: string[]): ClientNii | undefined {
  if (value === undefined) return undefined;
  if (value.length !== 3) {
    anomalies.push(`option 94 (network interface) must be 3 bytes, got ${value.length}`);
    return undefined;
  }
  return { type: value[0] as number, major: value[1] as number, minor: value[2] as number };
}

/** "PXEClient:Arch:00007:UNDI:003016" → 7. */
function archFromVendorClass(vendorClass: string | undefined): number | undefined {
  const m = /^(?:PXEClient|HTTPClient):Arch:(\d{5})(?::|$)/.exec(vendorClass ?? '');
  return m === null ? undefined : Number(m[1]);
}

/** Classify a DHCP request: PXE or not, architecture, iPXE, UUID, interface. */
export function classifyDhcpClient(packet: DhcpPacket): DhcpClient {
  const { options } = packet;
  const anomalies: string[] = [];
  const vendorClass = optionText(options, DHCP_OPTION.VENDOR_CLASS);
  const archOption = options.get(DHCP_OPTION.CLIENT_ARCH);
  const arches = optionUint16List(options, DHCP_OPTION.CLIENT_ARCH) ?? [];
  if (archOption !== undefined && arches.length === 0) anomalies.push(`option 93 (client architecture) must be a list of 16-bit values, got ${archOption.length} bytes`);
  const arch = arches[0] ?? archFromVendorClass(vendorClass);
  const archName = arch === undefined ? 'unknown' : (ARCH_NAMES.get(arch) ?? 'unknown');
  const classes = userClasses(options.get(DHCP_OPTION.USER_CLASS));
  const uuidOption = options.get(DHCP_OPTION.CLIENT_UUID);
  return {
    mac: clientMac(packet),
    messageType: dhcpMessageType(options),
    xid: packet.xid,
    vendorClass,
    isPxe: vendorClass?.startsWith('PXEClient') === true,
    isHttpBoot: vendorClass?.startsWith('HTTPClient') === true,
    arch,
    arches,
    archName,
    isUefi: archName.startsWith('efi-'),
    userClasses: classes,
    isIpxe: classes.includes('iPXE'),
    uuid: uuidFrom(uuidOption, anomalies),
    uuidOption,
    nii: niiFrom(options.get(DHCP_OPTION.CLIENT_NDI), anomalies),
    anomalies,
  };
}
