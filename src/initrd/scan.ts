/**
 * Index an initrd without keeping file data: every segment and every entry's
 * metadata, plus path lookups with the kernel's "later entry wins" rule.
 * Editing needs this first pass to place new files through existing
 * symlinks and to emit only the parent directories that are missing.
 */
import { toArchivePath, type PathInfo } from '../tree/index.ts';
import type { EntryType } from '../cpio/index.ts';
import { concatBytes } from '../io/index.ts';
import { readInitrd, type ReadInitrdOptions, type Segment } from './read.ts';

/** Metadata of one entry, without its data. */
export interface IndexedEntry {
  /** Name as stored in the archive. */
  name: string;
  /** Normalised path ("a/b"), or undefined when the stored name is unsafe (contains "..", NUL, or is empty). */
  path: string | undefined;
  segment: number;
  /** Position among all entries of the image, from 0. */
  position: number;
  type: EntryType | undefined;
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  ino: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  linkTarget?: string;
  /** Header offset: absolute for uncompressed segments, inside the decompressed data otherwise. */
  offset: number;
}

/** The whole image at a glance. */
export interface InitrdIndex {
  segments: Segment[];
  entries: IndexedEntry[];
  /** File size in bytes. */
  size: number;
  /** NUL bytes after the last segment. */
  trailingPadding: number;
  /** Kernel versions found under lib/modules or usr/lib/modules. */
  kernelVersions: string[];
  /** Return the effective (last) entry at a normalised path. */
  lookup(path: string): IndexedEntry | undefined;
  /** Return PathInfo for symlink resolution. */
  pathInfo(path: string): PathInfo | undefined;
}

/** Options for scanInitrd. */
export interface ScanOptions extends ReadInitrdOptions {
  /**
   * Hand the data of selected regular files to `take`, so a caller that needs a few files does
   * not decode the image a second time. `take` is called again when a later entry replaces a
   * path (the last call is the effective copy), but not for an empty later link of a hard-link
   * group whose data was already taken.
   */
  fileData?: {
    select(path: string): boolean;
    take(path: string, data: Uint8Array): void | Promise<void>;
  };
}

const MODULES_RE = /^(?:usr\/)?lib\/modules\/([^/]+)(?:\/|$)/;

/** Read an initrd once and return its index (entry data is skipped, not stored). */
export async function scanInitrd(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ScanOptions = {},
): Promise<InitrdIndex> {
  const taken = new Set<string>();
  const segments: Segment[] = [];
  const entries: IndexedEntry[] = [];
  const byPath = new Map<string, IndexedEntry>();
  const kernels = new Set<string>();
  let size = 0;
  let trailingPadding = 0;
  const opts: ReadInitrdOptions = {
    ...options,
    onSegment: (s) => {
      segments.push(s);
      options.onSegment?.(s);
    },
    onEnd: (e) => {
      size = e.size;
      trailingPadding = e.trailingPadding;
      options.onEnd?.(e);
    },
  };
  for await (const e of readInitrd(source, opts)) {
    const h = e.header;
    let path: string | undefined;
    try {
      path = toArchivePath(e.name);
    } catch {
      path = undefined;
    }
    const item: IndexedEntry = {
      name: e.name, path, segment: e.segment, position: entries.length, type: e.type, mode: h.mode, uid: h.uid, gid: h.gid,
      nlink: h.nlink, mtime: h.mtime, size: h.fileSize, ino: h.ino, devMajor: h.devMajor, devMinor: h.devMinor,
      rdevMajor: h.rdevMajor, rdevMinor: h.rdevMinor, offset: e.offset,
    };
    if (e.linkTarget !== undefined) item.linkTarget = e.linkTarget;
    entries.push(item);
    if (path !== undefined && options.fileData !== undefined && item.type === 'file' && options.fileData.select(path)) {
      const parts: Uint8Array[] = [];
      for await (const c of e.body) parts.push(c.slice());
      if (!(h.fileSize === 0 && h.nlink > 1 && taken.has(path))) {
        taken.add(path);
        await options.fileData.take(path, concatBytes(parts));
      }
    }
    if (path !== undefined) {
      byPath.set(path, item);
      const m = MODULES_RE.exec(path);
      if (m?.[1] && (item.type === 'dir' || m[0].endsWith('/'))) kernels.add(m[1]);
    }
  }
  return {
    segments,
    entries,
    size,
    trailingPadding,
    kernelVersions: [...kernels].sort(),
    lookup: (p) => byPath.get(p),
    pathInfo: (p) => {
      const e = byPath.get(p);
      if (!e?.type) return undefined;
      return e.linkTarget !== undefined ? { type: e.type, linkTarget: e.linkTarget } : { type: e.type };
    },
  };
}
