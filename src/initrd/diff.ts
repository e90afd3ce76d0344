/**
 * Read an initrd as the tree the kernel would leave in the rootfs: every
 * segment is unpacked in order into a RootfsModel (rootfs-model.ts, the
 * semantics of init/initramfs.c), so a later file replaces an earlier one, a
 * non-empty directory survives a later file or symlink of the same name,
 * hard-link members share the data of their group, entries under a symlinked
 * directory land where the link points, and an entry the kernel cannot create
 * (no parent) is missing. Regular files are compared by the sha256 of their
 * data (tree/diff.ts compares), so two images compare equal when they unpack
 * to the same tree whatever their segments, compression or entry order.
 *
 * Paths are the ones the kernel ends up with (normalised: no leading "./" or
 * "/"); the root "." appears only when an entry names it.
 */
import { RemasterError, emitWarning, makeWarning } from '../errors.ts';
import { CompactTree, toArchivePath, type FileTree, type TreeEntry } from '../tree/index.ts';
import { readInitrd, type InitrdEntry, type ReadInitrdOptions } from './read.ts';
import { RootfsModel, type ModelNode } from './rootfs-model.ts';

interface Data {
  sha256: string;
}

/** Read an image and return what it leaves at every path (file data hashed, not kept). */
export async function readInitrdTree(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadInitrdOptions = {},
): Promise<FileTree> {
  const model = new RootfsModel<Data>();
  for await (const e of readInitrd(source, options)) {
    warnUnsafeName(e, options);
    const r = model.apply(e);
    if (r.skipped !== undefined) emitWarning(options, makeWarning('ENTRY_SKIPPED', `the kernel does not create it: ${r.skipped}`, { segment: e.segment, entry: e.name }));
    if (r.data === undefined) continue;
    const hash = sha256();
    for await (const chunk of e.body) hash.update(chunk);
    r.data.content = { sha256: hash.digest('hex') };
  }
  model.finish();
  const tree = new CompactTree(); // the result stays compact once the model is dropped
  for (const [path, node] of model.paths()) tree.set(treeEntry(path, node));
  return tree;
}

/** A SHA-256 hash; node:crypto is loaded on first use, not when a listing command imports this module. */
function sha256(): import('node:crypto').Hash {
  return process.getBuiltinModule('node:crypto').createHash('sha256');
}

/** SHA-256 of no bytes (`sha256sum < /dev/null`), a constant so that importing this module loads no crypto. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function treeEntry(path: string, node: ModelNode<Data>): TreeEntry {
  const entry: TreeEntry = { path, type: node.type, perm: node.perm, uid: node.uid, gid: node.gid, mtime: node.mtime, size: 0, segment: node.segment };
  if (node.type === 'file') {
    entry.size = node.size;
    entry.sha256 = node.content?.sha256 ?? EMPTY_SHA256;
  } else if (node.type === 'symlink') {
    entry.linkTarget = node.linkTarget ?? '';
    entry.size = new TextEncoder().encode(entry.linkTarget).length;
  } else if (node.rdev !== undefined) {
    entry.rdev = node.rdev;
  }
  return entry;
}

/** A ".." (or NUL, or empty) name: the kernel resolves it from the root (".." at the root stays there); extract refuses it. */
function warnUnsafeName(e: InitrdEntry, options: ReadInitrdOptions): void {
  try {
    toArchivePath(e.name);
  } catch (err) {
    if (!(err instanceof RemasterError)) throw err;
    emitWarning(options, makeWarning(err.code, `${err.detail}; the kernel resolves it from the root, extract refuses it`, { segment: e.segment, entry: e.name }));
  }
}
