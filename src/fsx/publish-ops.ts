/**
 * Every filesystem mutation of a PXE publish goes through here, for two
 * reasons. (1) Fault drills: with REMASTER_FAULT_KILL_AFTER=N in the
 * environment the process SIGKILLs itself right after the Nth mutation, so a
 * test can stop a publish between any two syscalls and check that the tree
 * is still whole (test/integration/pxe-fault-drill.test.ts). The variable is
 * read per operation, never set by remaster itself, and does nothing when
 * absent. (2) One place decides the write discipline: files are written to a
 * temporary name in the target directory with O_EXCL|O_NOFOLLOW, fsynced and
 * renamed over the final name (rename(2) is atomic within a filesystem), and
 * the directory is fsynced after a switch. This is what write-file-atomic
 * does (reference 09); doing it here keeps the syscall count visible to the
 * drill and adds O_NOFOLLOW, which that package does not. (3) A failing
 * system call (ENOSPC, EIO, EROFS…) becomes a RemasterError naming the path
 * and the operation (DISK_FULL / IO_ERROR), and a failed write removes its
 * temporary file.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, symlink, unlink, readlink, lstat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { toIoError } from '../io/index.ts';

let operations = 0;

/** Return how many mutating filesystem operations this process has performed for publishing. */
export function publishOpCount(): number {
  return operations;
}

function step(): void {
  operations += 1;
  const limit = Number(process.env.REMASTER_FAULT_KILL_AFTER ?? 0);
  /* c8 ignore next 2 -- only a child process of the fault drill reaches this */
  if (limit > 0 && operations >= limit) process.kill(process.pid, 'SIGKILL');
}

/** Run one mutating operation and count it (see the header). */
export async function counted<T>(run: () => Promise<T>): Promise<T> {
  const result = await run();
  step();
  return result;
}

/** Run `work` over `items` with at most `limit` in flight; reject on the first failure. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Create a file that must not exist yet (inside a private directory): write, fsync, close. */
export async function opCreateFile(path: string, bytes: Uint8Array, options: { sync?: boolean; mode?: number } = {}): Promise<void> {
  const mode = options.mode ?? 0o644;
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await ioStep('create', path, () => open(path, flags, mode));
  try {
    let pos = 0;
    while (pos < bytes.length) pos += (await ioStep('write', path, () => handle.write(bytes, pos, bytes.length - pos))).bytesWritten;
    if (options.sync ?? true) await ioStep('sync', path, () => handle.sync());
  } finally {
    await handle.close().catch(() => {});
  }
}

/** Run one counted operation; an errno error becomes DISK_FULL / IO_ERROR naming `path` and `operation`. */
export async function ioStep<T>(operation: string, path: string, run: () => Promise<T>): Promise<T> {
  try {
    return await counted(run);
  } catch (err) {
    throw toIoError(err, operation, path);
  }
}

/**
 * Flush the whole filesystem holding `dir` with one syncfs(2) (coreutils
 * `sync -f`): a thousand per-file fsyncs cost seconds, one syncfs costs
 * milliseconds. Return false when `sync -f` is unavailable, so the caller
 * falls back to per-file fsync.
 */
export async function opSyncFs(dir: string): Promise<boolean> {
  return counted(() => new Promise<boolean>((resolve) => {
    execFile('sync', ['-f', dir], (err) => resolve(err === null));
  }));
}

/** Return a temporary sibling name for `path` (hidden, random, same directory). */
export function tempName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Create a directory and its parents. */
export async function opMkdir(path: string): Promise<void> {
  await ioStep('create directory', path, () => mkdir(path, { recursive: true }));
}

/** Write chunks to `path` through a fsynced temporary file and rename(2); the temporary file is removed on failure. */
export async function opWriteFile(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, mode = 0o644): Promise<void> {
  const tmp = tempName(path);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await ioStep('create', path, () => open(tmp, flags, mode));
  let ok = false;
  try {
    for await (const chunk of chunks) {
      let pos = 0;
      while (pos < chunk.length) pos += (await ioStep('write', path, () => handle.write(chunk, pos, chunk.length - pos))).bytesWritten;
    }
    await ioStep('sync', path, () => handle.sync());
    await handle.close();
    await ioStep('rename into place', path, () => rename(tmp, path));
    ok = true;
  } finally {
    if (!ok) {
      await handle.close().catch(() => {});
      await unlink(tmp).catch(() => {});
    }
  }
}

/** Point `path` at `target` by creating a temporary symlink and renaming it over `path`. */
export async function opSwitchLink(path: string, target: string): Promise<void> {
  const current = await readlink(path).catch(() => undefined);
  if (current === target) return;
  const tmp = tempName(path);
  await ioStep('create symlink', path, () => symlink(target, tmp));
  try {
    await ioStep('rename symlink into place', path, () => rename(tmp, path));
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** Rename within one filesystem. */
export async function opRename(from: string, to: string): Promise<void> {
  await ioStep('rename', to, () => rename(from, to));
}

/** Remove a file or a symlink; a missing one is fine. */
export async function opUnlink(path: string): Promise<void> {
  await ioStep('remove', path, () => unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  }));
}

/** Remove a directory tree; a missing one is fine. */
export async function opRemoveTree(path: string): Promise<void> {
  await ioStep('remove', path, () => rm(path, { recursive: true, force: true }));
}

async function syncOpened(path: string, flags: number): Promise<void> {
  const handle = await open(path, constants.O_RDONLY | flags).catch((err: unknown) => {
    throw toIoError(err, 'open', path);
  });
  try {
    await ioStep('sync', path, () => handle.sync());
  } finally {
    await handle.close();
  }
}

/** Flush one file's data to disk. */
export async function fsyncPath(path: string): Promise<void> {
  await syncOpened(path, constants.O_NOFOLLOW);
}

/** Flush a directory's entries (the renames inside it) to disk. */
export async function opSyncDir(path: string): Promise<void> {
  await syncOpened(path, constants.O_DIRECTORY);
}

/** Return the lstat of a path, or undefined when it does not exist. */
export async function lstatOrUndefined(path: string): Promise<import('node:fs').Stats | undefined> {
  return lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}
