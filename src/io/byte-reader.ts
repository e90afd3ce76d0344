/**
 * ByteReader: a pull reader over an AsyncIterable<Uint8Array> with a running
 * offset. Every format reader uses it so that errors can name the exact byte
 * where input went wrong, and so that chunk boundaries never matter (tests
 * re-chunk inputs down to one byte).
 *
 * Reads return views into the source chunks when a request fits in one chunk
 * and a fresh copy otherwise; a caller that keeps bytes past the next read
 * must copy them (the source may reuse its buffers).
 */
import { RemasterError, type ErrorCode } from '../errors.ts';
import { isSeekable } from './file-stream.ts';

const EMPTY = new Uint8Array(0);

/** Pull reader with readExact / peek / skip and an absolute offset. */
export class ByteReader {
  #iterator: AsyncIterator<Uint8Array>;
  /** The source's forward seek, when it has one (file sources). */
  #seek: ((n: number) => Promise<number>) | undefined;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #done = false;
  #offset: number;

  /** Wrap a source; `startOffset` is the absolute offset of its first byte (for error messages). */
  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, startOffset = 0) {
    this.#iterator =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
        : toAsync(source as Iterable<Uint8Array>);
    this.#seek = isSeekable(source) ? (n) => source.seekForward(n) : undefined;
    this.#offset = startOffset;
  }

  /** Absolute offset of the next unread byte. */
  get offset(): number {
    return this.#offset;
  }

  /** Bytes already pulled from the source and not yet consumed. */
  get buffered(): number {
    return this.#buffered;
  }

  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    for (;;) {
      const next = await this.#iterator.next();
      if (next.done) {
        this.#done = true;
        return false;
      }
      const chunk = next.value;
      if (chunk.length === 0) continue;
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      return true;
    }
  }

  /** Make at least `n` bytes available; return false if the source ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.#buffered < n) if (!(await this.#pull())) return false;
    return true;
  }

  /** Return true when no byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Return up to `n` bytes without consuming them (fewer only at the end of input). */
  async peek(n: number): Promise<Uint8Array> {
    await this.fill(n);
    return this.#gather(Math.min(n, this.#buffered), false);
  }

  /** Consume exactly `n` bytes or throw `code` (default CODEC_TRUNCATED) naming the offset. */
  async readExact(n: number, what = 'data', code: ErrorCode = 'CODEC_TRUNCATED'): Promise<Uint8Array> {
    if (n === 0) return EMPTY;
    if (!(await this.fill(n))) {
      throw new RemasterError(
        code,
        `unexpected end of input reading ${what}: needed ${n} bytes, ${this.#buffered} left`,
        { offset: this.#offset },
      );
    }
    return this.#gather(n, true);
  }

  /**
   * Consume and return up to `n` bytes (fewer only at the end of input), coalescing small source
   * chunks. Decoder feeds use it so that `offset` already counts every byte handed to a decoder:
   * ratio checks then never see output without the input that produced it.
   */
  async readUpTo(n: number): Promise<Uint8Array> {
    await this.fill(n);
    return this.#gather(Math.min(n, this.#buffered), true);
  }

  /** Consume and return at most `max` bytes from the current chunk (no copy); empty at end of input. */
  async readSome(max: number): Promise<Uint8Array> {
    if (max <= 0) return EMPTY;
    if (this.#buffered === 0 && !(await this.#pull())) return EMPTY;
    const head = this.#chunks[0] as Uint8Array;
    if (head.length <= max) {
      this.#chunks.shift();
      this.#buffered -= head.length;
      this.#offset += head.length;
      return head;
    }
    this.#chunks[0] = head.subarray(max);
    this.#buffered -= max;
    this.#offset += max;
    return head.subarray(0, max);
  }

  /**
   * Consume `n` bytes; return how many were actually skipped (fewer only at
   * the end of input). Past the buffered bytes, a seekable source moves
   * forward without reading.
   */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && this.#buffered > 0) left -= (await this.readSome(left)).length;
    if (left > 0 && this.#seek !== undefined && !this.#done) {
      const moved = await this.#seek(left);
      this.#offset += moved;
      left -= moved;
    }
    while (left > 0) {
      const got = await this.readSome(left);
      if (got.length === 0) break;
      left -= got.length;
    }
    return n - left;
  }

  /** Consume everything left and return it as one array. */
  async readAll(): Promise<Uint8Array> {
    while (await this.#pull());
    return this.#gather(this.#buffered, true);
  }

  /** Hand back bytes not consumed plus the rest of the source, as a new iterable. */
  async *rest(): AsyncGenerator<Uint8Array> {
    while (this.#chunks.length > 0) {
      const c = this.#chunks.shift() as Uint8Array;
      this.#buffered -= c.length;
      this.#offset += c.length;
      yield c;
    }
    while (await this.#pull()) {
      const c = this.#chunks.shift() as Uint8Array;
      this.#buffered -= c.length;
      this.#offset += c.length;
      yield c;
    }
  }

  /** Put bytes back in front of the stream (used when a decoder over-read). */
  unshift(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#chunks.unshift(bytes);
    this.#buffered += bytes.length;
    this.#offset -= bytes.length;
  }

  /** Stop the underlying source. */
  async close(): Promise<void> {
    this.#chunks = [];
    this.#buffered = 0;
    if (!this.#done) {
      this.#done = true;
      await this.#iterator.return?.();
    }
  }

  #gather(n: number, consume: boolean): Uint8Array {
    if (n === 0) return EMPTY;
    const head = this.#chunks[0] as Uint8Array;
    let out: Uint8Array;
    if (head.length >= n) {
      out = head.subarray(0, n);
      if (consume) {
        if (head.length === n) this.#chunks.shift();
        else this.#chunks[0] = head.subarray(n);
      }
    } else {
      out = new Uint8Array(n);
      let pos = 0;
      let i = 0;
      while (pos < n) {
        const c = this.#chunks[i] as Uint8Array;
        const take = Math.min(c.length, n - pos);
        out.set(c.subarray(0, take), pos);
        pos += take;
        if (consume) {
          if (take === c.length) {
            this.#chunks.shift();
            continue;
          }
          this.#chunks[0] = c.subarray(take);
        } else {
          i++;
        }
      }
    }
    if (consume) {
      this.#buffered -= n;
      this.#offset += n;
    }
    return out;
  }
}

async function* toAsyncGen(source: Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* source;
}

function toAsync(source: Iterable<Uint8Array>): AsyncIterator<Uint8Array> {
  return toAsyncGen(source)[Symbol.asyncIterator]();
}
