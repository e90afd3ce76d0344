/**
 * The entry shape shared by the .rpm and .deb readers: one archive member
 * with a normalised path (tree/safe-path rules: no leading "/" or "./", no
 * ".."), its type, permission bits, owner, time, size and body. Both payload
 * formats (cpio inside .rpm, tar inside .deb) map onto it, so recipe steps
 * take files, modules and binaries from either package kind the same way.
 */
import type { EntryType } from '../cpio/index.ts';

/** Entry type: the archive-neutral types plus tar's hard link to an earlier member. */
export type PackageEntryType = EntryType | 'hardlink';

/**
 * One package member. `body` yields the file's bytes and is readable only
 * until the next entry is requested; an unread body is skipped by the reader.
 */
export interface PackageEntry {
  /** Normalised archive path, e.g. "usr/sbin/mdadm" ("." for the root directory). */
  path: string;
  type: PackageEntryType;
  /** Permission bits only (0o7777), without the S_IF* type bits. */
  mode: number;
  uid: number;
  gid: number;
  /** Owner and group names when the format carries them (tar header, rpm header). */
  user?: string;
  group?: string;
  /** Modification time, seconds since the epoch. */
  mtime: number;
  /** Body size in bytes (0 for directories, links and devices). */
  size: number;
  /** Symlink target as stored, or the normalised path a hard link points to. */
  linkTarget?: string;
  devmajor?: number;
  devminor?: number;
  body: AsyncIterable<Uint8Array>;
}

/** Size bounds applied while reading untrusted packages. */
export interface PackageLimits {
  /** Largest single member or entry body in bytes (default 4 GiB). */
  maxEntrySize?: number;
  /** Largest rpm header data store or decompressed control.tar (default 64 MiB). */
  maxHeaderSize?: number;
  /** Most rpm header index entries (default 65536, rpm's own hdrmaxIL bound). */
  maxIndexEntries?: number;
}

export const DEFAULT_MAX_ENTRY_SIZE = 2 ** 32;
export const DEFAULT_MAX_HEADER_SIZE = 64 * 1024 * 1024;
export const DEFAULT_MAX_INDEX_ENTRIES = 0x10000;

/** An empty body. */
export async function* emptyBody(): AsyncGenerator<Uint8Array> {}
