/**
 * Streaming newc/crc cpio reader: one archive, entry by entry, up to and
 * including TRAILER!!! (buffer-format.rst grammar: cpio_file* + trailer).
 *
 * Entry bodies are pulled lazily from the same ByteReader: a body is valid
 * only until the next entry is requested, and an unread body is skipped, so a
 * consumer can never stall the parser. Names and symlink targets are bounded
 * before allocation (maxNameSize, like the kernel's PATH_MAX).
 */
import { RemasterError, emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import {
  CPIO_HEADER_SIZE,
  CPIO_MAGIC_CRC,
  CPIO_TRAILER_NAME,
  dataPadding,
  decodeCpioHeader,
  namePadding,
  type CpioHeader,
} from './header.ts';
import { S_IFLNK, S_IFMT, S_IFREG, typeOfMode, type EntryType } from './mode.ts';

/** Size bounds applied while reading untrusted archives. */
export interface CpioLimits {
  /** Longest name including NUL (default 4096, the kernel's PATH_MAX). */
  maxNameSize?: number;
  /** Largest single entry body in bytes (default 4 GiB - 1, the newc field limit). */
  maxEntrySize?: number;
}

export const DEFAULT_MAX_NAME_SIZE = 4096;

/** Options for readCpio. */
export interface ReadCpioOptions extends WarnOptions {
  limits?: CpioLimits;
  /** Filled while reading: whether a trailer ended the archive and where the archive ended. */
  stats?: CpioReadStats;
}

/** What readCpio observed about the archive as a whole. */
export interface CpioReadStats {
  hasTrailer: boolean;
  /** Offset just past the last byte of the archive (after the trailer's padding). */
  end: number;
  entries: number;
}

/** One archive entry. `body` is readable only until the next entry is requested. */
export interface CpioEntry {
  header: CpioHeader;
  /** Path as stored, decoded as UTF-8 (Latin-1 when the bytes are not valid UTF-8). */
  name: string;
  /** The stored name bytes without the NUL, for byte-exact rewriting. */
  nameBytes: Uint8Array;
  type: EntryType | undefined;
  /** Offset of the header, in the reader's coordinates. */
  offset: number;
  /** Symlink target (read eagerly: it is at most maxNameSize bytes). */
  linkTarget?: string;
  /** The entry's data as chunks; skipped automatically when left unread. */
  body: AsyncIterable<Uint8Array>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Decode name bytes as UTF-8, or Latin-1 when invalid. */
export function decodeName(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

/** Return true when the next bytes look like a cpio header start ("0707"). */
export function looksLikeCpio(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x30 && head[1] === 0x37 && head[2] === 0x30 && head[3] === 0x37;
}

/**
 * Read one archive from `reader`, which must be positioned at a header start.
 * Stops after TRAILER!!! or, without a trailer, before the first bytes that
 * do not start with "0707" (the next segment or padding).
 */
export async function* readCpio(reader: ByteReader, options: ReadCpioOptions = {}): AsyncGenerator<CpioEntry> {
  const maxName = options.limits?.maxNameSize ?? DEFAULT_MAX_NAME_SIZE;
  const maxEntry = options.limits?.maxEntrySize ?? 0xffffffff;
  const start = reader.offset;
  const stats = options.stats ?? { hasTrailer: false, end: start, entries: 0 };
  stats.hasTrailer = false;
  stats.entries = 0;
  for (;;) {
    const head = await reader.peek(6);
    if (!looksLikeCpio(head)) break;
    const at = reader.offset;
    const header = decodeCpioHeader(await reader.readExact(CPIO_HEADER_SIZE, 'cpio header', 'CPIO_TRUNCATED'), 0, at);
    const nameBytes = await readName(reader, header, at, maxName);
    const name = decodeName(nameBytes);
    await skipExact(reader, namePadding(at - start, header.nameSize), at, name);
    if (name === CPIO_TRAILER_NAME) {
      stats.hasTrailer = true;
      break;
    }
    if (header.fileSize > maxEntry) {
      throw new RemasterError('LIMIT_EXCEEDED', `entry size ${header.fileSize} exceeds maxEntrySize ${maxEntry}`, { offset: at, entry: name });
    }
    stats.entries++;
    yield* emitEntry(reader, header, name, nameBytes, at, maxName, options);
  }
  stats.end = reader.offset;
}

async function* emitEntry(
  reader: ByteReader,
  header: CpioHeader,
  name: string,
  nameBytes: Uint8Array,
  at: number,
  maxName: number,
  options: WarnOptions,
): AsyncGenerator<CpioEntry> {
  const isLink = (header.mode & S_IFMT) === S_IFLNK;
  if (!isLink && (header.mode & S_IFMT) !== S_IFREG && header.fileSize > 0) {
    emitWarning(options, makeWarning('CPIO_BAD_HEADER', `non-regular entry carries ${header.fileSize} data bytes (the kernel skips it)`, { offset: at, entry: name }));
  }
  const entry: CpioEntry = { header, name, nameBytes, type: typeOfMode(header.mode), offset: at, body: once(new Uint8Array(0)) };
  let remaining = header.fileSize;
  let sum = 0;
  const wantSum = header.magic === CPIO_MAGIC_CRC && (header.mode & S_IFMT) === S_IFREG;
  if (isLink) {
    if (header.fileSize > maxName) {
      throw new RemasterError('LIMIT_EXCEEDED', `symlink target of ${header.fileSize} bytes exceeds maxNameSize ${maxName}`, { offset: at, entry: name });
    }
    const target = await readBody(reader, header.fileSize, at, name);
    remaining = 0;
    entry.linkTarget = decodeName(target);
    entry.body = once(target.slice());
  } else {
    entry.body = {
      [Symbol.asyncIterator]: async function* () {
        while (remaining > 0) {
          const chunk = await reader.readSome(remaining);
          if (chunk.length === 0) throw truncated(at, name, remaining);
          remaining -= chunk.length;
          if (wantSum) sum = addSum(sum, chunk);
          yield chunk;
        }
      },
    };
  }
  yield entry;
  // An unread body without a checksum to verify is skipped, which seeks on a file source.
  if (!wantSum && remaining > 0) {
    const skipped = await reader.skip(remaining);
    if (skipped !== remaining) throw truncated(at, name, remaining - skipped);
    remaining = 0;
  }
  while (remaining > 0) {
    const chunk = await reader.readSome(remaining);
    if (chunk.length === 0) throw truncated(at, name, remaining);
    remaining -= chunk.length;
    if (wantSum) sum = addSum(sum, chunk);
  }
  if (wantSum && sum !== header.check) {
    emitWarning(options, makeWarning('CPIO_BAD_CHECKSUM', `data checksum 0x${sum.toString(16)} does not match header 0x${header.check.toString(16)}`, { offset: at, entry: name }));
  }
  await skipExact(reader, dataPadding(header.fileSize), at, name);
}

function addSum(sum: number, chunk: Uint8Array): number {
  let s = sum;
  for (let i = 0; i < chunk.length; i++) s += chunk[i] as number;
  return s >>> 0;
}

function truncated(at: number, name: string, remaining: number): RemasterError {
  return new RemasterError('CPIO_TRUNCATED', `archive ends inside the entry's data (${remaining} bytes missing)`, { offset: at, entry: name });
}

async function readName(reader: ByteReader, header: CpioHeader, at: number, maxName: number): Promise<Uint8Array> {
  if (header.nameSize === 0 || header.nameSize > maxName) {
    throw new RemasterError('LIMIT_EXCEEDED', `name size ${header.nameSize} is outside 1..${maxName}`, { offset: at });
  }
  let raw: Uint8Array;
  try {
    raw = await reader.readExact(header.nameSize, 'cpio name');
  } catch (err) {
    throw new RemasterError('CPIO_TRUNCATED', `archive ends inside an entry name`, { offset: at }, { cause: err });
  }
  if (raw[raw.length - 1] !== 0) {
    // Newer kernels reject such names as "malformed archive"; a reader that guessed would desynchronise.
    throw new RemasterError('CPIO_NAME_UNTERMINATED', `entry name of ${header.nameSize} bytes is not NUL-terminated`, { offset: at });
  }
  return raw.slice(0, raw.length - 1);
}

async function readBody(reader: ByteReader, size: number, at: number, name: string): Promise<Uint8Array> {
  try {
    return await reader.readExact(size, 'entry data');
  } catch (err) {
    throw new RemasterError('CPIO_TRUNCATED', `archive ends inside the entry's data (${size} bytes expected)`, { offset: at, entry: name }, { cause: err });
  }
}

async function skipExact(reader: ByteReader, n: number, at: number, name: string): Promise<void> {
  if (n === 0) return;
  const skipped = await reader.skip(n);
  if (skipped !== n) throw truncated(at, name, n - skipped);
}

function once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]: async function* () {
      if (bytes.length > 0) yield bytes;
    },
  };
}
