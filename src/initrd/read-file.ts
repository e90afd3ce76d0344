/**
 * The data the kernel would leave in one file of an initrd: the image is
 * unpacked into a RootfsModel (rootfs-model.ts), so the answer follows hard
 * links (a member without data shows the group's data, wherever the data
 * was stored), later segments, symlinked parent directories and entries the
 * kernel refuses, exactly as `diff` sees the tree.
 *
 * One pass normally suffices: the bytes of an entry are kept when they
 * land in the wanted path's inode or in an inode with several names (a
 * hard-link group). When the winning data came from somewhere else (a plain
 * file that a later link made visible at the path), the image is read a
 * second time for that one entry.
 */
import { RemasterError } from '../errors.ts';
import { concatBytes } from '../io/index.ts';
import { toArchivePath } from '../tree/index.ts';
import { readInitrd, type ReadInitrdOptions } from './read.ts';
import { RootfsModel, type ModelNode } from './rootfs-model.ts';

/** A re-readable image. */
export interface InitrdReopen {
  open(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** Position of the entry whose body is a file's data. */
interface Written {
  position: number;
}

/**
 * Return what a path holds after unpacking: a regular file's data or a symlink's target.
 * Throws ENTRY_NOT_FOUND for anything else.
 */
export async function readInitrdFile(image: InitrdReopen, path: string, options: ReadInitrdOptions = {}): Promise<Uint8Array> {
  const wanted = toArchivePath(path);
  const model = new RootfsModel<Written>();
  const kept = new Map<number, { position: number; bytes: Uint8Array }>();
  let position = 0;
  for await (const e of readInitrd(image.open(), options)) {
    const r = model.apply(e);
    const at = position++;
    if (r.data === undefined) continue;
    r.data.content = { position: at };
    if (r.data.links > 1 || e.header.nlink > 1 || model.lookup(wanted) === r.data) {
      const parts: Uint8Array[] = [];
      for await (const c of e.body) parts.push(c.slice());
      kept.set(r.data.id, { position: at, bytes: concatBytes(parts) });
    }
  }
  model.finish();
  const node = model.lookup(wanted);
  if (node?.type === 'symlink') return new TextEncoder().encode(node.linkTarget ?? '');
  if (node?.type !== 'file') {
    const what = node === undefined ? 'no such path' : `a ${node.type}, not a file`;
    throw new RemasterError('ENTRY_NOT_FOUND', `${JSON.stringify(path)}: ${what} after unpacking the image`, { entry: path });
  }
  return dataOf(node, kept, image, options);
}

async function dataOf(node: ModelNode<Written>, kept: Map<number, { position: number; bytes: Uint8Array }>, image: InitrdReopen, options: ReadInitrdOptions): Promise<Uint8Array> {
  const source = node.content?.position;
  if (source === undefined) return new Uint8Array(0);
  const hit = kept.get(node.id);
  if (hit?.position === source) return hit.bytes;
  let position = 0;
  for await (const e of readInitrd(image.open(), options)) {
    if (position++ !== source) continue;
    const parts: Uint8Array[] = [];
    for await (const c of e.body) parts.push(c.slice());
    return concatBytes(parts);
  }
  throw new RemasterError('ENTRY_NOT_FOUND', `the image changed while it was read`);
}
