/**
 * An in-process decoder for small .xz streams (xz file format spec 1.1.0):
 * stream header, blocks of LZMA2 (§5.3.1, decoded by lzma-decoder.ts) with
 * their padding and check (None, CRC32, CRC64, SHA-256), the index and the
 * stream footer, every field and check verified. An initrd can hold
 * thousands of tiny xz segments (one per overlay, one per firmware file);
 * a decoder process per segment cost about 3.6 ms each, far more than
 * decoding them. Large members still go to the multi-threaded xz CLI.
 *
 * Streams with filters other than LZMA2 (BCJ, delta) are reported as
 * unsupported here so that the caller hands them to the CLI.
 */
import type { Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { RemasterError } from '../errors.ts';
import { corrupt, LzmaDecoder } from './lzma-decoder.ts';
import { decodeXzStreamHeader, XZ_STREAM_FOOTER_SIZE, XZ_STREAM_HEADER_SIZE } from './xz-footer.ts';

/** Thrown (as a value) when the stream needs the CLI. */
export const XZ_NEEDS_CLI = Symbol('xz stream needs the CLI');
const LZMA2_FILTER_ID = 0x21;
/** Check sizes by check ID (spec §2.1.1.2: ID 0x00 none, 0x01 CRC32, 0x04 CRC64, 0x0A SHA-256). */
const CHECK_SIZES: Record<number, number> = { 0: 0, 1: 4, 4: 8, 10: 32 };

/** CRC64 (ECMA-182, reflected, as xz computes it) as two 32-bit table halves. */
const CRC64_TABLE = ((): [Uint32Array, Uint32Array] => {
  const lo = new Uint32Array(256);
  const hi = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        l = (l ^ 0xd7870f42) >>> 0; // polynomial 0xC96C5795D7870F42
        h = (h ^ 0xc96c5795) >>> 0;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  return [lo, hi];
})();

/** Return the CRC64 of `parts` as 8 little-endian bytes. */
export function crc64(parts: Uint8Array[]): Uint8Array {
  const c = new Crc64();
  for (const bytes of parts) c.update(bytes);
  return c.digest();
}

/** CRC64 computed as the bytes pass. */
class Crc64 {
  #lo = 0xffffffff;
  #hi = 0xffffffff;

  update(bytes: Uint8Array): void {
    const [tlo, thi] = CRC64_TABLE;
    let lo = this.#lo;
    let hi = this.#hi;
    for (let i = 0; i < bytes.length; i++) {
      const idx = (lo ^ (bytes[i] as number)) & 0xff;
      lo = ((((lo >>> 8) | (hi << 24)) >>> 0) ^ (tlo[idx] as number)) >>> 0;
      hi = ((hi >>> 8) ^ (thi[idx] as number)) >>> 0;
    }
    this.#lo = lo;
    this.#hi = hi;
  }

  digest(): Uint8Array {
    const out = new Uint8Array(8);
    const view = new DataView(out.buffer);
    view.setUint32(0, ~this.#lo >>> 0, true);
    view.setUint32(4, ~this.#hi >>> 0, true);
    return out;
  }
}

/** A block check (§3.4) computed as the output passes, so no block output is kept. */
class BlockCheck {
  readonly #id: number;
  #crc32 = 0;
  readonly #crc64 = new Crc64();
  // node:crypto is loaded only for a SHA-256 check (rare in initrds): importing it costs every command's start-up.
  readonly #sha256: Hash | undefined;

  constructor(checkId: number) {
    this.#id = checkId;
    if (checkId === 10) this.#sha256 = process.getBuiltinModule('node:crypto').createHash('sha256');
  }

  update(bytes: Uint8Array): void {
    if (this.#id === 1) this.#crc32 = crc32(bytes, this.#crc32);
    else if (this.#id === 4) this.#crc64.update(bytes);
    else if (this.#id === 10) this.#sha256?.update(bytes);
  }

  digest(): Uint8Array {
    if (this.#id === 1) {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, this.#crc32 >>> 0, true);
      return out;
    }
    if (this.#id === 4) return this.#crc64.digest();
    if (this.#id === 10 && this.#sha256) return this.#sha256.digest();
    return new Uint8Array(0);
  }
}

/** A cursor over the member bytes with xz's multibyte integers (§1.2). */
class Cursor {
  pos = 0;
  readonly bytes: Uint8Array;
  readonly offset: number;

  constructor(bytes: Uint8Array, offset: number) {
    this.bytes = bytes;
    this.offset = offset;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RemasterError('CODEC_TRUNCATED', 'xz stream ends early', { offset: this.offset + this.pos });
    return this.bytes[this.pos++] as number;
  }

  varint(): number {
    let value = 0;
    for (let i = 0; i < 9; i++) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw this.fail('an xz integer with a superfluous 0 byte');
        return value;
      }
    }
    throw this.fail('an xz integer longer than 9 bytes');
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new RemasterError('CODEC_TRUNCATED', 'xz stream ends early', { offset: this.offset + this.bytes.length });
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  fail(what: string): RemasterError {
    return new RemasterError('CODEC_CORRUPT', `xz stream is corrupt: ${what}`, { offset: this.offset + this.pos });
  }
}

const le32 = (b: Uint8Array, at: number): number => ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;

/** Parse a block header (§3.1); return the LZMA2 dictionary size and the sizes it declares. */
function readBlockHeader(c: Cursor): { dictSize: number; compressed?: number; uncompressed?: number } {
  const start = c.pos;
  const size = (c.byte() + 1) * 4;
  const header = c.bytes.subarray(start, start + size);
  if (header.length < size) throw new RemasterError('CODEC_TRUNCATED', 'xz block header ends early', { offset: c.offset + start });
  if (crc32(header.subarray(0, size - 4)) >>> 0 !== le32(header, size - 4)) throw c.fail('block header CRC32 mismatch');
  const flags = c.byte();
  if (flags & 0x3c) throw new RemasterError('CODEC_UNSUPPORTED', 'xz block header uses reserved flags', { offset: c.offset + start });
  const out: { dictSize: number; compressed?: number; uncompressed?: number } = { dictSize: 0 };
  if (flags & 0x40) out.compressed = c.varint();
  if (flags & 0x80) out.uncompressed = c.varint();
  if ((flags & 3) !== 0) throw XZ_NEEDS_CLI; // more than one filter: a BCJ or delta filter before LZMA2
  const id = c.varint();
  const propsSize = c.varint();
  if (id !== LZMA2_FILTER_ID) throw XZ_NEEDS_CLI;
  if (propsSize !== 1) throw c.fail('LZMA2 filter properties are not one byte');
  const bits = c.byte(); // bits 6-7 are reserved (§5.3.1): xz refuses them as unsupported options
  if (bits > 40) throw new RemasterError('CODEC_UNSUPPORTED', `LZMA2 dictionary size byte 0x${bits.toString(16)} is out of range (at most 40)`, { offset: c.offset + c.pos - 1 });
  out.dictSize = bits === 40 ? 0xffffffff : (2 | (bits & 1)) * 2 ** (Math.floor(bits / 2) + 11);
  while (c.pos < start + size - 4) if (c.byte() !== 0) throw c.fail('xz block header padding is not zero');
  c.pos = start + size;
  return out;
}

/** Decode the LZMA2 chunks of one block (§5.3.1), yielding output as it is produced. */
function* readLzma2(c: Cursor, dictSize: number): Generator<Uint8Array> {
  const decoder = new LzmaDecoder(dictSize);
  let needDictReset = true;
  let needProps = true;
  for (;;) {
    const at = c.pos;
    const control = c.byte();
    if (control === 0x00) return;
    if (control === 0x01 || control === 0x02) {
      if (control === 0x01) decoder.resetDictionary();
      else if (needDictReset) throw c.fail('LZMA2 starts without a dictionary reset');
      needDictReset = false;
      const size = ((c.byte() << 8) | c.byte()) + 1;
      const data = c.take(size);
      decoder.appendUncompressed(data);
      yield decoder.takeOutput();
      continue;
    }
    if (control < 0x80) throw c.fail(`LZMA2 control byte 0x${control.toString(16)}`);
    const reset = (control >>> 5) & 3;
    const unpacked = (control & 0x1f) * 65536 + ((c.byte() << 8) | c.byte()) + 1;
    const packed = ((c.byte() << 8) | c.byte()) + 1;
    if (reset === 3) decoder.resetDictionary();
    else if (needDictReset) throw c.fail('LZMA2 starts without a dictionary reset');
    needDictReset = false;
    if (reset >= 2) {
      const props = c.byte();
      const lc = props % 9;
      const lp = Math.floor(props / 9) % 5;
      if (props >= 9 * 5 * 5 || lc + lp > 4) throw c.fail('LZMA2 properties out of range');
      decoder.setProperties({ lc, lp, pb: Math.floor(props / 45) });
      needProps = false;
    } else if (needProps) throw c.fail('LZMA2 chunk before any properties');
    if (reset >= 1) decoder.resetState();
    else decoder.resetCoder();
    const data = c.take(packed);
    const limit = decoder.position + unpacked;
    let pos = 0;
    for (;;) {
      const r = decoder.decode(data, pos, packed, true, limit, c.offset + c.pos - packed);
      pos = r.inPos;
      yield decoder.takeOutput();
      if (r.status === 'size-reached') break;
      if (r.status !== 'output') throw corrupt(c.offset + at, 'an end marker inside an LZMA2 chunk');
    }
    const f = decoder.finish(data, pos, packed, c.offset + c.pos - packed);
    if (!f.finished || f.inPos !== packed) throw corrupt(c.offset + at, `an LZMA2 chunk of ${packed} bytes whose data ends after ${f.inPos}`);
  }
}

/** Verify the block check stored after the block's padding. */
function verifyCheck(c: Cursor, checkId: number, check: BlockCheck): void {
  const stored = c.take(CHECK_SIZES[checkId] as number);
  if (!Buffer.from(stored).equals(Buffer.from(check.digest()))) throw c.fail('block check mismatch');
}

/**
 * Decode the complete .xz stream `bytes` (header through footer, as cut by XzFooterScanner) at
 * absolute `offset`; throws XZ_NEEDS_CLI (a symbol) for filters this decoder leaves to xz.
 */
export function* decodeXzStream(bytes: Uint8Array, offset: number): Generator<Uint8Array> {
  const flags = decodeXzStreamHeader(bytes.subarray(0, XZ_STREAM_HEADER_SIZE), offset);
  const checkId = (flags[1] as number) & 0x0f;
  if (CHECK_SIZES[checkId] === undefined) throw XZ_NEEDS_CLI; // a check xz knows and this decoder does not
  const c = new Cursor(bytes.subarray(0, bytes.length - XZ_STREAM_FOOTER_SIZE), offset);
  c.pos = XZ_STREAM_HEADER_SIZE;
  const records: [number, number][] = [];
  while (c.bytes[c.pos] !== 0x00) {
    const start = c.pos;
    const header = readBlockHeader(c);
    const dataStart = c.pos;
    const check = new BlockCheck(checkId);
    let size = 0;
    for (const chunk of readLzma2(c, header.dictSize)) {
      if (chunk.length === 0) continue;
      check.update(chunk);
      size += chunk.length;
      yield chunk;
    }
    if ((header.compressed !== undefined && header.compressed !== c.pos - dataStart) || (header.uncompressed !== undefined && header.uncompressed !== size)) {
      throw c.fail('block sizes differ from its header');
    }
    const unpadded = c.pos - start + (CHECK_SIZES[checkId] as number);
    while (c.pos % 4 !== 0) if (c.byte() !== 0) throw c.fail('block padding is not zero');
    verifyCheck(c, checkId, check);
    records.push([unpadded, size]);
  }
  const indexStart = c.pos;
  verifyIndex(c, records);
  const backward = (le32(bytes, bytes.length - 8) + 1) * 4;
  if (backward !== c.pos - indexStart) throw c.fail(`stream footer says the index has ${backward} bytes, it has ${c.pos - indexStart}`);
}

/** Verify the index (§4) against the blocks decoded, then its CRC32; the footer was checked by the scanner. */
function verifyIndex(c: Cursor, records: [number, number][]): void {
  const start = c.pos;
  c.byte(); // the index indicator 0x00
  if (c.varint() !== records.length) throw c.fail('index record count differs from the blocks');
  for (const [unpadded, size] of records) {
    if (c.varint() !== unpadded || c.varint() !== size) throw c.fail('index record differs from its block');
  }
  while (c.pos % 4 !== 0) if (c.byte() !== 0) throw c.fail('index padding is not zero');
  const crc = crc32(c.bytes.subarray(start, c.pos)) >>> 0;
  if (crc !== le32(c.take(4), 0)) throw c.fail('index CRC32 mismatch');
  if (c.pos !== c.bytes.length) throw c.fail('data between the index and the stream footer');
}
