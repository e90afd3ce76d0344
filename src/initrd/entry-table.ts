/**
 * The entries of an initrd index as columns (tree/compact.ts) instead of one
 * object per entry: about 100 bytes an entry instead of 300+, so indexing 2
 * million entries for an edit stays within a few hundred MiB. Names are kept
 * as their original bytes; an IndexedEntry object is made only when asked for.
 */
import { decodeName, typeOfMode, type CpioHeader } from '../cpio/index.ts';
import { ByteArena, f64Column, hashPath, PathSlots, toArchivePath, u32Column, u8Column } from '../tree/index.ts';
import type { IndexedEntry } from './scan.ts';

/** The entry's stored name is not a safe path (it has no `path`). */
const FLAG_UNSAFE = 1;
/** The normalised path differs from the stored name ("./x", "/x"). */
const FLAG_RENAMED = 2;
/** The entry has a link target (stored after the name). */
const FLAG_LINK = 4;

const encoder = new TextEncoder();

/** What add() records of one entry. */
export interface TableEntryInput {
  nameBytes: Uint8Array;
  name: string;
  path: string | undefined;
  segment: number;
  header: CpioHeader;
  linkTarget?: string;
  offset: number;
}

/** Entry metadata of a whole image, by position (from 0, in stream order). */
export class EntryTable implements Iterable<IndexedEntry> {
  #n = 0;
  readonly #segment = u32Column();
  readonly #mode = u32Column();
  readonly #uid = u32Column();
  readonly #gid = u32Column();
  readonly #nlink = u32Column();
  readonly #mtime = u32Column();
  readonly #size = f64Column();
  readonly #ino = u32Column();
  readonly #dev = [u32Column(), u32Column(), u32Column(), u32Column()] as const; // maj, min, rmaj, rmin
  readonly #offset = f64Column();
  readonly #address = f64Column();
  readonly #nameLen = u32Column();
  readonly #linkLen = u32Column();
  readonly #hash = u32Column();
  readonly #flags = u8Column();
  readonly #names = new ByteArena();
  /** Last position of every safe path (later entries win, as in the kernel). */
  readonly #last = new PathSlots((pos) => this.#hash.get(pos));

  /** Number of entries. */
  get length(): number {
    return this.#n;
  }

  /** Number of distinct safe paths. */
  get pathCount(): number {
    return this.#last.size;
  }

  /** Record one entry; return its position. */
  add(e: TableEntryInput): number {
    const i = this.#n++;
    const h = e.header;
    this.#segment.set(i, e.segment);
    this.#mode.set(i, h.mode);
    this.#uid.set(i, h.uid);
    this.#gid.set(i, h.gid);
    this.#nlink.set(i, h.nlink);
    this.#mtime.set(i, h.mtime);
    this.#size.set(i, h.fileSize);
    this.#ino.set(i, h.ino);
    this.#dev[0].set(i, h.devMajor);
    this.#dev[1].set(i, h.devMinor);
    this.#dev[2].set(i, h.rdevMajor);
    this.#dev[3].set(i, h.rdevMinor);
    this.#offset.set(i, e.offset);
    const link = e.linkTarget === undefined ? undefined : encoder.encode(e.linkTarget);
    this.#address.set(i, link ? this.#names.add(e.nameBytes, link) : this.#names.add(e.nameBytes));
    this.#nameLen.set(i, e.nameBytes.length);
    this.#linkLen.set(i, link?.length ?? 0);
    const flags = (e.path === undefined ? FLAG_UNSAFE : e.path !== e.name ? FLAG_RENAMED : 0) | (link ? FLAG_LINK : 0);
    this.#flags.set(i, flags);
    if (e.path !== undefined) {
      this.#hash.set(i, hashPath(e.path));
      this.#last.put(i, (a, b) => this.samePath(a, b));
    }
    return i;
  }

  /** Return the stored name at `i`. */
  nameAt(i: number): string {
    return decodeName(this.#names.view(this.#address.get(i), this.#nameLen.get(i)));
  }

  /** Return the normalised path at `i`, or undefined for an unsafe name. */
  pathAt(i: number): string | undefined {
    const f = this.#flags.get(i);
    if (f & FLAG_UNSAFE) return undefined;
    return f & FLAG_RENAMED ? toArchivePath(this.nameAt(i)) : this.nameAt(i);
  }

  /** Return the hash of the path at `i` (tree/compact.ts hashPath; 0 for unsafe names). */
  hashAt(i: number): number {
    return this.#hash.get(i);
  }

  /** Return the segment of the entry at `i`. */
  segmentAt(i: number): number {
    return this.#segment.get(i);
  }

  /** Return the file type of the entry at `i`. */
  typeAt(i: number): IndexedEntry['type'] {
    return typeOfMode(this.#mode.get(i));
  }

  /** Return true when the entries at `a` and `b` have the same (safe) path. */
  samePath(a: number, b: number): boolean {
    if (this.#hash.get(a) !== this.#hash.get(b)) return false;
    const fa = this.#flags.get(a);
    const fb = this.#flags.get(b);
    if ((fa | fb) & FLAG_UNSAFE) return false;
    if (((fa | fb) & FLAG_RENAMED) === 0) {
      const la = this.#nameLen.get(a);
      if (la !== this.#nameLen.get(b)) return false;
      return Buffer.from(this.#names.view(this.#address.get(a), la)).equals(this.#names.view(this.#address.get(b), la));
    }
    return this.pathAt(a) === this.pathAt(b);
  }

  /** Return the position of the last entry at `path` (normalised), or -1. */
  lastAt(path: string): number {
    return this.#last.find(hashPath(path), (pos) => this.pathAt(pos) === path);
  }

  /** Return the link target at `i`, if any. */
  linkAt(i: number): string | undefined {
    if ((this.#flags.get(i) & FLAG_LINK) === 0) return undefined;
    return decodeName(this.#names.view(this.#address.get(i) + this.#nameLen.get(i), this.#linkLen.get(i)));
  }

  /** Make the IndexedEntry object of position `i`. */
  get(i: number): IndexedEntry {
    const item: IndexedEntry = {
      name: this.nameAt(i), path: this.pathAt(i), segment: this.#segment.get(i), position: i, type: this.typeAt(i),
      mode: this.#mode.get(i), uid: this.#uid.get(i), gid: this.#gid.get(i), nlink: this.#nlink.get(i), mtime: this.#mtime.get(i),
      size: this.#size.get(i), ino: this.#ino.get(i), devMajor: this.#dev[0].get(i), devMinor: this.#dev[1].get(i),
      rdevMajor: this.#dev[2].get(i), rdevMinor: this.#dev[3].get(i), offset: this.#offset.get(i),
    };
    const link = this.linkAt(i);
    if (link !== undefined) item.linkTarget = link;
    return item;
  }

  /** Return mode, uid, gid and mtime of `i` (what a rebuild copies onto a directory). */
  metaAt(i: number): { mode: number; uid: number; gid: number; mtime: number } {
    return { mode: this.#mode.get(i), uid: this.#uid.get(i), gid: this.#gid.get(i), mtime: this.#mtime.get(i) };
  }

  /** Every entry, made one at a time. */
  *[Symbol.iterator](): Generator<IndexedEntry> {
    for (let i = 0; i < this.#n; i++) yield this.get(i);
  }

  /** Return the entries for which `keep` holds. */
  filter(keep: (e: IndexedEntry) => boolean): IndexedEntry[] {
    const out: IndexedEntry[] = [];
    for (let i = 0; i < this.#n; i++) {
      const e = this.get(i);
      if (keep(e)) out.push(e);
    }
    return out;
  }
}
