/**
 * DHCPv4 option codes and message types (RFC 2132, RFC 4578, RFC 3004, PXE
 * specification 2.1 table 2-1), typed readers over a decoded option map, and
 * the TLV codec for encapsulated options (option 43, whose PXE sub-options
 * have the same code/length/value shape as the options area, PXE 2.1 §2.2.5).
 */
import { RemasterError } from '../../errors.ts';

/** Option codes this package reads or writes. */
export const DHCP_OPTION = {
  SUBNET_MASK: 1,
  ROUTER: 3,
  HOST_NAME: 12,
  /** PXE vendor options, encapsulated (PXE 2.1 table 2-1). */
  VENDOR_SPECIFIC: 43,
  REQUESTED_ADDRESS: 50,
  LEASE_TIME: 51,
  OVERLOAD: 52,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_REQUEST_LIST: 55,
  MAX_MESSAGE_SIZE: 57,
  /** Vendor class identifier: "PXEClient:Arch:xxxxx:UNDI:yyyzzz" from PXE clients. */
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  /** TFTP server name (RFC 2132 §9.4). */
  TFTP_SERVER: 66,
  /** Boot file name (RFC 2132 §9.5). */
  BOOTFILE: 67,
  /** User class (RFC 3004); iPXE sends the raw string "iPXE". */
  USER_CLASS: 77,
  /** Client system architecture, a list of 16-bit values (RFC 4578 §2.1). */
  CLIENT_ARCH: 93,
  /** Client network device interface: type, major, minor (RFC 4578 §2.2). */
  CLIENT_NDI: 94,
  /** Client machine identifier: type 0 + 16-byte UUID (RFC 4578 §2.3). */
  CLIENT_UUID: 97,
} as const;

/** Option 43 sub-option: PXE_DISCOVERY_CONTROL (PXE 2.1 table 2-1). */
export const PXE_DISCOVERY_CONTROL = 6;
/** Discovery control bit 3: boot the file in this offer, no prompt, menu or boot-server discovery. */
export const PXE_DISCOVERY_USE_BOOTFILE = 8;

/** DHCP message types (option 53, RFC 2132 §9.6). */
export const DHCP_MESSAGE = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

const MESSAGE_NAMES = ['', 'DHCPDISCOVER', 'DHCPOFFER', 'DHCPREQUEST', 'DHCPDECLINE', 'DHCPACK', 'DHCPNAK', 'DHCPRELEASE', 'DHCPINFORM'];

/** Return "DHCPDISCOVER"… for a message type, "type N" for others, "BOOTP" when absent. */
export function dhcpMessageName(type: number | undefined): string {
  if (type === undefined) return 'BOOTP';
  return MESSAGE_NAMES[type] || `type ${type}`;
}

/** Return the message type (option 53), or undefined when absent or not one byte. */
export function dhcpMessageType(options: ReadonlyMap<number, Uint8Array>): number | undefined {
  const v = options.get(DHCP_OPTION.MESSAGE_TYPE);
  return v?.length === 1 ? v[0] : undefined;
}

/** Return an option as latin1 text without trailing NULs, or undefined when absent. */
export function optionText(options: ReadonlyMap<number, Uint8Array>, code: number): string | undefined {
  const v = options.get(code);
  if (v === undefined) return undefined;
  let end = v.length;
  while (end > 0 && v[end - 1] === 0) end--;
  return String.fromCharCode(...v.subarray(0, end));
}

/** Return an option as a list of big-endian 16-bit values, or undefined when absent or of odd length. */
export function optionUint16List(options: ReadonlyMap<number, Uint8Array>, code: number): number[] | undefined {
  const v = options.get(code);
  if (v === undefined || v.length === 0 || v.length % 2 !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < v.length; i += 2) out.push(((v[i] as number) << 8) | (v[i + 1] as number));
  return out;
}

/** Return a 4-byte option as a dotted IPv4 address, or undefined. */
export function optionAddress(options: ReadonlyMap<number, Uint8Array>, code: number): string | undefined {
  const v = options.get(code);
  return v?.length === 4 ? `${v[0]}.${v[1]}.${v[2]}.${v[3]}` : undefined;
}

/** Encode a dotted IPv4 address as 4 bytes; throw DHCP_MALFORMED when it is not one. */
export function addressBytes(address: string, what = 'address'): Uint8Array {
  const parts = address.split('.');
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) throw new RemasterError('DHCP_MALFORMED', `${what} "${address}" is not a dotted IPv4 address`);
  return Uint8Array.from(octets);
}

/** Encode latin1 text as option bytes; throw DHCP_MALFORMED for characters above 0xff. */
export function textBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RemasterError('DHCP_MALFORMED', `option text has a character outside latin1 at index ${i}`);
    out[i] = c;
  }
  return out;
}

/** Encode encapsulated sub-options (code, length, value … END) as option 43 carries them. */
export function encodeSubOptions(subOptions: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const parts: number[] = [];
  for (const [code, value] of subOptions) {
    if (code <= 0 || code >= 255 || value.length > 255) throw new RemasterError('DHCP_MALFORMED', `sub-option ${code} of ${value.length} bytes cannot be encapsulated`);
    parts.push(code, value.length, ...value);
  }
  parts.push(255);
  return Uint8Array.from(parts);
}

/** Decode encapsulated sub-options; throw DHCP_MALFORMED (offset inside the option) when one overruns. */
export function decodeSubOptions(value: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  let at = 0;
  while (at < value.length) {
    const code = value[at] as number;
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    const length = value[at + 1];
    if (length === undefined || at + 2 + length > value.length) throw new RemasterError('DHCP_MALFORMED', `encapsulated sub-option ${code} overruns the option`, { offset: at });
    out.set(code, value.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}
