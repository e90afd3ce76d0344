/**
 * Extraction of initrd (or ISO) entries into a directory the caller names,
 * with the kernel's unpack semantics (init/initramfs.c, modelled in
 * initrd/rootfs-model.ts) and without ever leaving the target (STYLE.md
 * §1.8):
 *
 * - names go through toArchivePath once (no "..", no absolute paths);
 * - every parent is checked with lstat at the moment of the write
 *   (path-guard.ts): a parent that is or became a symlink is never traversed,
 *   the entry is refused with PATH_THROUGH_SYMLINK (the kernel would follow
 *   it, inside its own rootfs; here that is the host);
 * - what is in the way is removed as clean_path() does: rmdir (so a
 *   non-empty directory survives a later file or symlink), unlink otherwise,
 *   never a recursive delete;
 * - files are opened with O_NOFOLLOW; a hard link is made to the first
 *   member's name only after its parents are checked, and never opened
 *   through a symlink;
 * - metadata never follows a link: fchown then fchmod on the open file
 *   (owner first, so chown does not clear setuid/setgid), lchown/lutimes on
 *   symlinks; directory modes and times are applied at the end, re-checked
 *   on disk: a mode only on the same directory inode, a time on whatever is
 *   at the path without following it (the kernel's dir_utime);
 * - entries the kernel would not create (no parent, a non-empty directory in
 *   the way, a failed hard link) are skipped with an ENTRY_SKIPPED warning;
 * - device nodes, FIFOs and sockets are recorded, never created;
 * - owners are applied only when running as root (or when asked);
 * - a failure half-way removes the partially written file and says which
 *   file was written last; filesystem errors are DISK_FULL or IO_ERROR.
 */
import { mkdir, readdir, lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RemasterError, type WarnOptions } from '../errors.ts';
import { toArchivePath } from '../tree/index.ts';
import type { CpioEntry } from '../cpio/index.ts';
import { fsCall } from './path-guard.ts';
import { Extraction } from './extract-entry.ts';

/** Options for extractEntries. */
export interface ExtractOptions extends WarnOptions {
  /** Apply uid/gid (default: only when running as root). */
  preserveOwners?: boolean;
  /**
   * Extract only entries whose normalised path passes. The kernel creates nothing under a missing
   * parent and neither does extraction, so the filter must also pass the wanted paths' ancestors;
   * an entry filtered out takes no part in hard-link groups either.
   */
  filter?: (path: string) => boolean;
  signal?: AbortSignal;
}

/** What extraction did. */
export interface ExtractResult {
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  /** Entries the kernel would not create either (see ENTRY_SKIPPED warnings). */
  skipped: number;
  /** Device nodes, FIFOs and sockets recorded but not created. */
  special: { path: string; type: string; mode: number; rdev: [number, number] }[];
}

/** An entry to extract: cpio fields, plus the segment and archive (TRAILER!!!-delimited) it came from. */
export type ExtractEntry = CpioEntry & { segment?: number; archive?: number };

/** Extract entries under `target` (which must exist). */
export async function extractEntries(entries: AsyncIterable<ExtractEntry>, target: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const run = new Extraction(target, options);
  try {
    for await (const entry of entries) {
      options.signal?.throwIfAborted();
      const path = toArchivePath(entry.name);
      // The target directory is the caller's: an entry for "." does not chmod or chown it.
      if (path === '.' || (options.filter && !options.filter(path))) continue;
      await run.apply(entry, path);
    }
  } catch (err) {
    throw await run.stop(err);
  }
  await run.finish();
  return run.result;
}

/** Create `dir` for extraction; refuse a non-empty existing directory or a symlink. */
export async function createExtractTarget(dir: string): Promise<void> {
  const st = await fsCall('lstat', dir, () => lstat(dir), 'ENOENT');
  if (st === 'ENOENT') {
    // Not recursive first: a recursive mkdir reports ENOENT for EROFS/EACCES on the last level.
    if ((await fsCall('mkdir', dir, () => mkdir(dir, { mode: 0o755 }), 'ENOENT')) === 'ENOENT') {
      await fsCall('mkdir', dirname(dir), () => mkdir(dirname(dir), { recursive: true, mode: 0o755 }));
      await fsCall('mkdir', dir, () => mkdir(dir, { mode: 0o755 }));
    }
    return;
  }
  if (!st.isDirectory()) throw new RemasterError('PATH_EXISTS', `extraction target exists and is not a directory`, { file: dir });
  if ((await fsCall('readdir', dir, () => readdir(dir))).length > 0) throw new RemasterError('PATH_EXISTS', `extraction target is not empty`, { file: dir });
}
