/**
 * The in-memory model readIso() returns: the volume, the file tree (Rock
 * Ridge, else Joliet, else plain ISO names), the El Torito catalog and the
 * hybrid system area. Pure data plus path lookup and a depth-first walk.
 */
import type { BootCatalog } from './el-torito.ts';
import type { HybridInfo } from './hybrid.ts';

/** Node types, named like `tree/`'s archive-neutral model. */
export type IsoNodeType = 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';

/** One extent of a file: logical block and byte length. */
export interface IsoExtent {
  lba: number;
  length: number;
}

/** A file, directory, link or device in the image. */
export interface IsoNode {
  /** Absolute path in the image, `/` for the root, `/a/b` below it. */
  path: string;
  name: string;
  type: IsoNodeType;
  /** Full st_mode (type and permission bits). */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  /** Modification time, Unix seconds. */
  mtime: number;
  /** Size in bytes (sum of extents; the directory extent length for directories). */
  size: number;
  /** Data extents in order; several for multi-extent files (ECMA-119 §6.5.1). */
  extents: IsoExtent[];
  linkTarget?: string;
  rdev?: number;
  /** Rock Ridge `ZF`: the stored bytes are zisofs-compressed; this is the uncompressed size. */
  zisofsSize?: number;
  /** Absolute byte offset of the (first) directory record. */
  recordOffset: number;
  children?: IsoNode[];
}

/** Volume identification from the Primary Volume Descriptor. */
export interface IsoVolume {
  label: string;
  systemId: string;
  volumeSetId: string;
  publisherId: string;
  dataPreparerId: string;
  applicationId: string;
  /** Volume Space Size in blocks. */
  size: number;
  blockSize: number;
  /** Unix seconds, undefined when not recorded. */
  created: number | undefined;
  modified: number | undefined;
}

/** A read ISO image. */
export interface IsoImage {
  volume: IsoVolume;
  hasRockRidge: boolean;
  hasJoliet: boolean;
  /** Which names the tree uses. */
  namesFrom: 'rock-ridge' | 'joliet' | 'iso9660';
  root: IsoNode;
  bootCatalog?: BootCatalog;
  hybrid: HybridInfo;
  /** Return the node at an absolute or relative path, or undefined. */
  lookup(path: string): IsoNode | undefined;
  /** Yield every node, parents before children, in directory order. */
  walk(): Iterable<IsoNode>;
  /** Return the other files that share `node`'s first extent (hard links). */
  hardLinks(node: IsoNode): IsoNode[];
}

/** Return the node at `path` below `root`. */
export function lookupNode(root: IsoNode, path: string): IsoNode | undefined {
  let node: IsoNode | undefined = root;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    node = node.children?.find((c) => c.name === part);
    if (node === undefined) return undefined;
  }
  return node;
}

/** Yield `root` and its descendants depth first. */
export function* walkNodes(root: IsoNode): Generator<IsoNode> {
  const stack: IsoNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop() as IsoNode;
    yield node;
    const children = node.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as IsoNode);
  }
}

/** Build the IsoImage methods around the decoded parts. */
export function makeIsoImage(parts: Omit<IsoImage, 'lookup' | 'walk' | 'hardLinks'>): IsoImage {
  let byExtent: Map<number, IsoNode[]> | undefined;
  return {
    ...parts,
    lookup: (path) => lookupNode(parts.root, path),
    walk: () => walkNodes(parts.root),
    hardLinks(node) {
      if (byExtent === undefined) {
        byExtent = new Map();
        for (const n of walkNodes(parts.root)) {
          const first = n.extents[0];
          if (n.type !== 'file' || first === undefined || n.size === 0) continue;
          byExtent.set(first.lba, [...(byExtent.get(first.lba) ?? []), n]);
        }
      }
      const first = node.extents[0];
      if (node.type !== 'file' || first === undefined || node.size === 0) return [];
      return (byExtent.get(first.lba) ?? []).filter((n) => n !== node);
    },
  };
}
