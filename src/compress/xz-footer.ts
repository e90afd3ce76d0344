/**
 * Find the end of an .xz stream while its bytes pass by (xz file format
 * spec 1.1.0, §2.1.1 Stream Header and §2.1.2 Stream Footer), without
 * buffering the stream: a footer is 12 bytes `CRC32 | Backward Size | Stream
 * Flags | 'YZ'`, ends 4-byte aligned relative to the stream start, carries the
 * same flags as the header and a CRC32 over Backward Size + Flags. A false
 * match inside compressed data would need 64 bits to agree by chance; and the
 * caller lets xz decode exactly the bytes up to the footer, so a wrong cut
 * would fail loudly instead of losing data.
 */
import { crc32 } from 'node:zlib';
import { RemasterError } from '../errors.ts';

/** Size of the xz Stream Header and of the Stream Footer. */
export const XZ_STREAM_HEADER_SIZE = 12;
export const XZ_STREAM_FOOTER_SIZE = 12;
/** Header magic FD 37 7A 58 5A 00 (spec §2.1.1.1) and footer magic 'YZ' (§2.1.2.4). */
export const XZ_HEADER_MAGIC = Uint8Array.of(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00);
const XZ_FOOTER_MAGIC = Buffer.from('YZ', 'latin1');
/** Smallest Index (§4): indicator, record count, padding, CRC32. */
const XZ_MIN_INDEX_SIZE = 8;

function le32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/** Decode an xz Stream Header; return the two Stream Flags bytes or throw CODEC_CORRUPT. */
export function decodeXzStreamHeader(header: Uint8Array, offset: number): Uint8Array {
  for (let i = 0; i < XZ_HEADER_MAGIC.length; i++) {
    if (header[i] !== XZ_HEADER_MAGIC[i]) throw new RemasterError('CODEC_CORRUPT', 'bad xz stream header magic', { offset });
  }
  const flags = header.subarray(6, 8);
  if (crc32(flags) !== le32(header, 8)) throw new RemasterError('CODEC_CORRUPT', 'xz stream header CRC32 mismatch', { offset });
  if (flags[0] !== 0 || ((flags[1] as number) & 0xf0) !== 0) {
    throw new RemasterError('CODEC_UNSUPPORTED', 'xz stream flags use reserved bits', { offset });
  }
  return flags.slice();
}

/**
 * Every length at which `stream` (header first) could end with a Stream Footer matching its header's
 * flags, shortest first. Compressed data may hold a copy of a footer (with its CRC32), so only a
 * decode proves which candidate is the footer.
 */
export function xzFooterCandidates(flags: Uint8Array, stream: Uint8Array): number[] {
  const ends: number[] = [];
  const scanner = new XzFooterScanner(flags);
  let at = XZ_STREAM_HEADER_SIZE;
  while (at < stream.length) {
    const cut = scanner.push(stream.subarray(at));
    if (cut < 0) break;
    ends.push(at + cut);
    at += cut;
    scanner.resume(at);
  }
  return ends;
}

/** Scan stream bytes (after the 12-byte header) for the matching Stream Footer. */
export class XzFooterScanner {
  readonly #flags: Uint8Array;
  /** Stream offset of the first byte of the next chunk. */
  #position = XZ_STREAM_HEADER_SIZE;
  /** Last bytes of the previous chunks (a footer may straddle chunks). */
  #tail: Buffer = Buffer.alloc(0);

  /** Start a scan for a stream whose header carries `flags`. */
  constructor(flags: Uint8Array) {
    this.#flags = flags;
  }

  /** Return how many bytes of `chunk` belong to the stream (through the footer), or -1 if the footer is not in it. */
  push(chunk: Uint8Array): number {
    const buf = this.#tail.length === 0 ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength) : Buffer.concat([this.#tail, chunk]);
    const base = this.#position - this.#tail.length; // stream offset of buf[0]
    for (let i = buf.indexOf(XZ_FOOTER_MAGIC, 0); i >= 0; i = buf.indexOf(XZ_FOOTER_MAGIC, i + 1)) {
      const end = base + i + 2;
      if (end % 4 !== 0 || i < 10 || end < XZ_STREAM_HEADER_SIZE + XZ_MIN_INDEX_SIZE + XZ_STREAM_FOOTER_SIZE) continue;
      if (this.#isFooter(buf.subarray(i - 10, i + 2), end)) {
        return i + 2 - this.#tail.length;
      }
    }
    this.#position += chunk.length;
    this.#tail = Buffer.from(buf.subarray(Math.max(0, buf.length - (XZ_STREAM_FOOTER_SIZE - 1))));
    return -1;
  }

  /** Continue a scan after a candidate footer that ended at stream offset `position`. */
  resume(position: number): void {
    this.#position = position;
    this.#tail = Buffer.alloc(0);
  }

  #isFooter(footer: Uint8Array, end: number): boolean {
    if (footer[8] !== this.#flags[0] || footer[9] !== this.#flags[1]) return false;
    if (crc32(footer.subarray(4, 10)) !== le32(footer, 0)) return false;
    const indexSize = (le32(footer, 4) + 1) * 4;
    return indexSize <= end - XZ_STREAM_FOOTER_SIZE - XZ_STREAM_HEADER_SIZE;
  }
}
