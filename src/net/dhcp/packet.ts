/**
 * DHCPv4 message codec: the BOOTP header (RFC 951, RFC 2131 §2 figure 1), the
 * magic cookie and the options area (RFC 2132), with option overload
 * (option 52: options continued in the `file` and/or `sname` fields, RFC 2132
 * §9.3) and long options split into several instances (RFC 3396), which are
 * concatenated on decode in the order RFC 3396 §5 gives: options field, then
 * `file`, then `sname`.
 *
 * Layout (byte offsets):
 *   0 op  1 htype  2 hlen  3 hops  4 xid(4)  8 secs(2)  10 flags(2)
 *   12 ciaddr  16 yiaddr  20 siaddr  24 giaddr  28 chaddr(16)
 *   44 sname(64)  108 file(128)  236 magic cookie 63 82 53 63  240 options
 *
 * The decoder is bounded (it reads nothing past the datagram and allocates at
 * most the datagram's size) and throws DHCP_MALFORMED with the offset of the
 * bad byte; it never returns a half-decoded packet. Deliberate leniency, as
 * real clients send it: a missing END option ends the options at the end of
 * the field, and bytes after END are ignored (clients pad to 300 bytes).
 * The encoder never overloads `file`/`sname`; it splits values longer than
 * 255 bytes per RFC 3396 and pads the message to 300 bytes (the BOOTP minimum
 * that relays and old clients expect, RFC 1542 §2.1).
 */
import { RemasterError } from '../../errors.ts';
import { addressBytes } from './options.ts';

export const DHCP_HEADER_SIZE = 236;
/** RFC 2132 §2: 99.130.83.99 after the BOOTP header. */
export const DHCP_MAGIC_COOKIE = 0x63825363;
export const DHCP_OPTIONS_OFFSET = 240;
/** RFC 1542 §2.1: BOOTP messages are padded to at least 300 bytes. */
export const DHCP_MIN_MESSAGE_SIZE = 300;
/** The largest UDP payload over IPv4; nothing bigger can be a datagram. */
export const DHCP_MAX_MESSAGE_SIZE = 65_507;
export const DHCP_SNAME_SIZE = 64;
export const DHCP_FILE_SIZE = 128;
export const DHCP_CHADDR_SIZE = 16;

const OPT_PAD = 0;
const OPT_OVERLOAD = 52;
const OPT_END = 255;

/** One DHCPv4 message. Options are in wire order, one entry per code (RFC 3396 instances joined). */
export interface DhcpPacket {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  op: number;
  /** ARP hardware type, 1 = Ethernet. */
  htype: number;
  /** Hardware address length (6 for Ethernet), at most 16. */
  hlen: number;
  hops: number;
  /** Transaction id chosen by the client, echoed by servers. */
  xid: number;
  secs: number;
  /** Bit 15 (0x8000) is the broadcast flag. */
  flags: number;
  ciaddr: string;
  yiaddr: string;
  /** Next server (TFTP) address. */
  siaddr: string;
  /** Relay agent address. */
  giaddr: string;
  /** Client hardware address field, always 16 bytes (the first `hlen` are the address). */
  chaddr: Uint8Array;
  /** Server host name; '' when absent or when the field carried options. */
  sname: string;
  /** Boot file name; '' when absent or when the field carried options. */
  file: string;
  /** Option code → value; option 52 is consumed by decoding (its fields are merged in). */
  options: Map<number, Uint8Array>;
}

/** Options for encodeDhcpPacket. */
export interface EncodeDhcpOptions {
  /** Pad the message with zeros to at least this many bytes (default 300). */
  minSize?: number;
  /** Refuse messages larger than this (default 576, the size every client must accept, RFC 2131 §2). */
  maxSize?: number;
}

function malformed(detail: string, offset: number): RemasterError {
  return new RemasterError('DHCP_MALFORMED', detail, { offset });
}

function readAddress(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** Read a NUL-terminated latin1 string from a fixed-size field. */
function readField(b: Uint8Array, at: number, size: number): string {
  let end = at;
  while (end < at + size && b[end] !== 0) end++;
  return String.fromCharCode(...b.subarray(at, end));
}

/** Walk one options area; push [code, value] pairs; return the overload value seen (0 when none). */
function readOptionArea(b: Uint8Array, start: number, end: number, out: [number, Uint8Array][], allowOverload: boolean): number {
  let overload = 0;
  let at = start;
  while (at < end) {
    const code = b[at] as number;
    if (code === OPT_END) break;
    if (code === OPT_PAD) {
      at++;
      continue;
    }
    if (at + 1 >= end) throw malformed(`DHCP option ${code} has no length byte`, at);
    const length = b[at + 1] as number;
    if (at + 2 + length > end) throw malformed(`DHCP option ${code} is ${length} bytes long but only ${end - at - 2} bytes are left in the field`, at);
    const value = b.subarray(at + 2, at + 2 + length);
    if (code === OPT_OVERLOAD) {
      if (!allowOverload) throw malformed('DHCP option 52 (overload) inside an overloaded field', at);
      if (length !== 1 || value[0]! < 1 || value[0]! > 3) throw malformed(`DHCP option 52 (overload) must be one byte 1, 2 or 3, got ${length} byte(s) [${[...value].join(', ')}]`, at);
      overload = value[0] as number;
    } else {
      out.push([code, value]);
    }
    at += 2 + length;
  }
  return overload;
}

/** Join repeated instances of a code (RFC 3396) into one value, keeping first-seen order. */
function joinOptions(pairs: [number, Uint8Array][]): Map<number, Uint8Array> {
  const parts = new Map<number, Uint8Array[]>();
  for (const [code, value] of pairs) {
    const list = parts.get(code);
    if (list === undefined) parts.set(code, [value]);
    else list.push(value);
  }
  const out = new Map<number, Uint8Array>();
  for (const [code, list] of parts) {
    const joined = new Uint8Array(list.reduce((n, v) => n + v.length, 0));
    let at = 0;
    for (const v of list) {
      joined.set(v, at);
      at += v.length;
    }
    out.set(code, joined);
  }
  return out;
}

/** Decode one DHCPv4 datagram; throw DHCP_MALFORMED with the offset of the problem. */
export function decodeDhcpPacket(bytes: Uint8Array): DhcpPacket {
  if (bytes.length < DHCP_OPTIONS_OFFSET) throw malformed(`DHCP message is ${bytes.length} bytes, shorter than the ${DHCP_OPTIONS_OFFSET}-byte header and magic cookie`, bytes.length);
  if (bytes.length > DHCP_MAX_MESSAGE_SIZE) throw malformed(`DHCP message is ${bytes.length} bytes, more than a UDP datagram can carry (${DHCP_MAX_MESSAGE_SIZE})`, DHCP_MAX_MESSAGE_SIZE);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cookie = view.getUint32(DHCP_HEADER_SIZE);
  if (cookie !== DHCP_MAGIC_COOKIE) throw malformed(`bad DHCP magic cookie 0x${cookie.toString(16).padStart(8, '0')}, expected 0x63825363 (plain BOOTP is not supported)`, DHCP_HEADER_SIZE);
  const hlen = bytes[2] as number;
  if (hlen > DHCP_CHADDR_SIZE) throw malformed(`hardware address length ${hlen} is more than the ${DHCP_CHADDR_SIZE}-byte chaddr field`, 2);
  const pairs: [number, Uint8Array][] = [];
  const overload = readOptionArea(bytes, DHCP_OPTIONS_OFFSET, bytes.length, pairs, true);
  // RFC 2131 §4.1: with overload, read `file` first, then `sname`.
  if (overload & 1) readOptionArea(bytes, 108, 108 + DHCP_FILE_SIZE, pairs, false);
  if (overload & 2) readOptionArea(bytes, 44, 44 + DHCP_SNAME_SIZE, pairs, false);
  return {
    op: bytes[0] as number,
    htype: bytes[1] as number,
    hlen,
    hops: bytes[3] as number,
    xid: view.getUint32(4),
    secs: view.getUint16(8),
    flags: view.getUint16(10),
    ciaddr: readAddress(bytes, 12),
    yiaddr: readAddress(bytes, 16),
    siaddr: readAddress(bytes, 20),
    giaddr: readAddress(bytes, 24),
    chaddr: bytes.slice(28, 28 + DHCP_CHADDR_SIZE),
    sname: overload & 2 ? '' : readField(bytes, 44, DHCP_SNAME_SIZE),
    file: overload & 1 ? '' : readField(bytes, 108, DHCP_FILE_SIZE),
    options: joinOptions(pairs),
  };
}

function encodeError(detail: string): RemasterError {
  return new RemasterError('DHCP_MALFORMED', `cannot encode DHCP message: ${detail}`);
}

function writeAddress(out: Uint8Array, at: number, address: string, field: string): void {
  out.set(addressBytes(address, `cannot encode DHCP message: ${field}`), at);
}

function writeField(out: Uint8Array, at: number, size: number, text: string, field: string): void {
  // The field must keep a terminating NUL: loaders copy it as a C string.
  if (text.length >= size) throw new RemasterError('LIMIT_EXCEEDED', `cannot encode DHCP message: ${field} is ${text.length} bytes, the field holds ${size - 1} and a NUL`);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c > 0xff) throw encodeError(`${field} has a character outside latin1 or a NUL at index ${i}`);
    out[at + i] = c;
  }
}

function checkUint(value: number, bits: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** bits) throw encodeError(`${field} ${value} does not fit in ${bits} bits`);
  return value;
}

/** Encoded length of the options area including END. */
function optionsLength(options: Map<number, Uint8Array>): number {
  let n = 1;
  for (const value of options.values()) n += value.length === 0 ? 2 : value.length + 2 * Math.ceil(value.length / 255);
  return n;
}

/** Encode a DHCPv4 message; throw DHCP_MALFORMED for values that cannot be represented. */
export function encodeDhcpPacket(packet: DhcpPacket, opts: EncodeDhcpOptions = {}): Uint8Array {
  const minSize = opts.minSize ?? DHCP_MIN_MESSAGE_SIZE;
  const maxSize = opts.maxSize ?? 576;
  const size = Math.max(minSize, DHCP_OPTIONS_OFFSET + optionsLength(packet.options));
  if (size > maxSize) throw new RemasterError('LIMIT_EXCEEDED', `cannot encode DHCP message: ${size} bytes is more than the ${maxSize}-byte limit`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = checkUint(packet.op, 8, 'op');
  out[1] = checkUint(packet.htype, 8, 'htype');
  out[2] = checkUint(packet.hlen, 8, 'hlen');
  if (packet.hlen > DHCP_CHADDR_SIZE) throw encodeError(`hlen ${packet.hlen} is more than ${DHCP_CHADDR_SIZE}`);
  out[3] = checkUint(packet.hops, 8, 'hops');
  view.setUint32(4, checkUint(packet.xid, 32, 'xid'));
  view.setUint16(8, checkUint(packet.secs, 16, 'secs'));
  view.setUint16(10, checkUint(packet.flags, 16, 'flags'));
  writeAddress(out, 12, packet.ciaddr, 'ciaddr');
  writeAddress(out, 16, packet.yiaddr, 'yiaddr');
  writeAddress(out, 20, packet.siaddr, 'siaddr');
  writeAddress(out, 24, packet.giaddr, 'giaddr');
  if (packet.chaddr.length > DHCP_CHADDR_SIZE) throw encodeError(`chaddr is ${packet.chaddr.length} bytes, the field holds ${DHCP_CHADDR_SIZE}`);
  out.set(packet.chaddr, 28);
  writeField(out, 44, DHCP_SNAME_SIZE, packet.sname, 'sname');
  writeField(out, 108, DHCP_FILE_SIZE, packet.file, 'file');
  view.setUint32(DHCP_HEADER_SIZE, DHCP_MAGIC_COOKIE);
  let at = DHCP_OPTIONS_OFFSET;
  for (const [code, value] of packet.options) {
    if (!Number.isInteger(code) || code <= OPT_PAD || code >= OPT_END || code === OPT_OVERLOAD) throw encodeError(`option code ${code} cannot be set directly`);
    // RFC 3396 §7: a value longer than 255 bytes goes out as consecutive instances.
    let offset = 0;
    do {
      const part = value.subarray(offset, offset + 255);
      out[at] = code;
      out[at + 1] = part.length;
      out.set(part, at + 2);
      at += 2 + part.length;
      offset += 255;
    } while (offset < value.length);
  }
  out[at] = OPT_END;
  return out;
}
