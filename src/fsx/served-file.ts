/**
 * Open a file under a served root (the TFTP root) for reading, safely.
 *
 * A published tree links inside itself (`pxelinux.cfg -> remaster/current/pxelinux.cfg`,
 * `remaster/current -> versions/N`), so symlinks are followed — but only while
 * the resolved path stays inside the root:
 * - the name is normalised again here (no "..", not absolute, no NUL), as a
 *   second wall behind the server's own check;
 * - realpath() resolves every link; a result outside the root's realpath is
 *   refused (PATH_ESCAPE): a planted `x -> /etc/shadow` or `x -> ../../` serves nothing;
 * - only regular files are opened: directories, device nodes, FIFOs and sockets
 *   are refused (PATH_INVALID) before open, so opening a tape or a FIFO never
 *   has side effects or blocks; the open uses O_NOFOLLOW|O_NONBLOCK anyway;
 * - after open, the descriptor itself is checked: /proc/self/fd/N must name a
 *   path inside the root (or, without /proc, its device and inode must match a
 *   fresh resolution of the name), which closes the window between realpath
 *   and open in which a directory could be swapped for a link (TOCTOU);
 * - the one descriptor serves the whole transfer with the size fstat gave at
 *   open: a version switch (a rename of `current`) in the middle of a transfer
 *   never mixes two versions in one transfer.
 */
import { constants } from 'node:fs';
import { open, readlink, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { RemasterError } from '../errors.ts';
import { fileHandleSource, type RandomReadSource } from '../io/index.ts';
import { toArchivePath } from '../tree/index.ts';

/** A served file: a RandomReadSource plus where it resolved to (for logs). */
export interface ServedFile extends RandomReadSource {
  /** The resolved path inside the root. */
  readonly realPath: string;
  /** Modification time (ms since the epoch) and inode of the opened file, for HTTP validators. */
  readonly mtimeMs: number;
  readonly ino: number;
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function notFound(name: string, err: unknown): RemasterError {
  return new RemasterError('INPUT_NOT_FOUND', 'no such file under the served root', { entry: name }, { cause: err });
}

async function resolveInside(rootReal: string, rel: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(join(rootReal, rel));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(rel, err);
    if (code === 'ELOOP') throw new RemasterError('PATH_INVALID', 'symlink loop', { entry: rel }, { cause: err });
    throw new RemasterError('PATH_INVALID', `cannot resolve: ${(err as Error).message}`, { entry: rel }, { cause: err });
  }
  if (!inside(rootReal, real)) throw new RemasterError('PATH_ESCAPE', 'resolves outside the served root through a symlink', { entry: rel });
  return real;
}

/** Check that an open descriptor is a file inside the root (see the header: TOCTOU). */
async function checkDescriptor(fd: number, rootReal: string, rel: string, ino: number, dev: number): Promise<void> {
  let target: string | undefined;
  try {
    target = await readlink(`/proc/self/fd/${fd}`);
  } catch {
    target = undefined;
  }
  if (target !== undefined) {
    if (!inside(rootReal, target)) throw new RemasterError('PATH_ESCAPE', 'the opened file is outside the served root (a path component changed during open)', { entry: rel });
    return;
  }
  const again = await stat(await resolveInside(rootReal, rel));
  if (again.ino !== ino || again.dev !== dev) throw new RemasterError('PATH_ESCAPE', 'the opened file is not the file the name resolves to (a path component changed during open)', { entry: rel });
}

/** Open `relativePath` under `root` for reading, following symlinks only inside the root; throw INPUT_NOT_FOUND, PATH_ESCAPE or PATH_INVALID. */
export async function openServedFile(root: string, relativePath: string): Promise<ServedFile> {
  const rel = toArchivePath(relativePath);
  const rootReal = await realpath(root).catch((err: unknown) => {
    throw new RemasterError('INPUT_NOT_FOUND', `served root is missing: ${(err as Error).message}`, { file: root }, { cause: err });
  });
  const real = await resolveInside(rootReal, rel);
  const before = await stat(real).catch((err: unknown) => {
    throw notFound(rel, err);
  });
  if (!before.isFile()) throw new RemasterError('PATH_INVALID', before.isDirectory() ? 'is a directory' : 'is not a regular file', { entry: rel });
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(rel, err);
    throw new RemasterError(code === 'ELOOP' ? 'PATH_THROUGH_SYMLINK' : 'PATH_INVALID', `cannot open: ${(err as Error).message}`, { entry: rel }, { cause: err });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new RemasterError('PATH_INVALID', 'is not a regular file', { entry: rel });
    await checkDescriptor(handle.fd, rootReal, rel, st.ino, st.dev);
    return Object.assign(fileHandleSource(handle, st.size, real), { realPath: real, mtimeMs: st.mtimeMs, ino: st.ino });
  } catch (err) {
    await handle.close();
    throw err;
  }
}

