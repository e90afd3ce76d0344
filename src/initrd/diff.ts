/**
 * Compare two initrds as the kernel would leave them in the rootfs: every
 * segment read in order, the last entry at a path wins (init/initramfs.c
 * replaces a file, re-chmods/chowns an existing directory), hard links share
 * the data of their group (the kernel links later names to the first one and
 * writes the data into the shared inode). Regular files are compared by the
 * sha256 of their data, so two images compare equal when they unpack to the
 * same tree whatever their segments, compression or entry order.
 *
 * Paths are compared as stored (normalised: no leading "./" or "/"); a name
 * that is not a safe relative path is kept verbatim. Symlinked directories
 * are not resolved: an entry `lib/x` and an entry `usr/lib/x` are different
 * paths even when `lib -> usr/lib`.
 */
import { createHash } from 'node:crypto';
import { S_IFMT, S_IFREG, type EntryType } from '../cpio/index.ts';
import { toArchivePath } from '../tree/index.ts';
import { readInitrd, type ReadInitrdOptions } from './read.ts';

/** What an image leaves at one path. */
export interface TreeEntry {
  path: string;
  type: EntryType | undefined;
  /** Permission bits and setuid/setgid/sticky (mode & 0o7777). */
  perm: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Data size of regular files and symlinks; 0 otherwise. */
  size: number;
  /** sha256 of a regular file's data. */
  sha256?: string;
  linkTarget?: string;
  /** Device number of character and block devices. */
  rdev?: [major: number, minor: number];
  /** Segment of the entry that won (counted from 1). */
  segment: number;
}

/** The unpacked tree of an image, keyed by normalised path. */
export type InitrdTree = Map<string, TreeEntry>;

/** One field that differs between the two sides. */
export type DiffField = 'type' | 'perm' | 'owner' | 'content' | 'size' | 'target' | 'rdev' | 'mtime';

/** One path that differs. */
export interface TreeChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  /** For 'changed': what differs, in a fixed order. */
  fields: DiffField[];
  a?: TreeEntry;
  b?: TreeEntry;
}

/** Options for diffInitrdTrees. */
export interface DiffOptions {
  /** Also report mtime differences (off by default: a rebuild from a tree on disk has new mtimes). */
  mtime?: boolean;
}

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
): Promise<InitrdTree> {
  const tree: InitrdTree = new Map();
  // Hard-link groups live until the archive's TRAILER!!! (the kernel frees its link hash there);
  // a group is keyed within its segment, which holds one archive in every image this reads.
  const groups = new Map<string, { members: TreeEntry[]; sha256?: string; size: number }>();
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

function changedFields(a: TreeEntry, b: TreeEntry, options: DiffOptions): DiffField[] {
  const out: DiffField[] = [];
  if (a.type !== b.type) out.push('type');
  if (a.perm !== b.perm) out.push('perm');
  if (a.uid !== b.uid || a.gid !== b.gid) out.push('owner');
  if (a.type === b.type) {
    if (a.sha256 !== b.sha256) out.push('content');
    if (a.size !== b.size) out.push('size');
    if (a.linkTarget !== b.linkTarget) out.push('target');
    if (a.rdev?.[0] !== b.rdev?.[0] || a.rdev?.[1] !== b.rdev?.[1]) out.push('rdev');
  }
  if (options.mtime === true && a.mtime !== b.mtime) out.push('mtime');
  return out;
}

/** Compare two trees; changes are sorted by path (byte order of the UTF-16 code units). */
export function diffInitrdTrees(a: InitrdTree, b: InitrdTree, options: DiffOptions = {}): TreeChange[] {
  const changes: TreeChange[] = [];
  for (const [path, ea] of a) {
    const eb = b.get(path);
    if (eb === undefined) {
      changes.push({ path, kind: 'removed', fields: [], a: ea });
      continue;
    }
    const fields = changedFields(ea, eb, options);
    if (fields.length > 0) changes.push({ path, kind: 'changed', fields, a: ea, b: eb });
  }
  for (const [path, eb] of b) if (!a.has(path)) changes.push({ path, kind: 'added', fields: [], b: eb });
  return changes.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}
