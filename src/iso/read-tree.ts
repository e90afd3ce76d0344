/**
 * Build the IsoNode tree from directory extents: Rock Ridge names and
 * attributes (RRIP 1.12), Joliet names, or plain ECMA-119 names; multi-extent
 * files (ECMA-119 §6.5.1, flag bit 7) merged into one node; relocated
 * directories (RRIP §4.1.5 `CL`/`RE`) put back where they belong.
 *
 * Hostile images are bounded here: every directory extent may be entered
 * once per image (a directory pointing at an ancestor, or a `CL` cycle,
 * throws ISO_DIRECTORY_LOOP instead of recursing forever or exploding a DAG),
 * and depth and node count are capped by `maxDepth` and `maxEntries`.
 */
import { RemasterError } from '../errors.ts';
import { decodeDirectoryRecord, FILE_FLAG_DIRECTORY, FILE_FLAG_MULTI_EXTENT, isSelfOrParent } from './directory-record.ts';
import { readDirectory, readSector, type DirectoryContext, type DirectoryEntry } from './directory.ts';
import type { IsoNode, IsoNodeType } from './iso-image.ts';
import { jolietName } from './joliet.ts';
import { ISO_SECTOR_SIZE } from './volume-descriptor.ts';

/** Bounds applied while reading the tree. */
export interface IsoLimits {
  /** Deepest directory nesting accepted (root is 0). Default 256. */
  maxDepth?: number;
  /** Most nodes accepted in the whole tree. Default 1,000,000. */
  maxEntries?: number;
  /** Largest directory extent in bytes. Default 32 MiB. */
  maxDirectorySize?: number;
}

/** Defaults for IsoLimits. */
export const DEFAULT_ISO_LIMITS: Required<IsoLimits> = { maxDepth: 256, maxEntries: 1_000_000, maxDirectorySize: 32 * 1024 * 1024 };

/** State of one tree build. */
export interface TreeContext extends DirectoryContext {
  names: 'rock-ridge' | 'joliet' | 'iso9660';
  maxDepth: number;
  maxEntries: number;
  entryCount: number;
  visited: Set<number>;
  /** Directories that held only relocated (`RE`) entries. */
  relocationOnly: WeakSet<IsoNode>;
  /** Nodes made from a `CL` placeholder record. */
  childLinks: WeakSet<IsoNode>;
}

const S_IFMT = 0o170000;
const TYPE_BY_FORMAT: Record<number, IsoNodeType> = {
  0o040000: 'dir', 0o100000: 'file', 0o120000: 'symlink', 0o020000: 'char', 0o060000: 'block', 0o010000: 'fifo', 0o140000: 'socket',
};

function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

function plainName(identifier: Uint8Array): string {
  return String.fromCharCode(...identifier).replace(/;\d*$/u, '').replace(/\.$/u, '');
}

function nameOf(ctx: TreeContext, e: DirectoryEntry): string {
  if (ctx.names === 'rock-ridge' && e.rr.name !== undefined) return e.rr.name;
  if (ctx.names === 'joliet') return jolietName(e.record.identifier);
  return plainName(e.record.identifier);
}

/** Make a node from a record (the first of a multi-extent file). */
function makeNode(ctx: TreeContext, e: DirectoryEntry, parentPath: string): IsoNode {
  const name = nameOf(ctx, e);
  const isDir = (e.record.flags & FILE_FLAG_DIRECTORY) !== 0 || e.rr.childLink !== undefined;
  const rr = ctx.names === 'rock-ridge' ? e.rr : undefined;
  const mode = rr?.mode ?? (isDir ? 0o040555 : 0o100444);
  const type: IsoNodeType = rr?.childLink !== undefined ? 'dir' : (TYPE_BY_FORMAT[mode & S_IFMT] ?? (isDir ? 'dir' : 'file'));
  const node: IsoNode = {
    path: childPath(parentPath, name), name, type, mode,
    uid: rr?.uid ?? 0, gid: rr?.gid ?? 0, nlink: rr?.nlink ?? 1,
    mtime: rr?.mtime ?? e.record.recorded,
    size: e.record.dataLength,
    extents: [{ lba: rr?.childLink ?? e.record.extent, length: e.record.dataLength }],
    recordOffset: e.offset,
  };
  if (rr?.linkTarget !== undefined && type === 'symlink') node.linkTarget = rr.linkTarget;
  if (rr?.rdev !== undefined && (type === 'char' || type === 'block')) node.rdev = rr.rdev;
  if (rr?.zisofsSize !== undefined) node.zisofsSize = rr.zisofsSize;
  if (rr?.childLink !== undefined) ctx.childLinks.add(node);
  if (type === 'symlink' || type === 'char' || type === 'block' || type === 'fifo' || type === 'socket') {
    node.size = 0;
    node.extents = [];
  }
  return node;
}

/** Turn the records of one directory into child nodes, merging multi-extent files. */
function recordsToNodes(ctx: TreeContext, entries: DirectoryEntry[], dir: IsoNode): { nodes: IsoNode[]; relocated: number } {
  const nodes: IsoNode[] = [];
  let relocated = 0;
  let pending: IsoNode | undefined;
  for (const e of entries) {
    if (isSelfOrParent(e.record)) continue;
    if (ctx.names === 'rock-ridge' && e.rr.isRelocated) {
      relocated++;
      continue;
    }
    if (pending !== undefined && nameOf(ctx, e) === pending.name && pending.type === 'file') {
      pending.extents.push({ lba: e.record.extent, length: e.record.dataLength });
      pending.size += e.record.dataLength;
    } else {
      if (pending !== undefined) ctx.warn('ISO_BAD_RECORD', 'multi-extent file ends without a final extent', { offset: pending.recordOffset, entry: pending.path });
      const node = makeNode(ctx, e, dir.path);
      if (++ctx.entryCount > ctx.maxEntries) {
        throw new RemasterError('LIMIT_EXCEEDED', `more than maxEntries ${ctx.maxEntries} entries in the image`, { offset: e.offset, entry: node.path });
      }
      nodes.push(node);
      pending = node;
    }
    if ((e.record.flags & FILE_FLAG_MULTI_EXTENT) === 0) pending = undefined;
  }
  return { nodes, relocated };
}

/** Return the extent length of the directory at `lba` from its "." record (for `CL` targets). */
async function relocatedSize(ctx: TreeContext, lba: number, path: string): Promise<number> {
  const sector = await readSector(ctx, lba, path);
  return decodeDirectoryRecord(sector, 0, ISO_SECTOR_SIZE, lba * ISO_SECTOR_SIZE).dataLength;
}

/** Read the children of `dir` (and below) from the directory extent of `dir`. */
export async function readTree(ctx: TreeContext, dir: IsoNode, depth: number): Promise<void> {
  const extent = dir.extents[0];
  if (extent === undefined) return;
  if (ctx.visited.has(extent.lba)) {
    throw new RemasterError('ISO_DIRECTORY_LOOP', `directory extent at block ${extent.lba} was already visited (a directory containing its ancestor or a Rock Ridge CL cycle)`, {
      offset: extent.lba * ISO_SECTOR_SIZE, entry: dir.path,
    });
  }
  if (depth > ctx.maxDepth) {
    throw new RemasterError('LIMIT_EXCEEDED', `directory depth ${depth} exceeds maxDepth ${ctx.maxDepth}`, { offset: dir.recordOffset, entry: dir.path });
  }
  ctx.visited.add(extent.lba);
  const entries = await readDirectory(ctx, extent.lba, extent.length, dir.path);
  const { nodes } = recordsToNodes(ctx, entries, dir);
  dir.children = [];
  for (const node of nodes) {
    if (node.type === 'dir') {
      const first = node.extents[0] as { lba: number; length: number };
      if (ctx.childLinks.has(node)) {
        first.length = await relocatedSize(ctx, first.lba, node.path);
        node.size = first.length;
      }
      await readTree(ctx, node, depth + 1);
      // xorriso and genisoimage park relocated directories in a root-level directory; it is an artefact, not content.
      if (depth === 0 && node.children?.length === 0 && ctx.relocationOnly.has(node)) continue;
    }
    dir.children.push(node);
  }
  if (nodes.length === 0 && entries.some((e) => e.rr.isRelocated)) ctx.relocationOnly.add(dir);
}
