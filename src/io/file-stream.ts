/**
 * File-backed byte streams: read a file as an AsyncIterable of chunks and
 * write an AsyncIterable to a file atomically (temporary name in the same
 * directory, fsync, rename), so a failed or interrupted write never leaves a
 * half-written output under the final name.
 */
import { createReadStream } from 'node:fs';
import { constants } from 'node:fs';
import { access, open, rename, unlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RemasterError } from '../errors.ts';

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

/** Write chunks to `path` atomically; return the number of bytes written. */
export async function writeFileAtomic(
  path: string,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: AtomicWriteOptions = {},
): Promise<number> {
  if (options.noClobber) {
    const exists = await stat(path).then(() => true, () => false);
    if (exists) throw new RemasterError('OUTPUT_EXISTS', 'output file exists', { file: path });
  }
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', options.mode ?? 0o644).catch((err: unknown) => {
    throw new RemasterError('OUTPUT_NOT_WRITABLE', outputProblem(err, dirname(path)), { file: path }, { cause: err });
  });
  let written = 0;
  let ok = false;
  try {
    for await (const chunk of chunks) {
      options.signal?.throwIfAborted();
      let pos = 0;
      while (pos < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, pos, chunk.length - pos);
        pos += bytesWritten;
      }
      written += chunk.length;
    }
    await handle.sync();
    ok = true;
  } finally {
    await handle.close();
    if (!ok) await unlink(tmp).catch(() => {});
  }
  await rename(tmp, path);
  return written;
}

/** A re-readable file: `open()` streams the whole file or a byte range [start, end). */
export interface FileRangeSource {
  name: string;
  open(range?: { start: number; end: number }): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** Describe a file as a re-readable source (used for initrds read twice: scan, then write). */
export function fileRangeSource(path: string): FileRangeSource {
  return {
    name: path,
    open(range) {
      if (range && range.end <= range.start) return [];
      return readFileChunks(path, range ? { start: range.start, end: range.end - 1, highWaterMark: 1 << 20 } : { highWaterMark: 1 << 20 });
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
