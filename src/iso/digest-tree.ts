/**
 * readIsoTree(): an ISO's files as a tree/diff.ts FileTree, for comparing two
 * images (`remaster iso diff`). Every node below the root is one entry keyed
 * by its path without the leading slash (Rock Ridge names when present);
 * regular files are hashed as stored (zisofs-compressed files by their stored
 * bytes), reading each file's own sectors once.
 */
import { createHash } from 'node:crypto';
import type { BlockSource } from '../io/block-source.ts';
import type { FileTree, TreeEntry } from '../tree/index.ts';
import type { IsoImage } from './iso-image.ts';
import { readIsoFile } from './read-iso-file.ts';

/** Options for readIsoTree(). */
export interface ReadIsoTreeOptions {
  /** sha256 to record instead of the stored bytes' for these paths (no leading slash): boot-digest.ts's readBootMeaning. */
  digests?: ReadonlyMap<string, string>;
}

/** Read every node of `image` (from `source`) into a FileTree. */
export async function readIsoTree(source: BlockSource, image: IsoImage, options: ReadIsoTreeOptions = {}): Promise<FileTree> {
  const tree = new Map<string, TreeEntry>();
  for (const node of image.walk()) {
    if (node.path === '/') continue;
    const entry: TreeEntry = { path: node.path.slice(1), type: node.type, perm: node.mode & 0o7777, uid: node.uid, gid: node.gid, mtime: node.mtime, size: 0 };
    if (node.type === 'file') {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of readIsoFile(source, node, { isRaw: true })) {
        hash.update(chunk);
        size += chunk.length;
      }
      entry.size = size;
      entry.sha256 = options.digests?.get(entry.path) ?? hash.digest('hex');
    } else if (node.type === 'symlink') {
      entry.size = new TextEncoder().encode(node.linkTarget ?? '').length;
      if (node.linkTarget !== undefined) entry.linkTarget = node.linkTarget;
    } else if ((node.type === 'char' || node.type === 'block') && node.rdev !== undefined) {
      entry.rdev = [Math.floor(node.rdev / 2 ** 32), node.rdev % 2 ** 32]; // Rock Ridge PN: high and low words
    }
    tree.set(entry.path, entry);
  }
  return tree;
}
