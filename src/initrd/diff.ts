/**
 * Read an initrd as the tree the kernel would leave in the rootfs: every
 * segment read in order, the last entry at a path wins (init/initramfs.c
 * replaces a file, re-chmods/chowns an existing directory), hard links share
 * the data of their group (the kernel links later names to the first one and
 * writes the data into the shared inode). Regular files are compared by the
 * sha256 of their data (tree/diff.ts compares), so two images compare equal
 * when they unpack to the same tree whatever their segments, compression or
 * entry order.
 *
 * Paths are compared as stored (normalised: no leading "./" or "/"); a name
 * that is not a safe relative path is kept verbatim. Symlinked directories
 * are not resolved: an entry `lib/x` and an entry `usr/lib/x` are different
 * paths even when `lib -> usr/lib`.
 */
import { S_IFMT, S_IFREG } from '../cpio/index.ts';
import { toArchivePath, type FileTree, type TreeEntry } from '../tree/index.ts';
import { readInitrd, type ReadInitrdOptions } from './read.ts';

function keyOf(name: string): string {
  try {
    return toArchivePath(name);
  } catch {
    return name; // unsafe names are compared verbatim
  }
}

/** Read an image and return what it leaves at every path (file data hashed, not kept). */
export async function readInitrdTree(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadInitrdOptions = {},
): Promise<FileTree> {
  const tree: FileTree = new Map();
  // Hard-link groups live until the archive's TRAILER!!! (the kernel frees its link hash there);
  // a group is keyed within its segment, which holds one archive in every image this reads.
  const groups = new Map<string, { members: TreeEntry[]; sha256?: string; size: number }>();
  // Loaded here, not at import: listing commands load this module but never hash (start-up time).
  const { createHash } = await import('node:crypto');
  for await (const e of readInitrd(source, options)) {
    const h = e.header;
    const entry: TreeEntry = { path: keyOf(e.name), type: e.type, perm: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtime: h.mtime, size: 0, segment: e.segment };
    if ((h.mode & S_IFMT) === S_IFREG) {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of e.body) {
        hash.update(chunk);
        size += chunk.length;
      }
      entry.size = size;
      entry.sha256 = hash.digest('hex');
      if (h.nlink >= 2) {
        const key = `${e.segment}:${h.devMajor}:${h.devMinor}:${h.ino}`;
        const group = groups.get(key) ?? { members: [], size: 0 };
        group.members.push(entry);
        if (size > 0) {
          group.sha256 = entry.sha256;
          group.size = size;
        }
        groups.set(key, group);
      }
    } else if (e.type === 'symlink') {
      entry.size = h.fileSize;
      if (e.linkTarget !== undefined) entry.linkTarget = e.linkTarget;
    } else if (e.type === 'char' || e.type === 'block') {
      entry.rdev = [h.rdevMajor, h.rdevMinor];
    }
    tree.delete(entry.path); // keep insertion order = order of the winning entries
    tree.set(entry.path, entry);
  }
  for (const group of groups.values()) {
    if (group.sha256 === undefined) continue;
    for (const m of group.members) {
      m.sha256 = group.sha256;
      m.size = group.size;
    }
  }
  return tree;
}
