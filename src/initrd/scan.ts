/**
 * Index an initrd without keeping file data: every segment and every entry's
 * metadata, plus path lookups with the kernel's "later entry wins" rule.
 * Editing needs this first pass to place new files through existing
 * symlinks and to emit only the parent directories that are missing.
 */
import { toArchivePath, type PathInfo } from '../tree/index.ts';
import type { EntryType } from '../cpio/index.ts';
import { concatBytes } from '../io/index.ts';
import { EntryTable, type TableEntryInput } from './entry-table.ts';
import { readInitrd, type InitrdEntry, type ReadInitrdOptions, type Segment } from './read.ts';

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

/** What `inspect` shows: segments, sizes, entry count, kernel versions (no per-entry state). */
export interface InitrdSummary {
  segments: Segment[];
  /** File size in bytes. */
  size: number;
  /** NUL bytes after the last segment. */
  trailingPadding: number;
  /** Entries in every segment (trailers excluded). */
  entryCount: number;
  /** Kernel versions found under lib/modules or usr/lib/modules. */
  kernelVersions: string[];
}

/** The whole image at a glance, with every entry's metadata for planning edits. */
export interface InitrdIndex extends InitrdSummary {
  /** Every entry by position, stored as columns (entry-table.ts); iterate or get(i) for objects. */
  entries: EntryTable;
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

function safePath(name: string): string | undefined {
  try {
    return toArchivePath(name);
  } catch {
    return undefined;
  }
}

/** Read an initrd once; `onEntry` sees every entry with its normalised path. */
async function walk(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ReadInitrdOptions,
  onEntry: (e: InitrdEntry, path: string | undefined) => void | Promise<void>,
): Promise<InitrdSummary> {
  const summary: InitrdSummary = { segments: [], size: 0, trailingPadding: 0, entryCount: 0, kernelVersions: [] };
  const kernels = new Set<string>();
  const opts: ReadInitrdOptions = {
    ...options,
    onSegment: (s) => {
      summary.segments.push(s);
      options.onSegment?.(s);
    },
    onEnd: (e) => {
      summary.size = e.size;
      summary.trailingPadding = e.trailingPadding;
      options.onEnd?.(e);
    },
  };
  for await (const e of readInitrd(source, opts)) {
    summary.entryCount++;
    const path = safePath(e.name);
    if (path !== undefined) {
      const m = MODULES_RE.exec(path);
      if (m?.[1] && (e.type === 'dir' || m[0].endsWith('/'))) kernels.add(m[1]);
    }
    await onEntry(e, path);
  }
  summary.kernelVersions = [...kernels].sort();
  return summary;
}

/** Read an initrd once and return what `inspect` shows, keeping nothing per entry. */
export async function summarizeInitrd(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: ReadInitrdOptions = {}): Promise<InitrdSummary> {
  return walk(source, options, () => {});
}

/** Read an initrd once and return its index (entry data is skipped, not stored). */
export async function scanInitrd(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: ScanOptions = {},
): Promise<InitrdIndex> {
  const taken = new Set<string>();
  const table = new EntryTable();
  const summary = await walk(source, options, async (e, path) => {
    const h = e.header;
    const input: TableEntryInput = { nameBytes: e.nameBytes, name: e.name, path, segment: e.segment, header: h, offset: e.offset };
    if (e.linkTarget !== undefined) input.linkTarget = e.linkTarget;
    table.add(input);
    if (path !== undefined && options.fileData !== undefined && e.type === 'file' && options.fileData.select(path)) {
      const parts: Uint8Array[] = [];
      for await (const c of e.body) parts.push(c.slice());
      if (!(h.fileSize === 0 && h.nlink > 1 && taken.has(path))) {
        taken.add(path);
        await options.fileData.take(path, concatBytes(parts));
      }
    }
  });
  const lookup = (p: string): IndexedEntry | undefined => {
    const i = table.lastAt(p);
    return i < 0 ? undefined : table.get(i);
  };
  return {
    ...summary,
    entries: table,
    lookup,
    pathInfo: (p) => {
      const i = table.lastAt(p);
      const type = i < 0 ? undefined : table.typeAt(i);
      if (type === undefined) return undefined;
      const linkTarget = table.linkAt(i);
      return linkTarget !== undefined ? { type, linkTarget } : { type };
    },
  };
}
