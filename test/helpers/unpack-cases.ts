/**
 * Random initrds over a tiny name alphabet, to compare the kernel's unpack
 * (init/initramfs.c under QEMU), remaster's model of it (RootfsModel,
 * readInitrdTree, readInitrdFile) and remaster's extraction to disk. Names
 * collide on purpose ("a", "a/b", "b/a" ...), so directories are replaced by
 * files and symlinks and back, hard-link groups lose their first member,
 * segments end with or without TRAILER!!! (the kernel forgets its hard-link
 * table only at a trailer) and some are gzip-compressed.
 *
 * Symlink targets come from the caller: the fuzzer points them at a decoy
 * outside the extraction root (absolute, or relative with ".." climbing out);
 * the QEMU test keeps them inside each case's own subtree, so one boot can
 * hold hundreds of cases side by side.
 */
import { gzipSync } from 'node:zlib';
import type { Rng } from '../../fuzz/prng.ts';
import { makeCpio, type MakeEntry } from './make-cpio.ts';

/** One segment of a case. */
export interface CaseSegment {
  entries: MakeEntry[];
  trailer: boolean;
  gzip: boolean;
}

/** A generated case: segments in order. */
export interface UnpackCase {
  segments: CaseSegment[];
}

/** How to generate. */
export interface CaseOptions {
  /** Prepended to every name ("t/r7"); its directories are created by the first entries. */
  prefix?: string;
  /** Symlink targets for a link at `dir` (the link's parent, relative to the case root). */
  targets: (rng: Rng, dir: string) => string;
  /** Inode numbers used are inoBase + 1..3, so cases in one image never share a hard-link group. */
  inoBase?: number;
  /** Most entries (default 14). */
  maxEntries?: number;
  /** Most segments (default 3). */
  maxSegments?: number;
}

const NAMES = ['a', 'b', 'c'];
const FILE_MODES = [0o644, 0o755, 0o4755, 0o2755, 0o600, 0o444, 0o6711];
const DIR_MODES = [0o755, 0o700, 0o555, 0o2775, 0o1777, 0o750];
const OWNERS = [0, 0, 1000, 4242];

function randomPath(rng: Rng): string {
  const depth = rng.pick([1, 1, 2, 2, 2, 3]);
  return Array.from({ length: depth }, () => rng.pick(NAMES)).join('/');
}

function randomData(rng: Rng): string {
  return rng.chance(0.15) ? '' : `d${rng.next().toString(36)}\n`.repeat(rng.between(1, 3));
}

function randomEntry(rng: Rng, options: CaseOptions): MakeEntry {
  const name = randomPath(rng);
  const owner = rng.pick(OWNERS);
  const common = { uid: owner, gid: rng.pick(OWNERS), mtime: 1_000_000_000 + rng.below(700_000_000) };
  const kind = rng.below(100);
  if (kind < 34) return { name, mode: 0o40000 | rng.pick(DIR_MODES), ...common };
  if (kind < 60) return { name, mode: 0o100000 | rng.pick(FILE_MODES), data: randomData(rng), ...common };
  if (kind < 80) {
    return { name, mode: 0o120777, data: options.targets(rng, parentOf(name)), ...common };
  }
  // A hard-link member: the data sits on some members only, as GNU cpio (last) or others (first) write it.
  const ino = (options.inoBase ?? 0) + rng.between(1, 3);
  const member = { name, mode: 0o100000 | rng.pick(FILE_MODES), ino, nlink: rng.pick([2, 2, 3]), data: rng.chance(0.5) ? randomData(rng) : '', ...common };
  // Near misses the kernel must not link (find_link() keys ino, major, minor and mode & S_IFMT; maybe_link() wants nlink >= 2):
  // a group's ino with nlink 1, on another device, or on a directory or symlink.
  const v = rng.below(100);
  if (v < 8) return { ...member, nlink: 1 };
  if (v < 14) return { ...member, devMajor: rng.pick([0, 8]), devMinor: rng.pick([0, 1]) };
  if (v < 18) return { name, mode: 0o40000 | rng.pick(DIR_MODES), ino, nlink: 2, ...common };
  if (v < 22) return { name, mode: 0o120777, ino, nlink: 2, data: options.targets(rng, parentOf(name)), ...common };
  return member;
}

function parentOf(name: string): string {
  return name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
}

/** Generate one case. */
export function randomCase(rng: Rng, options: CaseOptions): UnpackCase {
  const count = rng.between(2, options.maxEntries ?? 14);
  const entries = Array.from({ length: count }, () => randomEntry(rng, options));
  const segments: CaseSegment[] = [];
  let start = 0;
  const cuts = rng.between(0, (options.maxSegments ?? 3) - 1);
  for (let i = 0; i <= cuts; i++) {
    const end = i === cuts ? entries.length : rng.between(start, entries.length);
    segments.push({ entries: entries.slice(start, end), trailer: rng.chance(0.8), gzip: rng.chance(0.3) });
    start = end;
  }
  if (options.prefix !== undefined) prefixCase(segments, options.prefix);
  for (const [i, e] of segments.flatMap((s) => s.entries).entries()) e.ino ??= (options.inoBase ?? 0) + 100 + i;
  return { segments };
}

/** Put every name under `prefix` and create the prefix's directories first. */
export function prefixCase(segments: CaseSegment[], prefix: string): void {
  for (const e of segments.flatMap((s) => s.entries)) e.name = `${prefix}/${e.name}`;
  const parts = prefix.split('/');
  const dirs = parts.map((_, i) => ({ name: parts.slice(0, i + 1).join('/'), mode: 0o40755, mtime: 1_600_000_000 }));
  segments[0]?.entries.unshift(...dirs);
}

/** The image bytes: segments in order, gzip where asked, every segment starting and the whole ending 4-aligned. */
export function caseBytes(c: UnpackCase): Uint8Array {
  const parts: Uint8Array[] = [];
  let length = 0;
  for (const s of c.segments) {
    if (s.entries.length === 0 && !s.trailer) continue;
    const raw = makeCpio(s.entries, { trailer: s.trailer });
    const bytes = s.gzip ? new Uint8Array(gzipSync(raw)) : raw;
    const pad = (4 - (length % 4)) % 4;
    if (pad > 0) parts.push(new Uint8Array(pad));
    parts.push(bytes);
    length += pad + bytes.length;
  }
  // End 4-aligned too, so images can be concatenated (the kernel looks for "0707" at 4-aligned offsets only).
  parts.push(new Uint8Array((4 - (length % 4)) % 4));
  return Uint8Array.from(Buffer.concat(parts));
}
