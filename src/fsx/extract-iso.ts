/**
 * Safe extraction of ISO files (or any archive-neutral nodes) with the same
 * rules as extractEntries (STYLE.md §1.8): names normalised by toArchivePath
 * (no "..", no absolute paths), parents checked with lstat so nothing is
 * written through a symlink, files opened with O_NOFOLLOW, device nodes
 * recorded and never created. Each node is adapted to the cpio entry shape
 * and handed to extractEntries, so the safety code exists once.
 */
import type { CpioEntry } from '../cpio/index.ts';
import { extractEntries, type ExtractOptions, type ExtractResult } from './extract.ts';

/** A node to extract; `body` is called once, for files only. */
export interface ExtractNode {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
  /** Full st_mode. */
  mode: number;
  uid: number;
  gid: number;
  /** Unix seconds. */
  mtime: number;
  size: number;
  rdev?: number;
  linkTarget?: string;
  body?: () => AsyncIterable<Uint8Array>;
}

function lazy(body: (() => AsyncIterable<Uint8Array>) | undefined): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => (body ? body() : (async function* () {})())[Symbol.asyncIterator]() };
}

/**
 * Directories of read-only media are often 0555; recreated as they are, the
 * user could not add to or delete the extracted tree. The owner gets write
 * permission on directories, as bsdtar does for a non-root user.
 */
const DIR_OWNER_WRITE = 0o200;

function toEntry(node: ExtractNode): CpioEntry {
  const rdev = node.rdev ?? 0;
  return {
    header: {
      magic: '070701', ino: 0, mode: node.type === 'dir' ? node.mode | DIR_OWNER_WRITE : node.mode, uid: node.uid, gid: node.gid, nlink: 1, mtime: node.mtime,
      fileSize: node.type === 'file' ? node.size : 0, devMajor: 0, devMinor: 0,
      rdevMajor: Math.floor(rdev / 256) & 0xfff, rdevMinor: rdev & 0xff, nameSize: node.path.length + 1, check: 0,
    },
    name: node.path, nameBytes: new TextEncoder().encode(node.path), type: node.type, offset: 0,
    ...(node.linkTarget !== undefined ? { linkTarget: node.linkTarget } : {}),
    body: lazy(node.body),
  };
}

/** Extract nodes under `target` (which must exist; see createExtractTarget). */
export async function extractIsoNodes(nodes: Iterable<ExtractNode> | AsyncIterable<ExtractNode>, target: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  async function* entries(): AsyncGenerator<CpioEntry> {
    for await (const node of nodes) yield toEntry(node);
  }
  return extractEntries(entries(), target, options);
}
