/**
 * Find the end of a bzip2 stream while its bytes pass by, without decoding
 * it. A stream is "BZh" + level, then blocks, then the end-of-stream marker;
 * every block starts with the 48-bit magic 0x314159265359 and its 32-bit CRC,
 * the marker is the 48-bit magic 0x177245385090 and the 32-bit combined CRC,
 * and the stream is zero-padded to a byte. None of these is byte-aligned.
 * The kernel's bunzip2 reports `inbufPos` after reading the marker and its
 * CRC (lib/decompress_bunzip2.c), i.e. ceil((marker bit + 80) / 8) bytes,
 * which is where the next segment may start.
 *
 * The magics are searched at all 8 bit shifts with a byte needle each (the 4
 * bytes every shift fully determines), then checked bit by bit. A marker
 * counts only when its CRC equals the combination of the block CRCs seen
 * before it (combined = rotl(combined, 1) ^ blockCrc, bzip2's compress.c), so
 * the same bits inside compressed data (2^-48 per bit position) are not
 * mistaken for the end; the decoder then checks every byte of the cut.
 */

/** 48-bit magics as [high 16 bits, low 32 bits] (bzip2's BZ_X_BLKHDR and BZ_X_ENDHDR). */
const BLOCK_MAGIC = [0x3141, 0x59265359] as const;
const END_MAGIC = [0x1772, 0x45385090] as const;
/** Bytes needed from a candidate's first byte to check it: 48 + 32 bits at shift up to 7. */
const CHECK_SPAN = 11;
/** The stream header "BZh1".."BZh9". */
export const BZIP2_HEADER_SIZE = 4;

interface Needle {
  bytes: Buffer;
  /** Bit shift of the magic inside its first byte; the needle starts at that byte + `lead`. */
  shift: number;
  lead: number;
  isEnd: boolean;
}

/** The 6 bytes of a magic placed at bit `shift` of a 7-byte window. */
function shifted(magic: readonly [number, number], shift: number): number[] {
  const bits = BigInt(magic[0]) * 2n ** 32n + BigInt(magic[1]);
  const window = bits << BigInt(56 - 48 - shift); // 56-bit window, magic starting `shift` bits in
  return Array.from({ length: 7 }, (_, i) => Number((window >> BigInt(8 * (6 - i))) & 0xffn));
}

function needles(): Needle[] {
  const out: Needle[] = [];
  for (const [magic, isEnd] of [[BLOCK_MAGIC, false], [END_MAGIC, true]] as const) {
    for (let shift = 0; shift < 8; shift++) {
      const bytes = shifted(magic, shift);
      // shift 0: bytes 0..3 are fully the magic's; otherwise bytes 1..4 are.
      const lead = shift === 0 ? 0 : 1;
      out.push({ bytes: Buffer.from(bytes.slice(lead, lead + 4)), shift, lead, isEnd });
    }
  }
  return out;
}

const NEEDLES = needles();

/** Read 32 bits starting at bit `bit` of `buf`. */
function bits32(buf: Uint8Array, bit: number): number {
  const at = bit >>> 3;
  const s = bit & 7;
  const hi = (((buf[at] as number) << 24) | ((buf[at + 1] as number) << 16) | ((buf[at + 2] as number) << 8) | (buf[at + 3] as number)) >>> 0;
  if (s === 0) return hi;
  return ((hi << s) | ((buf[at + 4] as number) >>> (8 - s))) >>> 0;
}

function isMagicAt(buf: Uint8Array, bit: number, magic: readonly [number, number]): boolean {
  return bits32(buf, bit) >>> 16 === magic[0] && bits32(buf, bit + 16) === magic[1];
}

/** Scan stream bytes (from the stream's first byte) for the verified end-of-stream marker. */
export class Bzip2EndScanner {
  /** Stream offset of #window[0]. */
  #base = 0;
  #window: Buffer = Buffer.alloc(0);
  #combined = 0;

  /**
   * Return how many bytes of `chunk` belong to the stream (through the marker's padding), or -1.
   * `isLast` says no byte follows `chunk`, so a marker in its last bytes is checked now.
   */
  push(chunk: Uint8Array, isLast = false): number {
    const window = Buffer.concat([this.#window, chunk]);
    // candidates starting before this byte have all their bits here (the rest wait for more input)
    const limit = isLast ? window.length : window.length - CHECK_SPAN;
    const found: { bit: number; isEnd: boolean }[] = [];
    for (const n of NEEDLES) {
      for (let j = window.indexOf(n.bytes); j >= 0; j = window.indexOf(n.bytes, j + 1)) {
        const first = j - n.lead;
        if (first < 0 || first >= limit) continue;
        const bit = 8 * (this.#base + first) + n.shift;
        if (bit >= 8 * BZIP2_HEADER_SIZE) found.push({ bit, isEnd: n.isEnd });
      }
    }
    found.sort((a, b) => a.bit - b.bit);
    for (const c of found) {
      const local = c.bit - 8 * this.#base;
      if (local + 80 > 8 * window.length || !isMagicAt(window, local, c.isEnd ? END_MAGIC : BLOCK_MAGIC)) continue;
      const crc = bits32(window, local + 48);
      if (!c.isEnd) {
        this.#combined = (((this.#combined << 1) | (this.#combined >>> 31)) ^ crc) >>> 0;
      } else if (crc === this.#combined) {
        const end = Math.ceil((c.bit + 80) / 8) - this.#base; // bytes of the window that belong to the stream
        return end - this.#window.length;
      }
    }
    const keep = Math.max(0, limit);
    this.#base += keep;
    this.#window = Buffer.from(window.subarray(keep));
    return -1;
  }
}
