/**
 * Look up paths inside a sysroot directory (an unpacked vendor package or an
 * overlay) without ever leaving it: the path is joined under the root and
 * checked with lstat, so an absolute symlink target inside the sysroot is
 * resolved by the caller against the sysroot, never against the host.
 */
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { toArchivePath } from '../tree/index.ts';

/** What is at a sysroot path: a file (with lazy bytes), a symlink (with its target), or nothing. */
export interface SysrootEntry {
  kind: 'file' | 'symlink' | 'missing';
  target?: string;
  mode?: number;
  bytes?: () => Promise<Uint8Array>;
}

/** Return a lookup function over `root`; paths are image-absolute ("/usr/lib/x"). */
export function sysrootLookup(root: string): (path: string) => Promise<SysrootEntry> {
  return async (path) => {
    let rel: string;
    try {
      rel = toArchivePath(path);
    } catch {
      return { kind: 'missing' };
    }
    const full = join(root, rel);
    const st = await lstat(full).catch(() => undefined);
    if (!st) return { kind: 'missing' };
    if (st.isSymbolicLink()) return { kind: 'symlink', target: await readlink(full) };
    if (!st.isFile()) return { kind: 'missing' };
    return { kind: 'file', mode: st.mode & 0o7777, bytes: async () => new Uint8Array(await readFile(full)) };
  };
}
