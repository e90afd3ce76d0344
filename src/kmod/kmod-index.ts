/**
 * The kmod binary index, version 2.1 (`modules.dep.bin`, `modules.alias.bin`,
 * `modules.symbols.bin`, `modules.builtin.bin`, `modules.builtin.alias.bin`),
 * as written by kmod-project/kmod tools/depmod.c index_write() and read by
 * libkmod/libkmod-index.c (reference 02 §3).
 *
 * Layout, all integers big-endian u32: magic 0xB007F457, version 0x00020001,
 * root node word, then nodes. A node word is a file offset (low 28 bits) with
 * flags PREFIX 0x80000000, VALUES 0x40000000, CHILDS 0x20000000. A node is
 * [prefix NUL] [first u8, last u8, child words] [count, {priority, value NUL}].
 *
 * The writer reproduces depmod byte for byte: the same Patricia trie (a
 * node's prefix is split where a new key diverges), children written before
 * their parent (post-order, in byte order), values of a key sorted by
 * ascending priority with a newer value placed before older ones of equal
 * priority, duplicates kept (depmod only reports them).
 */
import { RemasterError } from '../errors.ts';
import { latin1 } from './elf-sections.ts';

export const KMOD_INDEX_MAGIC = 0xb007f457;
export const KMOD_INDEX_VERSION = 0x00020001;
export const KMOD_INDEX_NODE_PREFIX = 0x80000000;
export const KMOD_INDEX_NODE_VALUES = 0x40000000;
export const KMOD_INDEX_NODE_CHILDS = 0x20000000;
export const KMOD_INDEX_NODE_MASK = 0x0fffffff;
/** Keys and values are 7-bit ASCII (INDEX_CHILDMAX 128). */
export const KMOD_INDEX_CHILDMAX = 128;

/** One key -> value mapping with its priority (lower sorts first). */
export interface KmodIndexEntry {
  key: string;
  value: string;
  priority: number;
}

/** A value stored under a key. */
export interface KmodIndexValue {
  value: string;
  priority: number;
}

interface TrieNode {
  prefix: string;
  values: KmodIndexValue[];
  children: Map<number, TrieNode>;
}

function newNode(prefix: string): TrieNode {
  return { prefix, values: [], children: new Map() };
}

function checkAscii(s: string): void {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= KMOD_INDEX_CHILDMAX) {
      throw new RemasterError('LIMIT_EXCEEDED', `kmod index: character 0x${s.charCodeAt(i).toString(16)} in ${JSON.stringify(s)}; only 7-bit ASCII is supported`);
    }
  }
}

function addValue(values: KmodIndexValue[], value: string, priority: number): void {
  let i = 0;
  while (i < values.length && (values[i] as KmodIndexValue).priority < priority) i++;
  values.splice(i, 0, { value, priority });
}

/** Insert into the trie exactly as depmod's index_insert() does. */
function insert(root: TrieNode, key: string, value: string, priority: number): void {
  let node = root;
  let i = 0;
  for (;;) {
    let j = 0;
    for (; j < node.prefix.length; j++) {
      if (node.prefix.charCodeAt(j) !== key.charCodeAt(i + j)) {
        const child: TrieNode = { prefix: node.prefix.slice(j + 1), values: node.values, children: node.children };
        node.children = new Map([[node.prefix.charCodeAt(j), child]]);
        node.values = [];
        node.prefix = node.prefix.slice(0, j);
        break;
      }
    }
    i += j;
    if (i === key.length) return addValue(node.values, value, priority);
    const ch = key.charCodeAt(i);
    const next = node.children.get(ch);
    if (!next) {
      const leaf = newNode(key.slice(i + 1));
      leaf.values.push({ value, priority });
      node.children.set(ch, leaf);
      return;
    }
    node = next;
    i++;
  }
}

class ByteSink {
  #buf = new Uint8Array(1 << 16);
  length = 0;
  #ensure(n: number): void {
    if (this.length + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.length));
    this.#buf = next;
  }
  u8(v: number): void {
    this.#ensure(1);
    this.#buf[this.length++] = v;
  }
  u32(v: number): void {
    this.#ensure(4);
    new DataView(this.#buf.buffer).setUint32(this.length, v >>> 0, false);
    this.length += 4;
  }
  cstring(s: string): void {
    this.#ensure(s.length + 1);
    for (let i = 0; i < s.length; i++) this.#buf[this.length++] = s.charCodeAt(i);
    this.#buf[this.length++] = 0;
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.length);
  }
}

function writeNode(node: TrieNode, out: ByteSink): number {
  const keys = [...node.children.keys()];
  const first = keys.length ? Math.min(...keys) : 0;
  const last = keys.length ? Math.max(...keys) : -1;
  const childWords: number[] = [];
  for (let c = first; c <= last; c++) {
    const child = node.children.get(c);
    childWords.push(child ? writeNode(child, out) : 0);
  }
  let word = out.length;
  if (word > KMOD_INDEX_NODE_MASK) throw new RemasterError('LIMIT_EXCEEDED', `kmod index larger than ${KMOD_INDEX_NODE_MASK} bytes`);
  if (node.prefix) {
    out.cstring(node.prefix);
    word |= KMOD_INDEX_NODE_PREFIX;
  }
  if (childWords.length) {
    out.u8(first);
    out.u8(last);
    for (const w of childWords) out.u32(w);
    word |= KMOD_INDEX_NODE_CHILDS;
  }
  if (node.values.length) {
    out.u32(node.values.length);
    for (const v of node.values) {
      out.u32(v.priority);
      out.cstring(v.value);
    }
    word |= KMOD_INDEX_NODE_VALUES;
  }
  return word >>> 0;
}

/** Encode entries, inserted in the given order, as a kmod index v2.1 file. */
export function encodeKmodIndex(entries: Iterable<KmodIndexEntry>): Uint8Array {
  const root = newNode('');
  for (const e of entries) {
    checkAscii(e.key);
    checkAscii(e.value);
    insert(root, e.key, e.value, e.priority);
  }
  const out = new ByteSink();
  out.u32(KMOD_INDEX_MAGIC);
  out.u32(KMOD_INDEX_VERSION);
  out.u32(0);
  const rootWord = writeNode(root, out);
  const bytes = out.bytes();
  new DataView(bytes.buffer).setUint32(8, rootWord, false);
  return bytes;
}

function bad(detail: string, offset: number): RemasterError {
  return new RemasterError('MODULE_BAD_ELF', `kmod index: ${detail}`, { offset });
}

function readCStr(bytes: Uint8Array, at: number): [string, number] {
  let end = at;
  while (end < bytes.length && bytes[end] !== 0) end++;
  if (end >= bytes.length) throw bad(`string at 0x${at.toString(16)} runs past the end of the file`, at);
  return [latin1(bytes, at, end), end + 1];
}

interface DecodedNode {
  prefix: string;
  values: KmodIndexValue[];
  children: Array<[number, number]>;
}

function decodeNode(bytes: Uint8Array, view: DataView, word: number): DecodedNode {
  let at = word & KMOD_INDEX_NODE_MASK;
  const need = (n: number) => {
    if (at + n > bytes.length) throw bad(`node at 0x${(word & KMOD_INDEX_NODE_MASK).toString(16)} runs past the end of the file`, at);
  };
  const node: DecodedNode = { prefix: '', values: [], children: [] };
  if (word & KMOD_INDEX_NODE_PREFIX) [node.prefix, at] = readCStr(bytes, at);
  if (word & KMOD_INDEX_NODE_CHILDS) {
    need(2);
    const first = bytes[at] as number;
    const last = bytes[at + 1] as number;
    at += 2;
    if (last < first || last >= KMOD_INDEX_CHILDMAX) throw bad(`bad child range ${first}..${last}`, at - 2);
    need(4 * (last - first + 1));
    for (let c = first; c <= last; c++, at += 4) node.children.push([c, view.getUint32(at, false)]);
  }
  if (word & KMOD_INDEX_NODE_VALUES) {
    need(4);
    const count = view.getUint32(at, false);
    at += 4;
    for (let i = 0; i < count; i++) {
      need(4);
      const priority = view.getUint32(at, false);
      const [value, next] = readCStr(bytes, at + 4);
      node.values.push({ value, priority });
      at = next;
    }
  }
  return node;
}

/** Decode a whole kmod index v2.1 file into key -> values (in stored order). */
export function decodeKmodIndex(bytes: Uint8Array): Map<string, KmodIndexValue[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12) throw bad(`file of ${bytes.length} bytes is shorter than the 12-byte header`, 0);
  const magic = view.getUint32(0, false);
  if (magic !== KMOD_INDEX_MAGIC) throw bad(`bad magic 0x${magic.toString(16)}, expected 0x${KMOD_INDEX_MAGIC.toString(16)}`, 0);
  const version = view.getUint32(4, false);
  if (version >>> 16 !== KMOD_INDEX_VERSION >>> 16) throw bad(`unsupported version 0x${version.toString(16)}, expected major 2`, 4);
  const out = new Map<string, KmodIndexValue[]>();
  const seen = new Set<number>();
  // An explicit stack, and a visited set: a crafted file must not recurse
  // without bound or loop through a node cycle.
  const stack: Array<[word: number, key: string]> = [[view.getUint32(8, false), '']];
  while (stack.length) {
    const [word, key] = stack.pop() as [number, string];
    const off = word & KMOD_INDEX_NODE_MASK;
    if (seen.has(off)) throw bad(`node at 0x${off.toString(16)} is reached twice`, off);
    seen.add(off);
    const node = decodeNode(bytes, view, word);
    const full = key + node.prefix;
    if (node.values.length) out.set(full, node.values);
    for (const [c, w] of node.children.reverse()) if (w !== 0) stack.push([w, full + String.fromCharCode(c)]);
  }
  return out;
}
