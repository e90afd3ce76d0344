/**
 * Compare two file trees (what an initrd unpacks to, what an ISO holds):
 * one TreeEntry per path, regular files by the sha256 of their data. The
 * readers that build the trees live with their formats (initrd/diff.ts,
 * iso/digest-tree.ts); this module only compares.
 */

/** Node types, the same names as cpio's EntryType and IsoNodeType. */
export type TreeNodeType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** What a tree holds at one path. */
export interface TreeEntry {
  path: string;
  type: TreeNodeType | undefined;
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
  /** Initrds: the segment of the entry that won (counted from 1). */
  segment?: number;
}

/** A tree keyed by path (a Map, or a CompactTree for trees of millions of paths). */
export type FileTree = ReadonlyMap<string, TreeEntry>;

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

/** Options for diffTrees. */
export interface DiffOptions {
  /** Also report mtime differences (off by default: a rebuild from a tree on disk has new mtimes). */
  mtime?: boolean;
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

/** Compare two trees; changes are sorted by path (UTF-16 code unit order). */
export function diffTrees(a: FileTree, b: FileTree, options: DiffOptions = {}): TreeChange[] {
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
