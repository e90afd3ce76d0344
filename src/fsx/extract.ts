/**
 * Safe extraction of archive entries into a directory the caller names
 * (STYLE.md §1.8): every name is normalised by toArchivePath (no "..", no
 * absolute paths), every parent is checked with lstat so nothing is written
 * through a symlink (node-tar's symlink-parent attack), files are opened with
 * O_NOFOLLOW|O_EXCL after unlinking what was there, device nodes and FIFOs
 * are recorded, never created (Node has no mknod and we need no root), and
 * owners are applied only when running as root.
 */
import { constants } from 'node:fs';
import { chown, lchown, link, lstat, lutimes, mkdir, open, readdir, rm, symlink, utimes, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { RemasterError, emitWarning, makeWarning, type WarnOptions } from '../errors.ts';
import { ancestors, toArchivePath } from '../tree/index.ts';
import type { CpioEntry } from '../cpio/index.ts';

/** Options for extractEntries. */
export interface ExtractOptions extends WarnOptions {
  /** Apply uid/gid (default: only when running as root). */
  preserveOwners?: boolean;
  /** Only extract entries whose normalised path is listed or lies under a listed directory. */
  filter?: (path: string) => boolean;
  signal?: AbortSignal;
}

/** What extraction did. */
export interface ExtractResult {
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  /** Device nodes, FIFOs and sockets recorded but not created. */
  special: { path: string; type: string; mode: number; rdev: [number, number] }[];
}

/** Extract entries under `target` (which must exist). */
export async function extractEntries(entries: AsyncIterable<CpioEntry & { segment?: number }>, target: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const result: ExtractResult = { files: 0, dirs: 0, symlinks: 0, hardlinks: 0, special: [] };
  const owners = options.preserveOwners ?? process.getuid?.() === 0;
  const links = new Map<string, string>();
  const dirTimes: [string, number, number][] = [];
  const safeDirs = new Set<string>();
  for await (const entry of entries) {
    options.signal?.throwIfAborted();
    const path = toArchivePath(entry.name);
    if (path === '.' || (options.filter && !options.filter(path))) continue;
    const full = join(target, path);
    await checkParents(target, path, safeDirs);
    const h = entry.header;
    const linkKey = h.nlink > 1 && entry.type !== 'dir' ? `${entry.segment ?? 0}:${h.devMajor}:${h.devMinor}:${h.ino}` : undefined;
    const first = linkKey ? links.get(linkKey) : undefined;
    if (entry.type === 'dir') {
      await makeDir(full, h.mode & 0o7777);
      safeDirs.add(path);
      dirTimes.push([full, h.mtime, h.mode & 0o7777]);
      result.dirs++;
    } else if (first !== undefined && entry.type === 'file') {
      await removeExisting(full);
      await link(join(target, first), full);
      if (h.fileSize > 0) await writeData(full, entry.body, h.mode & 0o7777, false);
      result.hardlinks++;
    } else if (entry.type === 'file') {
      await writeData(full, entry.body, h.mode & 0o7777, true);
      if (linkKey) links.set(linkKey, path);
      result.files++;
    } else if (entry.type === 'symlink') {
      await removeExisting(full);
      await symlink(entry.linkTarget ?? '', full);
      result.symlinks++;
    } else {
      result.special.push({ path, type: entry.type ?? 'unknown', mode: h.mode, rdev: [h.rdevMajor, h.rdevMinor] });
      emitWarning(options, makeWarning('PATH_INVALID', `${entry.type ?? 'unknown type'} recorded, not created`, { entry: path }));
      continue;
    }
    if (owners) await (entry.type === 'symlink' ? lchown(full, h.uid, h.gid) : chown(full, h.uid, h.gid));
    if (entry.type !== 'dir') await lutimes(full, h.mtime, h.mtime);
  }
  // Directory modes and times last: a read-only directory must stay writable while filling it.
  for (const [dir, mtime, mode] of dirTimes.reverse()) {
    await chmod(dir, mode);
    await utimes(dir, mtime, mtime);
  }
  return result;
}

async function checkParents(target: string, path: string, safeDirs: Set<string>): Promise<void> {
  for (const dir of ancestors(path)) {
    if (safeDirs.has(dir)) continue;
    const full = join(target, dir);
    const st = await lstat(full).catch(() => undefined);
    if (st === undefined) {
      // The kernel would drop an entry whose parent is missing; extraction creates it so nothing is lost.
      await mkdir(full, { mode: 0o755 });
    } else if (st.isSymbolicLink()) {
      throw new RemasterError('PATH_THROUGH_SYMLINK', `parent ${JSON.stringify(dir)} is a symlink; refusing to write through it`, { entry: path });
    } else if (!st.isDirectory()) {
      throw new RemasterError('PATH_THROUGH_SYMLINK', `parent ${JSON.stringify(dir)} is not a directory`, { entry: path });
    }
    safeDirs.add(dir);
  }
}

async function makeDir(full: string, mode: number): Promise<void> {
  const st = await lstat(full).catch(() => undefined);
  if (st && !st.isDirectory()) await rm(full, { force: true });
  if (!st || !st.isDirectory()) await mkdir(full, { mode: 0o700 });
  await chmod(full, mode | 0o700);
}

async function removeExisting(full: string): Promise<void> {
  const st = await lstat(full).catch(() => undefined);
  if (st) await rm(full, { recursive: st.isDirectory(), force: true });
}

async function writeData(full: string, body: AsyncIterable<Uint8Array>, mode: number, fresh: boolean): Promise<void> {
  if (fresh) await removeExisting(full);
  const flags = constants.O_WRONLY | constants.O_NOFOLLOW | (fresh ? constants.O_CREAT | constants.O_EXCL : constants.O_TRUNC);
  const handle = await open(full, flags, 0o600);
  try {
    for await (const chunk of body) {
      let pos = 0;
      while (pos < chunk.length) pos += (await handle.write(chunk, pos, chunk.length - pos)).bytesWritten;
    }
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

/** Create `dir` for extraction; refuse a non-empty existing directory or a symlink. */
export async function createExtractTarget(dir: string): Promise<void> {
  const st = await lstat(dir).catch(() => undefined);
  if (st === undefined) {
    await mkdir(dir, { recursive: true, mode: 0o755 });
    return;
  }
  if (!st.isDirectory()) throw new RemasterError('PATH_EXISTS', `extraction target exists and is not a directory`, { file: dir });
  if ((await readdir(dir)).length > 0) throw new RemasterError('PATH_EXISTS', `extraction target is not empty`, { file: dir });
}
