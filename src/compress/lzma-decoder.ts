/**
 * An in-process LZMA decoder (the LZMA SDK's LzmaSpec/LzmaDec model, as in
 * the kernel's lib/decompress_unlzma.c and liblzma), so that a member's
 * exact compressed length is known: the range coder counts every byte it
 * reads. It serves LZMA-alone members, whose end the xz CLI cannot report,
 * and the LZMA2 chunks of small xz members (lzma2.ts), where one decoder
 * process per member would cost more than the decoding.
 *
 * Input is given in buffers; decode() runs whole symbols only while at least
 * LZMA_MAX_SYMBOL_INPUT bytes are buffered (or the input has ended), so no
 * state is ever split inside a symbol. Output goes into a circular
 * dictionary that grows with the output up to the dictionary size (a
 * header's 4 GiB dictionary costs only what the member really produces);
 * the caller takes the new bytes after each call.
 *
 * At the end marker the range coder is normalized once more and must hold
 * code 0 (liblzma's rc_is_finished): then the bytes read are exactly the
 * bytes the encoder wrote (the kernel, which skips that last normalization,
 * may stop one byte short; that byte is then always 0, which its unpacker
 * skips as padding).
 */
import { RemasterError } from '../errors.ts';

/** Most input bytes one symbol can use (LzmaDec.h LZMA_REQUIRED_INPUT_MAX). */
export const LZMA_MAX_SYMBOL_INPUT = 20;
/** Distance value that marks the end of the stream (LzmaSpec: 0xFFFFFFFF). */
const END_MARKER_DISTANCE = 0xffffffff;
const MIN_DICT_BUFFER = 1 << 14; // grows with the output: tiny members stay tiny
/** Smallest dictionary a decoder assumes (LzmaDec.c LZMA_DIC_MIN). */
const LZMA_MIN_DICT = 4096;
/** Output returned to the caller per decode() call, at most (plus one match). */
export const LZMA_OUTPUT_CHUNK = 1 << 18;

// Probability layout of the LZMA SDK / the kernel (LZMA_BASE_SIZE 1846 before the literals).
const IS_MATCH = 0;
const IS_REP = 192;
const IS_REP_G0 = 204;
const IS_REP_G1 = 216;
const IS_REP_G2 = 228;
const IS_REP_0_LONG = 240;
const POS_SLOT = 432;
const SPEC_POS = 688;
const ALIGN = 802;
const LEN_CODER = 818;
const REP_LEN_CODER = 1332;
const LITERAL = 1846;
// Inside a length coder: choice, choice2, low[16][8], mid[16][8], high[256].
const LEN_CHOICE_2 = 1;
const LEN_LOW = 2;
const LEN_MID = 130;
const LEN_HIGH = 258;

/** lc/lp/pb of an LZMA properties byte. */
export interface LzmaProperties {
  lc: number;
  lp: number;
  pb: number;
}

/** Decode the properties byte (lc + 9 * (lp + 5 * pb)); throw CODEC_CORRUPT when it is out of range. */
export function decodeLzmaProperties(byte: number, offset?: number): LzmaProperties {
  if (byte >= 9 * 5 * 5) throw new RemasterError('CODEC_CORRUPT', `LZMA properties byte 0x${byte.toString(16)} is out of range`, offset === undefined ? {} : { offset });
  return { lc: byte % 9, lp: Math.floor(byte / 9) % 5, pb: Math.floor(byte / 45) };
}

/** Why decode() returned. */
export type LzmaStatus = 'need-input' | 'output' | 'end-marker' | 'size-reached';

/** The decoder state: probabilities, range coder, dictionary. */
export class LzmaDecoder {
  readonly #dictSize: number;
  #dict: Uint8Array;
  /** Write position in #dict, and bytes produced since the last dictionary reset. */
  #dictPos = 0;
  #pos = 0;
  /** Start of the bytes not yet taken by the caller (an index into #dict). */
  #taken = 0;
  #probs = new Uint16Array(0); // sized by setProperties()
  #lc = 3;
  #lp = 0;
  #pb = 2;
  #state = 0;
  #rep0 = 0;
  #rep1 = 0;
  #rep2 = 0;
  #rep3 = 0;
  /** uint32 range coder values, stored as int32 bit patterns. */
  #range = -1;
  #code = 0;
  /** Bytes of range coder initialization still to read (5 after a reset). */
  #initLeft = 5;

  /** Make a decoder for a dictionary of `dictSize` bytes. */
  constructor(dictSize: number) {
    this.#dictSize = Math.max(LZMA_MIN_DICT, dictSize);
    this.#dict = new Uint8Array(Math.min(this.#dictSize + LZMA_OUTPUT_CHUNK + 273, MIN_DICT_BUFFER));
  }

  /** Bytes produced since the last dictionary reset. */
  get position(): number {
    return this.#pos;
  }

  /** Set lc/lp/pb (LZMA2 may change them between chunks); probabilities are reset by resetState(). */
  setProperties(props: LzmaProperties): void {
    if (props.lc + props.lp > 12) throw new RemasterError('CODEC_CORRUPT', 'LZMA lc + lp exceeds 12');
    this.#lc = props.lc;
    this.#lp = props.lp;
    this.#pb = props.pb;
    const size = LITERAL + (0x300 << (props.lc + props.lp));
    if (this.#probs.length < size) this.#probs = new Uint16Array(size);
  }

  /** Reset probabilities, state and reps (an LZMA2 state reset, or a new LZMA1 stream). */
  resetState(): void {
    this.#probs.fill(1024, 0, LITERAL + (0x300 << (this.#lc + this.#lp)));
    this.#state = 0;
    this.#rep0 = this.#rep1 = this.#rep2 = this.#rep3 = 0;
    this.resetCoder();
  }

  /** Start a new range-coded run (every LZMA2 LZMA chunk starts one). */
  resetCoder(): void {
    this.#range = -1;
    this.#code = 0;
    this.#initLeft = 5;
  }

  /** Forget the dictionary (an LZMA2 dictionary reset). */
  resetDictionary(): void {
    this.#dictPos = 0;
    this.#pos = 0;
    this.#taken = 0;
  }

  /** Append bytes stored uncompressed (an LZMA2 uncompressed chunk). */
  appendUncompressed(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; ) {
      this.#reserve(1);
      const n = Math.min(bytes.length - i, this.#dict.length - this.#dictPos);
      this.#dict.set(bytes.subarray(i, i + n), this.#dictPos);
      this.#dictPos += n;
      this.#pos += n;
      i += n;
      if (this.#dictPos === this.#dict.length && this.#dict.length === this.#capacity()) this.#dictPos = 0;
    }
  }

  /** Return (a copy of) the bytes produced since the last call. */
  takeOutput(): Uint8Array {
    const from = this.#taken;
    const to = this.#dictPos;
    this.#taken = to;
    if (to >= from) return this.#dict.slice(from, to);
    const out = new Uint8Array(this.#dict.length - from + to);
    out.set(this.#dict.subarray(from));
    out.set(this.#dict.subarray(0, to), this.#dict.length - from);
    return out;
  }

  /** Buffer size the dictionary ends at: the dictionary plus what the caller has not taken yet. */
  #capacity(): number {
    return this.#dictSize + LZMA_OUTPUT_CHUNK + 273;
  }

  /** Grow the buffer (before it first wraps) so `n` more bytes fit; never past the capacity. */
  #reserve(n: number): void {
    const cap = this.#capacity();
    if (this.#dict.length >= cap || this.#dictPos + n <= this.#dict.length) return;
    const bigger = new Uint8Array(Math.min(cap, Math.max(this.#dict.length * 2, this.#dictPos + n)));
    bigger.set(this.#dict.subarray(0, this.#dictPos));
    this.#dict = bigger;
  }

  /**
   * Decode from `input[inPos, inEnd)`. Stops when fewer than LZMA_MAX_SYMBOL_INPUT bytes are left
   * and `inputEnded` is false ('need-input'), after about LZMA_OUTPUT_CHUNK bytes of output
   * ('output'), at the end marker ('end-marker'), or when `sizeLimit` bytes have been produced
   * since the last dictionary reset ('size-reached'). With `endMarkerOnly` (a known-size LZMA-alone
   * stream that also carries an end marker) the next symbol must be the end marker. `offset` is the
   * absolute offset of input[0], for errors. Returns the new input position.
   *
   * The range decoder is written out at each use (LzmaDec.c's macros): with every variable a local
   * int32, V8 keeps the hot loop in registers; helper closures over them cost 4x.
   */
  decode(input: Uint8Array, inPos: number, inEnd: number, inputEnded: boolean, sizeLimit: number, offset: number, endMarkerOnly = false): { inPos: number; status: LzmaStatus } {
    let ip = inPos;
    while (this.#initLeft > 0) {
      if (ip >= inEnd) {
        if (inputEnded) throw truncated(offset + ip);
        return { inPos: ip, status: 'need-input' };
      }
      if (this.#initLeft === 5 && input[ip] !== 0) throw new RemasterError('CODEC_CORRUPT', 'LZMA range coder does not start with 0', { offset: offset + ip });
      this.#code = (this.#code << 8) | (input[ip++] as number);
      this.#initLeft--;
    }
    if (inputEnded && input.length < inEnd + LZMA_MAX_SYMBOL_INPUT) {
      // Reads past the end hit zeros and are reported after the symbol, instead of a check per byte.
      const padded = new Uint8Array(inEnd + LZMA_MAX_SYMBOL_INPUT);
      padded.set(input.subarray(0, inEnd));
      input = padded;
    }
    const p = this.#probs;
    const lc = this.#lc;
    const lpMask = (1 << this.#lp) - 1;
    const pbMask = (1 << this.#pb) - 1;
    const safeEnd = inputEnded ? inEnd : inEnd - LZMA_MAX_SYMBOL_INPUT;
    const cap = this.#capacity();
    const dictSize = this.#dictSize;
    // range and code are uint32 values kept as int32 bit patterns (never boxed); compare them with >>> 0.
    let range = this.#range;
    let code = this.#code;
    let state = this.#state;
    let rep0 = this.#rep0;
    let rep1 = this.#rep1;
    let rep2 = this.#rep2;
    let rep3 = this.#rep3;
    let pos = this.#pos;
    let dict = this.#dict;
    let dictLen = dict.length;
    let dp = this.#dictPos;
    let status: LzmaStatus = 'output';
    const outEnd = pos + LZMA_OUTPUT_CHUNK;
    let prob = 0;
    let bound = 0;
    let m = 0;
    let i = 0;
    let sel = 0;
    let bits = 0;
    let lenBase = 0;
    let len = 0;
    for (;;) {
      if (ip > inEnd) throw truncated(offset + inEnd);
      if (pos >= outEnd) break;
      if (pos >= sizeLimit && !endMarkerOnly) { status = 'size-reached'; break; }
      if (ip > safeEnd || (ip === safeEnd && !inputEnded)) { status = 'need-input'; break; }
      if (dp + 273 > dictLen && dictLen < cap) {
        this.#dictPos = dp;
        this.#reserve(273);
        dict = this.#dict;
        dictLen = dict.length;
      }
      const posState = pos & pbMask;
      i = IS_MATCH + (state << 4) + posState;
      if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
      prob = p[i] as number;
      bound = Math.imul(range >>> 11, prob);
      if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); sel = 0; }
      else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); sel = 1; }
      if (sel === 0) {
        // literal
        const prev = pos > 0 ? (dict[(dp === 0 ? dictLen : dp) - 1] as number) : 0;
        const base = LITERAL + 0x300 * (((pos & lpMask) << lc) + (prev >>> (8 - lc)));
        m = 1;
        if (state >= 7) {
          let back = dp - rep0 - 1;
          if (back < 0) back += dictLen;
          let matchByte = dict[back] as number;
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            i = base + ((1 + matchBit) << 8) + m;
            if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
            prob = p[i] as number;
            bound = Math.imul(range >>> 11, prob);
            if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); m <<= 1; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); m = (m << 1) | 1; }
            if (matchBit !== (m & 1)) break;
          } while (m < 0x100);
        }
        while (m < 0x100) {
          i = base + m;
          if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
          prob = p[i] as number;
          bound = Math.imul(range >>> 11, prob);
          if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); m <<= 1; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); m = (m << 1) | 1; }
        }
        if (pos >= sizeLimit) throw corrupt(offset + ip, 'a literal past the uncompressed size');
        dict[dp++] = m & 0xff;
        if (dp === cap) dp = 0;
        pos++;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }
      i = IS_REP + state;
      if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
      prob = p[i] as number;
      bound = Math.imul(range >>> 11, prob);
      if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); sel = 0; }
      else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); sel = 1; }
      const isRep = sel;
      if (isRep === 1) {
        i = IS_REP_G0 + state;
        if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
        prob = p[i] as number;
        bound = Math.imul(range >>> 11, prob);
        if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); sel = 0; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); sel = 1; }
        if (sel === 0) {
          i = IS_REP_0_LONG + (state << 4) + posState;
          if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
          prob = p[i] as number;
          bound = Math.imul(range >>> 11, prob);
          if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); sel = 0; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); sel = 1; }
          if (sel === 0) {
            // short rep: one byte at distance rep0
            state = state < 7 ? 9 : 11;
            if (pos === 0 || pos >= sizeLimit) throw corrupt(offset + ip, pos === 0 ? 'a repeated byte before any output' : 'a repeated byte past the uncompressed size');
            let back = dp - rep0 - 1;
            if (back < 0) back += dictLen;
            dict[dp++] = dict[back] as number;
            if (dp === cap) dp = 0;
            pos++;
            continue;
          }
        } else {
          let dist: number;
          i = IS_REP_G1 + state;
          if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
          prob = p[i] as number;
          bound = Math.imul(range >>> 11, prob);
          if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); sel = 0; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); sel = 1; }
          if (sel === 0) dist = rep1;
          else {
            i = IS_REP_G2 + state;
            if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
            prob = p[i] as number;
            bound = Math.imul(range >>> 11, prob);
            if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i] = prob + ((2048 - prob) >> 5); sel = 0; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; p[i] = prob - (prob >> 5); sel = 1; }
            if (sel === 0) dist = rep2;
            else {
              dist = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = dist;
        }
      }
      // the length: 2 + 0..271 from the match or the rep length coder
      const coder = isRep === 1 ? REP_LEN_CODER : LEN_CODER;
      if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
      prob = p[coder] as number;
      bound = Math.imul(range >>> 11, prob);
      if ((code >>> 0) < (bound >>> 0)) { range = bound; p[coder] = prob + ((2048 - prob) >> 5); sel = 0; }
      else { range = (range - bound) | 0; code = (code - bound) | 0; p[coder] = prob - (prob >> 5); sel = 1; }
      if (sel === 0) { lenBase = 0; i = coder + LEN_LOW + (posState << 3); bits = 3; }
      else {
        if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
        prob = p[coder + LEN_CHOICE_2] as number;
        bound = Math.imul(range >>> 11, prob);
        if ((code >>> 0) < (bound >>> 0)) { range = bound; p[coder + LEN_CHOICE_2] = prob + ((2048 - prob) >> 5); sel = 0; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; p[coder + LEN_CHOICE_2] = prob - (prob >> 5); sel = 1; }
        if (sel === 0) { lenBase = 8; i = coder + LEN_MID + (posState << 3); bits = 3; }
        else { lenBase = 16; i = coder + LEN_HIGH; bits = 8; }
      }
      m = 1;
      for (let k = 0; k < bits; k++) {
        if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
        prob = p[i + m] as number;
        bound = Math.imul(range >>> 11, prob);
        if ((code >>> 0) < (bound >>> 0)) { range = bound; p[i + m] = prob + ((2048 - prob) >> 5); m <<= 1; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; p[i + m] = prob - (prob >> 5); m = (m << 1) | 1; }
      }
      len = lenBase + m - (1 << bits);
      if (isRep === 1) state = state < 7 ? 8 : 11;
      else {
        // a match with a new distance: slot, then reverse-coded or direct + aligned low bits
        state = state < 7 ? 7 : 10;
        const slotBase = POS_SLOT + ((len < 3 ? len : 3) << 6);
        m = 1;
        for (let k = 0; k < 6; k++) {
          if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
          prob = p[slotBase + m] as number;
          bound = Math.imul(range >>> 11, prob);
          if ((code >>> 0) < (bound >>> 0)) { range = bound; p[slotBase + m] = prob + ((2048 - prob) >> 5); m <<= 1; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; p[slotBase + m] = prob - (prob >> 5); m = (m << 1) | 1; }
        }
        const slot = m - 64;
        let dist: number;
        if (slot < 4) dist = slot;
        else {
          const direct = (slot >>> 1) - 1;
          dist = (2 | (slot & 1)) * 2 ** direct;
          if (slot < 14) {
            const specBase = SPEC_POS + dist - slot - 1;
            m = 1;
            for (let k = 0; k < direct; k++) {
              if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
              prob = p[specBase + m] as number;
              bound = Math.imul(range >>> 11, prob);
              if ((code >>> 0) < (bound >>> 0)) { range = bound; p[specBase + m] = prob + ((2048 - prob) >> 5); m <<= 1; }
              else { range = (range - bound) | 0; code = (code - bound) | 0; p[specBase + m] = prob - (prob >> 5); m = (m << 1) | 1; dist += 1 << k; }
            }
          } else {
            for (let k = direct - 4; k > 0; k--) {
              if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
              range >>>= 1; // below 2^31 now: a plain int32
              if ((code >>> 0) >= range) {
                code = (code - range) | 0;
                dist += 2 ** (k + 3);
              }
            }
            m = 1;
            for (let k = 0; k < 4; k++) {
              if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
              prob = p[ALIGN + m] as number;
              bound = Math.imul(range >>> 11, prob);
              if ((code >>> 0) < (bound >>> 0)) { range = bound; p[ALIGN + m] = prob + ((2048 - prob) >> 5); m <<= 1; }
              else { range = (range - bound) | 0; code = (code - bound) | 0; p[ALIGN + m] = prob - (prob >> 5); m = (m << 1) | 1; dist += 1 << k; }
            }
          }
        }
        if (ip > inEnd) throw truncated(offset + inEnd);
        if (dist === END_MARKER_DISTANCE) {
          if (range >>> 24 === 0) { range <<= 8; code = (code << 8) | (input[ip++] as number); }
          if (ip > inEnd) throw truncated(offset + inEnd);
          if (code !== 0) throw corrupt(offset + ip, 'the range coder is not finished at the end marker');
          status = 'end-marker';
          break;
        }
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        rep0 = dist;
      }
      if (ip > inEnd) throw truncated(offset + inEnd);
      // copy len + 2 bytes from distance rep0 + 1
      if (rep0 >= pos || rep0 >= dictSize) throw corrupt(offset + ip, `a match distance ${rep0 + 1} beyond the ${Math.min(pos, dictSize)} bytes available`);
      let n = len + 2;
      if (pos + n > sizeLimit) throw corrupt(offset + ip, 'a match past the uncompressed size');
      let from = dp - rep0 - 1;
      if (from < 0) from += dictLen;
      pos += n;
      if (from + n <= dictLen && dp + n <= dictLen && (from + n <= dp || from >= dp + n)) {
        dict.copyWithin(dp, from, from + n); // no wrap, no overlap: one block move
        dp += n;
        if (dp === cap) dp = 0;
      } else {
        for (; n > 0; n--) {
          dict[dp++] = dict[from++] as number;
          if (dp === cap) dp = 0;
          if (from === dictLen) from = 0;
        }
      }
    }
    this.#range = range;
    this.#code = code;
    this.#state = state;
    this.#rep0 = rep0;
    this.#rep1 = rep1;
    this.#rep2 = rep2;
    this.#rep3 = rep3;
    this.#pos = pos;
    this.#dictPos = dp;
    return { inPos: ip, status };
  }

  /**
   * After 'size-reached': normalize once more and say whether the range coder is finished (code 0),
   * i.e. the data ends here (LZMA2 chunks require it; a known-size LZMA-alone stream may instead
   * continue with an end marker).
   */
  finish(input: Uint8Array, inPos: number, inEnd: number, offset: number): { inPos: number; finished: boolean } {
    let ip = inPos;
    if (this.#range >>> 24 === 0) {
      if (ip >= inEnd) throw truncated(offset + ip);
      this.#code = (this.#code << 8) | (input[ip++] as number);
      this.#range <<= 8;
    }
    return { inPos: ip, finished: this.#code === 0 };
  }
}

function truncated(offset: number): RemasterError {
  return new RemasterError('CODEC_TRUNCATED', 'LZMA data ends early', { offset });
}

/**
 * Re-anchor an in-process decoder's error on the member start (errors in compressed segments name
 * the segment's offset, STYLE.md §1.6) and keep the exact byte in the text.
 */
export function memberError(err: unknown, start: number, codec: string): unknown {
  if (!(err instanceof RemasterError) || err.offset === undefined || err.segment !== undefined) return err;
  const detail = `${codec} member: ${err.detail}${err.offset > start ? ` (byte ${err.offset - start} of the member)` : ''}`;
  return new RemasterError(err.code, detail, { offset: start }, { cause: err });
}

/** A CODEC_CORRUPT error for LZMA data. */
export function corrupt(offset: number, what: string): RemasterError {
  return new RemasterError('CODEC_CORRUPT', `LZMA data is corrupt: ${what}`, { offset });
}
