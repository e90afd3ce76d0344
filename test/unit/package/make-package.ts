import { concatBytes } from '../../../src/io/align.ts';
/**
 * Hand-made package bytes for unit and security tests: ar archives, rpm
 * header structures and whole minimal .rpm files around a cpio payload.
 */

const enc = new TextEncoder();

/** Concatenate byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** One ar member header (60 bytes); `size` may lie about the data that follows. */
export function arHeader(name: string, size: number, mode = 0o100644): Uint8Array {
  const f = (s: string, w: number): string => s.padEnd(w, ' ').slice(0, w);
  return enc.encode(f(name, 16) + f('1700000000', 12) + f('0', 6) + f('0', 6) + f(mode.toString(8), 8) + f(String(size), 10) + '`\n');
}

/** An ar archive of members (data padded to even offsets). */
export function makeAr(members: { name: string; data: Uint8Array; size?: number }[]): Uint8Array {
  const parts: Uint8Array[] = [enc.encode('!<arch>\n')];
  for (const m of members) {
    parts.push(arHeader(m.name, m.size ?? m.data.length), m.data);
    if (m.data.length % 2 === 1) parts.push(enc.encode('\n'));
  }
  return concat(...parts);
}

export interface Tag {
  tag: number;
  type: number;
  /** Strings (STRING / STRING_ARRAY), numbers (INT16/INT32) or raw bytes (BIN). */
  value: string | string[] | number[] | Uint8Array;
}

/** Encode a header structure (intro + index + store); `lie` overrides the intro's count or size. */
export function makeRpmHeader(tags: Tag[], lie: { indexCount?: number; dataSize?: number } = {}): Uint8Array {
  const store: number[] = [];
  const index: number[][] = [];
  for (const t of tags) {
    const width = t.type === 3 ? 2 : t.type === 4 ? 4 : 1;
    while (store.length % width !== 0) store.push(0);
    const offset = store.length;
    let count = 1;
    if (typeof t.value === 'string') store.push(...enc.encode(t.value), 0);
    else if (t.value instanceof Uint8Array) {
      store.push(...t.value);
      count = t.value.length;
    } else if (typeof t.value[0] === 'string') {
      for (const s of t.value as string[]) store.push(...enc.encode(s), 0);
      count = t.value.length;
    } else {
      for (const n of t.value as number[]) for (let b = width - 1; b >= 0; b--) store.push((n >>> (8 * b)) & 0xff);
      count = t.value.length;
    }
    index.push([t.tag, t.type, offset, count]);
  }
  const out = new Uint8Array(16 + index.length * 16 + store.length);
  const v = new DataView(out.buffer);
  out.set([0x8e, 0xad, 0xe8, 0x01]);
  v.setUint32(8, lie.indexCount ?? index.length);
  v.setUint32(12, lie.dataSize ?? store.length);
  index.forEach((e, i) => e.forEach((x, k) => v.setUint32(16 + i * 16 + k * 4, x >>> 0)));
  out.set(store, 16 + index.length * 16);
  return out;
}

/** A 96-byte lead. */
export function makeLead(name = 'demo-1-1'): Uint8Array {
  const lead = new Uint8Array(96);
  lead.set([0xed, 0xab, 0xee, 0xdb, 3, 0, 0, 0, 0, 1]);
  lead.set(enc.encode(name), 10);
  lead.set([0, 1, 0, 5], 76);
  return lead;
}

/** A whole .rpm: lead, signature (padded to 8), main header with the given tags, then the payload bytes. */
export function makeRpm(mainTags: Tag[], payload: Uint8Array, mainLie: { indexCount?: number; dataSize?: number } = {}): Uint8Array {
  const sig = makeRpmHeader([{ tag: 1000, type: 4, value: [123] }]);
  const pad = new Uint8Array((8 - (sig.length % 8)) % 8);
  return concat(makeLead(), sig, pad, makeRpmHeader(mainTags, mainLie), payload);
}

/** The main-header tags of a package named demo with a gzip cpio payload and one file. */
export function demoTags(compressor = 'gzip'): Tag[] {
  return [
    { tag: 1000, type: 6, value: 'demo' },
    { tag: 1001, type: 6, value: '1.0' },
    { tag: 1002, type: 6, value: '1' },
    { tag: 1022, type: 6, value: 'x86_64' },
    { tag: 1030, type: 3, value: [0o100755] },
    { tag: 1039, type: 8, value: ['root'] },
    { tag: 1040, type: 8, value: ['wheel'] },
    { tag: 1116, type: 4, value: [0] },
    { tag: 1117, type: 8, value: ['tool'] },
    { tag: 1118, type: 8, value: ['/usr/sbin/'] },
    { tag: 1124, type: 6, value: 'cpio' },
    { tag: 1125, type: 6, value: compressor },
  ];
}
