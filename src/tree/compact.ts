/**
 * Compact storage for millions of entries: typed-array columns grown in
 * fixed blocks (no object, no copy of the whole column when it grows), a byte
 * arena for names, and an open-addressing hash of positions keyed by path.
 * An object per entry costs 250–350 bytes in V8 (a Map entry, two strings,
 * a dozen fields); these cost what the data needs, so an image of 2 million
 * entries is indexed in a few hundred MiB, not in gigabytes (issue 10).
 */

const BLOCK_SHIFT = 16;
const BLOCK_SIZE = 1 << BLOCK_SHIFT;
const BLOCK_MASK = BLOCK_SIZE - 1;

type TypedArray = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** A growable column of numbers, stored in blocks of 65,536. */
export class Column<T extends TypedArray> {
  readonly #make: (n: number) => T;
  readonly #blocks: T[] = [];

  /** Make a column whose blocks `make` allocates (e.g. `(n) => new Uint32Array(n)`). */
  constructor(make: (n: number) => T) {
    this.#make = make;
  }

  /** Return the value at `i` (0 for a block never written). */
  get(i: number): number {
    return (this.#blocks[i >>> BLOCK_SHIFT]?.[i & BLOCK_MASK] as number | undefined) ?? 0;
  }

  /** Set the value at `i`, growing the column when needed. */
  set(i: number, value: number): void {
    const b = i >>> BLOCK_SHIFT;
    while (this.#blocks.length <= b) this.#blocks.push(this.#make(BLOCK_SIZE));
    (this.#blocks[b] as T)[i & BLOCK_MASK] = value;
  }
}

/** Make a Uint32 column. */
export const u32Column = (): Column<Uint32Array> => new Column((n) => new Uint32Array(n));
/** Make a Float64 column (offsets and sizes beyond 4 GiB). */
export const f64Column = (): Column<Float64Array> => new Column((n) => new Float64Array(n));
/** Make a Uint8 column (flags, type codes). */
export const u8Column = (): Column<Uint8Array> => new Column((n) => new Uint8Array(n));

const ARENA_BLOCK = 1 << 20;

/** Append-only bytes in 1 MiB blocks; a record never straddles two blocks. */
export class ByteArena {
  readonly #blocks: Uint8Array[] = [];
  #used = ARENA_BLOCK; // forces a first block
  #total = 0;

  /** Bytes stored, for memory accounting. */
  get size(): number {
    return this.#total;
  }

  /** Store `parts` as one record and return its address (block * 2^32 + offset). */
  add(...parts: Uint8Array[]): number {
    const len = parts.reduce((n, p) => n + p.length, 0);
    if (this.#used + len > (this.#blocks.at(-1)?.length ?? 0)) {
      this.#blocks.push(new Uint8Array(Math.max(ARENA_BLOCK, len)));
      this.#used = 0;
    }
    const block = this.#blocks.at(-1) as Uint8Array;
    const at = this.#used;
    for (const p of parts) {
      block.set(p, this.#used);
      this.#used += p.length;
    }
    this.#total += len;
    return (this.#blocks.length - 1) * 2 ** 32 + at;
  }

  /** Return a view of `len` bytes at `address` (valid as long as the arena). */
  view(address: number, len: number): Uint8Array {
    const block = this.#blocks[Math.floor(address / 2 ** 32)] as Uint8Array;
    const at = address % 2 ** 32;
    return block.subarray(at, at + len);
  }
}

/** FNV-1a over UTF-16 code units: the key of a path in a PathSlots table. */
export function hashPath(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Open-addressing hash table of entry positions keyed by path. It stores only positions; the
 * owner says what each position's hash is and whether two positions (or a position and a path)
 * hold the same path, so a table over 2 million paths costs 16 MiB.
 */
export class PathSlots {
  #slots = new Int32Array(1024); // position + 1; 0 is empty
  #count = 0;
  readonly #hashOf: (pos: number) => number;

  /** Make a table over positions whose hash `hashOf` returns. */
  constructor(hashOf: (pos: number) => number) {
    this.#hashOf = hashOf;
  }

  /** Number of distinct paths. */
  get size(): number {
    return this.#count;
  }

  /**
   * Put `pos` in the slot of its path: when `same(existing, pos)` holds for a position already
   * there, replace it (later entries win) and return the replaced position; else return -1.
   */
  put(pos: number, same: (a: number, b: number) => boolean): number {
    if ((this.#count + 1) * 2 > this.#slots.length) this.#grow();
    const h = this.#hashOf(pos);
    const mask = this.#slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const cur = (this.#slots[i] as number) - 1;
      if (cur < 0) {
        this.#slots[i] = pos + 1;
        this.#count++;
        return -1;
      }
      if (this.#hashOf(cur) === h && same(cur, pos)) {
        this.#slots[i] = pos + 1;
        return cur;
      }
    }
  }

  /** Return the position stored for a path with hash `h` for which `matches` holds, or -1. */
  find(h: number, matches: (pos: number) => boolean): number {
    const mask = this.#slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const cur = (this.#slots[i] as number) - 1;
      if (cur < 0) return -1;
      if (this.#hashOf(cur) === h && matches(cur)) return cur;
    }
  }

  /** Every stored position, in slot order. */
  *positions(): Generator<number> {
    for (const s of this.#slots) if (s !== 0) yield s - 1;
  }

  #grow(): void {
    const old = this.#slots;
    this.#slots = new Int32Array(old.length * 2);
    const mask = this.#slots.length - 1;
    for (const s of old) {
      if (s === 0) continue;
      let i = this.#hashOf(s - 1) & mask;
      while (this.#slots[i] !== 0) i = (i + 1) & mask;
      this.#slots[i] = s;
    }
  }
}
