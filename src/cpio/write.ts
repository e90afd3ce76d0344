/**
 * Streaming newc/crc cpio writer: header, NUL-terminated name padded to 4,
 * data padded to 4, and a TRAILER!!! entry (buffer-format.rst). Small pieces
 * are coalesced into large chunks so compressors downstream see few writes.
 */
import { RemasterError } from '../errors.ts';
import {
  CPIO_HEADER_SIZE,
  CPIO_MAGIC_CRC,
  CPIO_MAGIC_NEWC,
  CPIO_MAX_FIELD,
  CPIO_TRAILER_NAME,
  dataPadding,
  encodeCpioHeader,
  namePadding,
  type CpioHeader,
  type CpioMagic,
} from './header.ts';
import { S_IFMT, S_IFREG } from './mode.ts';

/** Header fields a writer needs; nameSize is computed, check is computed for 070702. */
export type CpioWriteHeader = Omit<CpioHeader, 'magic' | 'nameSize' | 'check'> & { check?: number };

/** One entry to write. */
export interface CpioWriteEntry {
  name: string;
  /** Exact name bytes (without NUL); overrides `name` for byte-exact rewrites. */
  nameBytes?: Uint8Array;
  header: CpioWriteHeader;
  /** Data: exactly header.fileSize bytes. */
  body?: Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** Options for writeCpio. */
export interface WriteCpioOptions {
  /** 070701 (default) or 070702 (checksummed; kernels >= 5.17 only). */
  magic?: CpioMagic;
  /** End with TRAILER!!! (default true). */
  trailer?: boolean;
  /** Size of output chunks (default 256 KiB). */
  chunkSize?: number;
}

const encoder = new TextEncoder();

/** Collects small writes into large chunks. */
class Coalescer {
  #buf: Uint8Array;
  #pos = 0;
  constructor(size: number) {
    this.#buf = new Uint8Array(size);
  }
  /** Append bytes; return full chunks that are ready to emit. */
  push(bytes: Uint8Array, out: Uint8Array[]): void {
    if (bytes.length >= this.#buf.length / 2) {
      this.flush(out);
      out.push(bytes);
      return;
    }
    if (this.#pos + bytes.length > this.#buf.length) this.flush(out);
    this.#buf.set(bytes, this.#pos);
    this.#pos += bytes.length;
  }
  flush(out: Uint8Array[]): void {
    if (this.#pos === 0) return;
    out.push(this.#buf.slice(0, this.#pos));
    this.#pos = 0;
  }
}

async function* bodyChunks(body: CpioWriteEntry['body']): AsyncGenerator<Uint8Array> {
  if (body === undefined) return;
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  yield* body as AsyncIterable<Uint8Array>;
}

function sumBytes(sum: number, chunk: Uint8Array): number {
  let s = sum;
  for (let i = 0; i < chunk.length; i++) s += chunk[i] as number;
  return s >>> 0;
}

async function checksumOf(entry: CpioWriteEntry): Promise<{ check: number; body: Uint8Array[] | CpioWriteEntry['body'] }> {
  if ((entry.header.mode & S_IFMT) !== S_IFREG || entry.header.check !== undefined) {
    return { check: entry.header.check ?? 0, body: entry.body };
  }
  const parts: Uint8Array[] = [];
  let sum = 0;
  for await (const c of bodyChunks(entry.body)) {
    parts.push(c);
    sum = sumBytes(sum, c);
  }
  return { check: sum, body: parts };
}

/** Write entries as one cpio archive; yield the archive bytes. */
export async function* writeCpio(
  entries: AsyncIterable<CpioWriteEntry> | Iterable<CpioWriteEntry>,
  options: WriteCpioOptions = {},
): AsyncGenerator<Uint8Array> {
  const magic = options.magic ?? CPIO_MAGIC_NEWC;
  const co = new Coalescer(options.chunkSize ?? 1 << 18);
  const out: Uint8Array[] = [];
  let offset = 0;
  const put = (b: Uint8Array) => {
    co.push(b, out);
    offset += b.length;
  };
  for await (const entry of entries) {
    let body = entry.body;
    let check = 0;
    if (magic === CPIO_MAGIC_CRC) ({ check, body } = await checksumOf(entry));
    const nameBytes = entry.nameBytes ?? encoder.encode(entry.name);
    put(encodeCpioHeader({ ...entry.header, magic, nameSize: nameBytes.length + 1, check }));
    put(nameBytes);
    put(new Uint8Array(1 + namePadding(offset - nameBytes.length - CPIO_HEADER_SIZE, nameBytes.length + 1)));
    let written = 0;
    for await (const chunk of bodyChunks(body)) {
      written += chunk.length;
      if (written > entry.header.fileSize) break;
      put(chunk);
      if (out.length > 0) yield* out.splice(0);
    }
    if (written !== entry.header.fileSize) {
      throw new RemasterError('CPIO_BAD_HEADER', `entry body has ${written > entry.header.fileSize ? 'more' : 'fewer'} bytes than its declared size ${entry.header.fileSize}`, { entry: entry.name });
    }
    put(new Uint8Array(dataPadding(entry.header.fileSize)));
    if (out.length > 0) yield* out.splice(0);
  }
  if (options.trailer ?? true) {
    const name = encoder.encode(CPIO_TRAILER_NAME);
    const trailer: CpioHeader = { magic, ino: 0, mode: 0, uid: 0, gid: 0, nlink: 1, mtime: 0, fileSize: 0, devMajor: 0, devMinor: 0, rdevMajor: 0, rdevMinor: 0, nameSize: name.length + 1, check: 0 };
    put(encodeCpioHeader(trailer));
    put(name);
    put(new Uint8Array(1 + namePadding(offset - name.length - CPIO_HEADER_SIZE, name.length + 1)));
  }
  co.flush(out);
  yield* out.splice(0);
}

/** Return true when a size fits the 32-bit newc size field. */
export function fitsCpio(size: number): boolean {
  return size <= CPIO_MAX_FIELD;
}
