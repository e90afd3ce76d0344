/**
 * BlockSource: random access to bytes, for formats addressed by offset (ISO
 * sectors, initrd segments inside an ISO). Backed by a file handle or by
 * bytes in memory. Counts bytes read so tests and benchmarks can prove a
 * reader touched only what it needed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { RemasterError } from '../errors.ts';

/** A read-only byte source of fixed size with random access (what a TFTP transfer serves from). */
export interface RandomReadSource {
  /** Total size in bytes, fixed when the source was opened. */
  readonly size: number;
  /** Read exactly `length` bytes at `offset`; throws past the end. */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the underlying handle, if any. */
  close(): Promise<void>;
}

/** Random-access byte source that counts what it delivered. */
export interface BlockSource extends RandomReadSource {
  /** Bytes delivered by read() so far. */
  readonly bytesRead: number;
}

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new RemasterError(
      'CODEC_TRUNCATED',
      `read of ${length} bytes at 0x${offset.toString(16)} is past the end of the source (${size} bytes)`,
      { offset },
    );
  }
}

/** Wrap in-memory bytes as a BlockSource. */
export function bytesSource(bytes: Uint8Array): BlockSource {
  let bytesRead = 0;
  return {
    size: bytes.length,
    get bytesRead() {
      return bytesRead;
    },
    async read(offset, length) {
      checkRange(bytes.length, offset, length);
      bytesRead += length;
      return bytes.subarray(offset, offset + length);
    },
    async close() {},
  };
}

/** Open a file as a BlockSource. */
export async function openFileSource(path: string): Promise<BlockSource> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new RemasterError('INPUT_NOT_FOUND', `cannot open: ${(err as Error).message}`, { file: path }, { cause: err });
  }
  const { size } = await handle.stat();
  return fileHandleSource(handle, size, path);
}

/** Wrap an open file handle as a BlockSource of `size` bytes; close() closes the handle; `path` names it in errors. */
export function fileHandleSource(handle: FileHandle, size: number, path: string): BlockSource {
  let bytesRead = 0;
  return {
    size,
    get bytesRead() {
      return bytesRead;
    },
    async read(offset, length) {
      checkRange(size, offset, length);
      const buf = new Uint8Array(length);
      let pos = 0;
      while (pos < length) {
        const { bytesRead: n } = await handle.read(buf, pos, length - pos, offset + pos);
        if (n === 0) throw new RemasterError('CODEC_TRUNCATED', 'file shrank while reading', { offset: offset + pos, file: path });
        pos += n;
      }
      bytesRead += length;
      return buf;
    },
    async close() {
      await handle.close();
    },
  };
}

/** Stream `length` bytes from `offset` of a BlockSource in chunks of `chunkSize`. */
export async function* readRange(
  source: BlockSource,
  offset: number,
  length: number,
  chunkSize = 1 << 20,
): AsyncGenerator<Uint8Array> {
  let pos = 0;
  while (pos < length) {
    const n = Math.min(chunkSize, length - pos);
    yield await source.read(offset + pos, n);
    pos += n;
  }
}
