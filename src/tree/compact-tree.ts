/**
 * A FileTree (path → TreeEntry) stored as columns (compact.ts): about 90
 * bytes a path plus 32 bytes per distinct non-empty file digest, where a Map
 * of TreeEntry objects with hex digests costs 300+. `remaster diff` holds two
 * of them; for two images of 2 million entries that is the difference
 * between 2 GiB and a few hundred MiB. Entries are made on demand; iteration
 * follows the order in which paths first appeared (a later entry at the same
 * path replaces the stored one in place).
 */
import { ByteArena, f64Column, hashPath, PathSlots, u32Column, u8Column } from './compact.ts';
import type { TreeEntry, TreeNodeType } from './diff.ts';

const TYPES: readonly (TreeNodeType | undefined)[] = [undefined, 'file', 'dir', 'symlink', 'char', 'block', 'fifo', 'socket'];
const TYPE_CODES = new Map(TYPES.map((t, i) => [t, i]));
/** sha256 of no data: every empty file has it, so it is not stored per file. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SHA_NONE = 0;
const SHA_EMPTY = 1;
const FLAG_LINK = 1;
const FLAG_RDEV = 2;
const FLAG_SEGMENT = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A path-keyed tree of entries in columns; read-only Map semantics for diffTrees. */
export class CompactTree implements ReadonlyMap<string, TreeEntry> {
  #n = 0;
  readonly #address = f64Column();
  readonly #pathLen = u32Column();
  readonly #linkLen = u32Column();
  readonly #hash = u32Column();
  readonly #type = u8Column();
  readonly #flags = u8Column();
  readonly #perm = u32Column();
  readonly #uid = u32Column();
  readonly #gid = u32Column();
  readonly #mtime = f64Column();
  readonly #size = f64Column();
  readonly #segment = u32Column();
  readonly #rdev = [u32Column(), u32Column()] as const;
  readonly #sha = u32Column();
  readonly #tag = f64Column();
  readonly #shaBytes = u8Column();
  #shaCount = 0;
  readonly #strings = new ByteArena();
  readonly #slots = new PathSlots((slot) => this.#hash.get(slot));

  /** Number of paths. */
  get size(): number {
    return this.#n;
  }

  get [Symbol.toStringTag](): string {
    return 'CompactTree';
  }

  /**
   * Store `entry` at its path, replacing what the path held; `tag` is kept with it (diff.ts stores
   * the entry's stream position to recognise it later). Return the path's slot.
   */
  set(entry: TreeEntry, tag = 0): number {
    const slot = this.slotOf(entry.path);
    const i = slot >= 0 ? slot : this.#n++;
    const path = encoder.encode(entry.path);
    const link = entry.linkTarget === undefined ? undefined : encoder.encode(entry.linkTarget);
    this.#address.set(i, link ? this.#strings.add(path, link) : this.#strings.add(path));
    this.#pathLen.set(i, path.length);
    this.#linkLen.set(i, link?.length ?? 0);
    this.#type.set(i, TYPE_CODES.get(entry.type) ?? 0);
    this.#flags.set(i, (link ? FLAG_LINK : 0) | (entry.rdev ? FLAG_RDEV : 0) | (entry.segment !== undefined ? FLAG_SEGMENT : 0));
    this.#perm.set(i, entry.perm);
    this.#uid.set(i, entry.uid);
    this.#gid.set(i, entry.gid);
    this.#mtime.set(i, entry.mtime);
    this.#size.set(i, entry.size);
    this.#segment.set(i, entry.segment ?? 0);
    this.#rdev[0].set(i, entry.rdev?.[0] ?? 0);
    this.#rdev[1].set(i, entry.rdev?.[1] ?? 0);
    this.#tag.set(i, tag);
    this.setSha256(i, entry.sha256);
    if (slot < 0) {
      this.#hash.set(i, hashPath(entry.path));
      this.#slots.put(i, () => false);
    }
    return i;
  }

  /** Set the digest (and, when given, the size) of the entry in `slot`. */
  setSha256(slot: number, sha256: string | undefined, size?: number): void {
    if (size !== undefined) this.#size.set(slot, size);
    if (sha256 === undefined) this.#sha.set(slot, SHA_NONE);
    else if (sha256 === EMPTY_SHA256) this.#sha.set(slot, SHA_EMPTY);
    else {
      const k = this.#shaCount++;
      const bytes = Buffer.from(sha256, 'hex');
      for (let b = 0; b < 32; b++) this.#shaBytes.set(k * 32 + b, bytes[b] as number);
      this.#sha.set(slot, k + 2);
    }
  }

  /** Return the tag stored with the entry in `slot`. */
  tagAt(slot: number): number {
    return this.#tag.get(slot);
  }

  /** Return the slot of `path`, or -1. */
  slotOf(path: string): number {
    return this.#slots.find(hashPath(path), (slot) => this.#pathAt(slot) === path);
  }

  #pathAt(slot: number): string {
    return decoder.decode(this.#strings.view(this.#address.get(slot), this.#pathLen.get(slot)));
  }

  #sha256At(slot: number): string | undefined {
    const s = this.#sha.get(slot);
    if (s === SHA_NONE) return undefined;
    if (s === SHA_EMPTY) return EMPTY_SHA256;
    const bytes = Buffer.alloc(32);
    for (let b = 0; b < 32; b++) bytes[b] = this.#shaBytes.get((s - 2) * 32 + b);
    return bytes.toString('hex');
  }

  #entryAt(slot: number): TreeEntry {
    const flags = this.#flags.get(slot);
    const e: TreeEntry = {
      path: this.#pathAt(slot), type: TYPES[this.#type.get(slot)], perm: this.#perm.get(slot), uid: this.#uid.get(slot),
      gid: this.#gid.get(slot), mtime: this.#mtime.get(slot), size: this.#size.get(slot),
    };
    const sha = this.#sha256At(slot);
    if (sha !== undefined) e.sha256 = sha;
    if (flags & FLAG_LINK) {
      e.linkTarget = decoder.decode(this.#strings.view(this.#address.get(slot) + this.#pathLen.get(slot), this.#linkLen.get(slot)));
    }
    if (flags & FLAG_RDEV) e.rdev = [this.#rdev[0].get(slot), this.#rdev[1].get(slot)];
    if (flags & FLAG_SEGMENT) e.segment = this.#segment.get(slot);
    return e;
  }

  get(path: string): TreeEntry | undefined {
    const slot = this.slotOf(path);
    return slot < 0 ? undefined : this.#entryAt(slot);
  }

  has(path: string): boolean {
    return this.slotOf(path) >= 0;
  }

  forEach(fn: (value: TreeEntry, key: string, map: ReadonlyMap<string, TreeEntry>) => void): void {
    for (const [k, v] of this) fn(v, k, this);
  }

  *entries(): MapIterator<[string, TreeEntry]> {
    for (let i = 0; i < this.#n; i++) {
      const e = this.#entryAt(i);
      yield [e.path, e];
    }
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.#n; i++) yield this.#pathAt(i);
  }

  *values(): MapIterator<TreeEntry> {
    for (let i = 0; i < this.#n; i++) yield this.#entryAt(i);
  }

  [Symbol.iterator](): MapIterator<[string, TreeEntry]> {
    return this.entries();
  }
}
