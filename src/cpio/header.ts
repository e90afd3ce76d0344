/**
 * newc / crc cpio header (110 ASCII bytes): the kernel's initramfs buffer
 * format (Documentation/driver-api/early-userspace/buffer-format.rst) and
 * cpio(5) "New ASCII Format". Magic 070701 (newc) or 070702 (crc, checksum =
 * 32-bit sum of the data bytes). Thirteen 8-digit hex fields follow the
 * 6-byte magic; the kernel accepts upper and lower case hex, we write upper
 * case like GNU cpio. Old ASCII (070707, odc) is refused, as the kernel does.
 */
import { RemasterError } from '../errors.ts';

export const CPIO_HEADER_SIZE = 110;
export const CPIO_ALIGN = 4;
export const CPIO_TRAILER_NAME = 'TRAILER!!!';
export const CPIO_MAGIC_NEWC = '070701';
export const CPIO_MAGIC_CRC = '070702';
/** The largest value an 8-digit hex field holds (newc sizes are 32-bit). */
export const CPIO_MAX_FIELD = 0xffffffff;

export type CpioMagic = typeof CPIO_MAGIC_NEWC | typeof CPIO_MAGIC_CRC;

/** Every field of a newc/crc header, as numbers. */
export interface CpioHeader {
  magic: CpioMagic;
  ino: number;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  fileSize: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  /** Name length including the trailing NUL. */
  nameSize: number;
  /** Data checksum for 070702, 0 for 070701. */
  check: number;
}

/** Field order after the magic: [name, offset]. */
const FIELDS = [
  ['ino', 6],
  ['mode', 14],
  ['uid', 22],
  ['gid', 30],
  ['nlink', 38],
  ['mtime', 46],
  ['fileSize', 54],
  ['devMajor', 62],
  ['devMinor', 70],
  ['rdevMajor', 78],
  ['rdevMinor', 86],
  ['nameSize', 94],
  ['check', 102],
] as const;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function printable(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
}

/** Decode a header from `bytes` at `at`; `offset` is its absolute offset, for errors. */
export function decodeCpioHeader(bytes: Uint8Array, at = 0, offset = at): CpioHeader {
  if (bytes.length - at < CPIO_HEADER_SIZE) {
    throw new RemasterError('CPIO_TRUNCATED', `truncated cpio header: ${bytes.length - at} of ${CPIO_HEADER_SIZE} bytes`, { offset });
  }
  const magicBytes = bytes.subarray(at, at + 6);
  const magic = String.fromCharCode(...magicBytes);
  if (magic !== CPIO_MAGIC_NEWC && magic !== CPIO_MAGIC_CRC) {
    const hint = magic === '070707' ? ' (old ASCII cpio is not supported; the kernel refuses it too)' : '';
    throw new RemasterError('CPIO_BAD_MAGIC', `bad cpio magic "${printable(magicBytes)}", expected "070701" or "070702"${hint}`, { offset });
  }
  const header = { magic } as CpioHeader;
  for (const [name, fieldAt] of FIELDS) {
    let value = 0;
    for (let i = 0; i < 8; i++) {
      const d = hexValue(bytes[at + fieldAt + i] as number);
      if (d < 0) {
        const raw = printable(bytes.subarray(at + fieldAt, at + fieldAt + 8));
        throw new RemasterError('CPIO_BAD_HEADER', `cpio header field ${name} is not hex: "${raw}"`, { offset: offset + fieldAt });
      }
      value = value * 16 + d;
    }
    header[name] = value;
  }
  return header;
}

const HEX = '0123456789ABCDEF';

/** Encode a header into 110 bytes (upper-case hex, like GNU cpio). */
export function encodeCpioHeader(header: CpioHeader): Uint8Array {
  const out = new Uint8Array(CPIO_HEADER_SIZE);
  for (let i = 0; i < 6; i++) out[i] = header.magic.charCodeAt(i);
  for (const [name, fieldAt] of FIELDS) {
    const value = header[name];
    if (!Number.isInteger(value) || value < 0 || value > CPIO_MAX_FIELD) {
      throw new RemasterError('LIMIT_EXCEEDED', `cpio header field ${name} = ${value} does not fit in 32 bits`);
    }
    let v = value;
    for (let i = 7; i >= 0; i--) {
      out[fieldAt + i] = HEX.charCodeAt(v & 15);
      v = Math.floor(v / 16);
    }
  }
  return out;
}

/** Return the padding after a header+name that starts at archive offset `at`. */
export function namePadding(at: number, nameSize: number): number {
  return (CPIO_ALIGN - ((at + CPIO_HEADER_SIZE + nameSize) % CPIO_ALIGN)) % CPIO_ALIGN;
}

/** Return the padding after `size` data bytes that start 4-aligned. */
export function dataPadding(size: number): number {
  return (CPIO_ALIGN - (size % CPIO_ALIGN)) % CPIO_ALIGN;
}
