/**
 * TFTP packets: RFC 1350 §5 (RRQ, WRQ, DATA, ACK, ERROR) and RFC 2347 (the
 * option list appended to a request, and OACK). All integers are big-endian.
 *
 *   RRQ/WRQ | opcode 2 | filename | 0 | mode | 0 | [name | 0 | value | 0]...
 *   DATA    | 00 03    | block 2  | 0..65464 data bytes (RFC 2348 bound)
 *   ACK     | 00 04    | block 2
 *   ERROR   | 00 05    | code 2   | message | 0
 *   OACK    | 00 06    | [name | 0 | value | 0]...
 *
 * Strings are octets: they decode one byte to one character (latin1), so a
 * decoded packet re-encodes to the same bytes whatever the client's charset;
 * the server interprets the file name as UTF-8 later (path.ts). Deliberate
 * leniency: NUL bytes after a request's last option are accepted (tftp-hpa
 * stops at an empty option name too) and recorded as `padding` so the packet
 * still re-encodes byte for byte. Everything else that does not parse throws
 * TFTP_BAD_PACKET with the offset of the problem, never a crash.
 */
import { RemasterError } from '../../errors.ts';

/** Opcodes (RFC 1350 §5, RFC 2347 for OACK). */
export const TFTP_OPCODE = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;

/** Error codes (RFC 1350 appendix; 8 from RFC 2347). */
export const TFTP_ERROR = {
  NOT_DEFINED: 0,
  FILE_NOT_FOUND: 1,
  ACCESS_VIOLATION: 2,
  DISK_FULL: 3,
  ILLEGAL_OPERATION: 4,
  UNKNOWN_TID: 5,
  FILE_EXISTS: 6,
  NO_SUCH_USER: 7,
  OPTION_REFUSED: 8,
} as const;

/** Block size without the blksize option (RFC 1350). */
export const TFTP_DEFAULT_BLKSIZE = 512;
/** Smallest and largest blksize (RFC 2348: 8–65464, the largest that fits an IPv4 datagram). */
export const TFTP_MIN_BLKSIZE = 8;
export const TFTP_MAX_BLKSIZE = 65464;
/** Opcode + block number in front of DATA. */
export const TFTP_DATA_HEADER_SIZE = 4;
/** The largest valid TFTP datagram: a DATA packet of the largest block. */
export const TFTP_MAX_PACKET_SIZE = TFTP_DATA_HEADER_SIZE + TFTP_MAX_BLKSIZE;
/** Bound on options in one request or OACK; real clients send at most five. */
export const TFTP_MAX_OPTIONS = 64;

/** One option as sent: the name keeps the sender's spelling; compare names case-insensitively. */
export interface TftpOption {
  name: string;
  value: string;
}

/** A read or write request. */
export interface TftpRequestPacket {
  op: 'RRQ' | 'WRQ';
  filename: string;
  /** As sent; "octet", "netascii" or "mail" in any case. */
  mode: string;
  options: TftpOption[];
  /** NUL bytes after the last option (some clients pad requests); absent when none. */
  padding?: number;
}

/** A DATA packet; `data` is a view into the decoded buffer, not a copy. */
export interface TftpDataPacket {
  op: 'DATA';
  block: number;
  data: Uint8Array;
}

export interface TftpAckPacket {
  op: 'ACK';
  block: number;
}

export interface TftpErrorPacket {
  op: 'ERROR';
  code: number;
  message: string;
}

export interface TftpOackPacket {
  op: 'OACK';
  options: TftpOption[];
}

export type TftpPacket = TftpRequestPacket | TftpDataPacket | TftpAckPacket | TftpErrorPacket | TftpOackPacket;

const OP_NAMES = ['', 'RRQ', 'WRQ', 'DATA', 'ACK', 'ERROR', 'OACK'] as const;

function bad(detail: string, offset: number): RemasterError {
  return new RemasterError('TFTP_BAD_PACKET', detail, { offset });
}

function u16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] as number) << 8) | (bytes[at + 1] as number);
}

/** Read a NUL-terminated string at `at`; return it and the offset after its NUL. */
function cstring(bytes: Uint8Array, at: number, what: string): [string, number] {
  const end = bytes.indexOf(0, at);
  if (end < 0) throw bad(`${what} has no terminating NUL`, at);
  return [Buffer.from(bytes.buffer, bytes.byteOffset + at, end - at).toString('latin1'), end + 1];
}

/** Decode `name\0value\0` pairs from `at` to the end; trailing NULs end the list when `allowPadding`. */
function decodeOptions(bytes: Uint8Array, at: number, allowPadding: boolean): { options: TftpOption[]; padding: number } {
  const options: TftpOption[] = [];
  let pos = at;
  while (pos < bytes.length) {
    if (bytes[pos] === 0 && allowPadding) {
      const rest = bytes.subarray(pos);
      const junk = rest.findIndex((b) => b !== 0);
      if (junk >= 0) throw bad('bytes after the padding that ends the option list', pos + junk);
      return { options, padding: rest.length };
    }
    if (options.length === TFTP_MAX_OPTIONS) throw bad(`more than ${TFTP_MAX_OPTIONS} options`, pos);
    const [name, afterName] = cstring(bytes, pos, 'option name');
    if (name === '') throw bad('empty option name', pos);
    if (afterName >= bytes.length) throw bad(`option "${name}" has no value`, afterName);
    const [value, afterValue] = cstring(bytes, afterName, `value of option "${name}"`);
    options.push({ name, value });
    pos = afterValue;
  }
  return { options, padding: 0 };
}

/** Decode one TFTP datagram; throw TFTP_BAD_PACKET (with the offset) when it is not a valid packet. */
export function decodeTftpPacket(bytes: Uint8Array): TftpPacket {
  if (bytes.length < 2) throw bad(`datagram of ${bytes.length} bytes is shorter than an opcode`, 0);
  if (bytes.length > TFTP_MAX_PACKET_SIZE) throw bad(`datagram of ${bytes.length} bytes is larger than any TFTP packet (${TFTP_MAX_PACKET_SIZE})`, 0);
  const opcode = u16(bytes, 0);
  const op = OP_NAMES[opcode];
  switch (op) {
    case 'RRQ':
    case 'WRQ': {
      const [filename, afterName] = cstring(bytes, 2, 'file name');
      if (afterName >= bytes.length) throw bad('request has no mode', afterName);
      const [mode, afterMode] = cstring(bytes, afterName, 'mode');
      const { options, padding } = decodeOptions(bytes, afterMode, true);
      return padding > 0 ? { op, filename, mode, options, padding } : { op, filename, mode, options };
    }
    case 'DATA':
      if (bytes.length < 4) throw bad('DATA packet without a block number', 2);
      return { op, block: u16(bytes, 2), data: bytes.subarray(4) };
    case 'ACK':
      if (bytes.length !== 4) throw bad(`ACK packet of ${bytes.length} bytes, expected 4`, Math.min(bytes.length, 4));
      return { op, block: u16(bytes, 2) };
    case 'ERROR': {
      if (bytes.length < 5) throw bad('ERROR packet without a code and message', bytes.length < 4 ? 2 : 4);
      const [message, end] = cstring(bytes, 4, 'error message');
      if (end !== bytes.length) throw bad('bytes after the error message', end);
      return { op, code: u16(bytes, 2), message };
    }
    case 'OACK': {
      const { options } = decodeOptions(bytes, 2, false);
      return { op, options };
    }
    default:
      throw bad(`unknown opcode ${opcode}, expected 1–6`, 0);
  }
}

/** Append a string as octets plus its NUL; refuse characters that are not one byte or are NUL. */
function putString(out: number[], s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0xff) throw new RemasterError('TFTP_BAD_PACKET', `${what} ${JSON.stringify(s)} has a character that is not one non-NUL octet (U+${c.toString(16).padStart(4, '0')})`);
    out.push(c);
  }
  out.push(0);
}

function put16(out: number[], n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new RemasterError('TFTP_BAD_PACKET', `${what} ${n} does not fit 16 bits`);
  out.push(n >> 8, n & 0xff);
}

/** Encode a packet to bytes; throw TFTP_BAD_PACKET for values the wire format cannot carry. */
export function encodeTftpPacket(packet: TftpPacket): Uint8Array {
  const out: number[] = [];
  put16(out, TFTP_OPCODE[packet.op], 'opcode');
  switch (packet.op) {
    case 'RRQ':
    case 'WRQ':
      putString(out, packet.filename, 'file name');
      putString(out, packet.mode, 'mode');
      for (const o of packet.options) putOption(out, o);
      for (let i = 0; i < (packet.padding ?? 0); i++) out.push(0);
      break;
    case 'DATA': {
      put16(out, packet.block, 'block number');
      if (packet.data.length > TFTP_MAX_BLKSIZE) throw new RemasterError('TFTP_BAD_PACKET', `DATA of ${packet.data.length} bytes is larger than ${TFTP_MAX_BLKSIZE}`);
      const bytes = new Uint8Array(TFTP_DATA_HEADER_SIZE + packet.data.length);
      bytes.set(out);
      bytes.set(packet.data, TFTP_DATA_HEADER_SIZE);
      return bytes;
    }
    case 'ACK':
      put16(out, packet.block, 'block number');
      break;
    case 'ERROR':
      put16(out, packet.code, 'error code');
      putString(out, packet.message, 'error message');
      break;
    case 'OACK':
      for (const o of packet.options) putOption(out, o);
      break;
  }
  if (out.length > TFTP_MAX_PACKET_SIZE) {
    throw new RemasterError('TFTP_BAD_PACKET', `${packet.op} of ${out.length} bytes is larger than ${TFTP_MAX_PACKET_SIZE}`);
  }
  return Uint8Array.from(out);
}

function putOption(out: number[], o: TftpOption): void {
  if (o.name === '') throw new RemasterError('TFTP_BAD_PACKET', 'empty option name');
  putString(out, o.name, 'option name');
  putString(out, o.value, `value of option "${o.name}"`);
}
