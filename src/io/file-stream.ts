/**
 * File-backed byte streams: read a file as an AsyncIterable of chunks and
 * write an AsyncIterable to a file atomically (temporary name in the same
 * directory, fsync, rename), so a failed or interrupted write never leaves a
 * half-written output under the final name.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { access, open, rename, unlink, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RemasterError } from '../errors.ts';
import { toIoError, withIoContext } from './io-error.ts';

/** Read a file as chunks (64 KiB by default). */
export async function* readFileChunks(path: string, options: { start?: number; end?: number; highWaterMark?: number } = {}): AsyncGenerator<Uint8Array> {
  try {
    await stat(path);
  } catch (err) {
    throw new RemasterError('INPUT_NOT_FOUND', `cannot open: ${(err as Error).message}`, { file: path }, { cause: err });
  }
  const stream = createReadStream(path, {
    highWaterMark: options.highWaterMark ?? 1 << 20,
    ...(options.start !== undefined ? { start: options.start } : {}),
    ...(options.end !== undefined ? { end: options.end } : {}),
  });
  for await (const chunk of stream) yield new Uint8Array((chunk as Buffer).buffer, (chunk as Buffer).byteOffset, (chunk as Buffer).byteLength);
}

/** Options for writeFileAtomic. */
export interface AtomicWriteOptions {
  /** File mode for the new file (default 0o644). */
  mode?: number;
  /** Refuse to replace an existing file. */
  noClobber?: boolean;
  /** Abort the write; the temporary file is removed. */
  signal?: AbortSignal;
}

function outputProblem(err: unknown, dir: string): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return `output directory ${JSON.stringify(dir)} does not exist`;
    case 'ENOTDIR': return `output directory ${JSON.stringify(dir)} is not a directory`;
    case 'EACCES': case 'EPERM': return `output directory ${JSON.stringify(dir)} is not writable (permission denied)`;
    case 'EROFS': return `output directory ${JSON.stringify(dir)} is on a read-only file system`;
    default: return `cannot write into ${JSON.stringify(dir)}: ${(err as Error).message}`;
  }
}

/**
 * Check that a file can be written at `path` before any long work: its directory exists, is a
 * directory and is writable, and `path` itself is not a directory. Throws OUTPUT_NOT_WRITABLE.
 */
export async function checkOutputFile(path: string): Promise<void> {
  const dir = dirname(path);
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new RemasterError('OUTPUT_NOT_WRITABLE', outputProblem(err, dir), { file: path }, { cause: err });
  }
  if ((await stat(path).catch(() => undefined))?.isDirectory()) {
    throw new RemasterError('OUTPUT_NOT_WRITABLE', 'the output is a directory, expected a file name', { file: path });
  }
}

/** Write chunks to `path` atomically; return the number of bytes written. A disk error names `path` (DISK_FULL, IO_ERROR). */
export async function writeFileAtomic(
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<number> {
  if (options.noClobber) {
    const exists = await stat(path).then(() => true, () => false);
    if (exists) throw new RemasterError('OUTPUT_EXISTS', 'output file exists', { file: path });
  }
  // node:crypto is loaded on first write: commands that only read never pay for it (start-up time).
  const { randomBytes } = await import('node:crypto');
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await withIoContext('create', path, () => open(tmp, 'wx', options.mode ?? 0o644));
  let written = 0;
  let ok = false;
  try {
    for await (const chunk of chunks) {
      options.signal?.throwIfAborted();
      let pos = 0;
      while (pos < chunk.length) {
        const { bytesWritten } = await withIoContext('write', path, () => handle.write(chunk, pos, chunk.length - pos));
        pos += bytesWritten;
      }
      written += chunk.length;
    }
    await withIoContext('write', path, () => handle.sync());
    ok = true;
  } finally {
    await handle.close().catch(() => {});
    if (!ok) await unlink(tmp).catch(() => {});
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw toIoError(err, 'rename into place', path);
  }
  return written;
}

/** A re-readable file: `open()` streams the whole file or a byte range [start, end). */
export interface FileRangeSource {
  name: string;
  open(range?: { start: number; end: number }): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/**
 * Chunks that can also move forward without reading: ByteReader.skip() calls
 * `seekForward` for bytes it would otherwise read and discard (the role of
 * 3cpio's SeekForward), so listing an uncompressed archive reads headers,
 * not file bodies.
 */
export interface SeekableChunks extends AsyncIterable<Uint8Array> {
  /** Move the read position `n` bytes forward (only past bytes not yet handed out); return how far it moved (less at the end). */
  seekForward(n: number): Promise<number>;
}

/** Return true when `source` can seek forward. */
export function isSeekable(source: unknown): source is SeekableChunks {
  return typeof (source as Partial<SeekableChunks> | undefined)?.seekForward === 'function';
}

/** Largest read; reads start small (after a seek the next header is near) and double up to it. */
const MAX_READ = 1 << 20;
const MIN_READ = 16 << 10;

/** Options for readFileSeekable() and fileRangeSource(). */
export interface SeekableReadOptions {
  /**
   * Read with blocking positioned reads (readSync) instead of the thread
   * pool. For a process that has nothing else to do meanwhile (the CLI): a
   * listing makes hundreds of small reads after seeks, and each thread-pool
   * round trip costs several times the read itself (BENCHMARKS.md). Reads
   * are at most 1 MiB, so the event loop is never held for long.
   */
  blocking?: boolean;
}

/** The few file operations a seekable read needs, over a promise handle or a descriptor. */
interface PositionedFile {
  read(buffer: Uint8Array, position: number): Promise<number> | number;
  size(): Promise<number> | number;
  close(): Promise<void> | void;
}

async function openPositioned(path: string, blocking: boolean): Promise<PositionedFile> {
  if (blocking) {
    const fd = openSync(path, 'r');
    return {
      read: (buffer, position) => readSync(fd, buffer, 0, buffer.length, position),
      size: () => fstatSync(fd).size,
      close: () => closeSync(fd),
    };
  }
  const handle: FileHandle = await open(path, 'r');
  return {
    read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
}

/**
 * Read bytes [start, end) of a file with positioned reads, as seekable
 * chunks. Every chunk is a fresh buffer. The file is opened on the first
 * read and closed at the end or when the consumer stops.
 */
export function readFileSeekable(path: string, range: { start?: number; end?: number } = {}, options: SeekableReadOptions = {}): SeekableChunks {
  let position = range.start ?? 0;
  let end = range.end;
  let readSize = MIN_READ;
  let file: PositionedFile | undefined;
  let isClosed = false;
  const ensureOpen = async (): Promise<PositionedFile> => {
    if (file !== undefined) return file;
    try {
      file = await openPositioned(path, options.blocking === true);
    } catch (err) {
      throw new RemasterError('INPUT_NOT_FOUND', `cannot open: ${(err as Error).message}`, { file: path }, { cause: err });
    }
    end = Math.min(end ?? Number.POSITIVE_INFINITY, await file.size());
    return file;
  };
  const close = async (): Promise<void> => {
    isClosed = true;
    const f = file;
    file = undefined;
    await f?.close();
  };
  const iterator: AsyncIterator<Uint8Array> = {
    async next() {
      if (isClosed) return { done: true, value: undefined };
      const f = await ensureOpen();
      const want = Math.min(readSize, (end as number) - position);
      if (want <= 0) {
        await close();
        return { done: true, value: undefined };
      }
      // Not zero-filled, never from the shared pool: the read fills it and the chunk owns its memory.
      const raw = Buffer.allocUnsafeSlow(want);
      const buffer = new Uint8Array(raw.buffer, raw.byteOffset, want);
      const bytesRead = await f.read(buffer, position);
      if (bytesRead === 0) {
        await close();
        return { done: true, value: undefined };
      }
      position += bytesRead;
      readSize = Math.min(MAX_READ, readSize * 2);
      return { done: false, value: buffer.subarray(0, bytesRead) };
    },
    async return() {
      await close();
      return { done: true, value: undefined };
    },
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    async seekForward(n: number): Promise<number> {
      if (isClosed || n <= 0) return 0;
      await ensureOpen();
      const moved = Math.max(0, Math.min(n, (end as number) - position));
      position += moved;
      readSize = MIN_READ;
      return moved;
    },
  };
}

/** Describe a file as a re-readable source (used for initrds read twice: scan, then write); reads can seek forward. */
export function fileRangeSource(path: string, options: SeekableReadOptions = {}): FileRangeSource {
  return {
    name: path,
    open(range) {
      if (range && range.end <= range.start) return [];
      return readFileSeekable(path, range ? { start: range.start, end: range.end } : {}, options);
    },
  };
}

/** Describe in-memory bytes as a re-readable source. */
export function bytesRangeSource(name: string, bytes: Uint8Array): FileRangeSource {
  return {
    name,
    open(range) {
      return [range ? bytes.subarray(range.start, range.end) : bytes];
    },
  };
}
