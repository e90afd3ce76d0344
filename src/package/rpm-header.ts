/**
 * RPM lead and header structures (LSB Core 4.1 "Package File Format" §22.2
 * and rpm's lib/header.c): a 96-byte lead (magic ed ab ee db), then header
 * structures, each an 8-byte intro (magic 8e ad e8 01 + 4 reserved bytes),
 * the index count and data size as big-endian u32, `count` 16-byte index
 * entries (tag, type, offset, count) and the data store they point into.
 *
 * Every count, offset and size is checked against the store before use; the
 * index count and store size are bounded before allocation (rpm itself caps
 * them at 0xffff entries and 256 MiB), so a hostile header cannot make the
 * reader allocate more than it declares and the input holds.
 */
import { RemasterError } from '../errors.ts';

export const RPM_LEAD_SIZE = 96;
export const RPM_LEAD_MAGIC = Uint8Array.of(0xed, 0xab, 0xee, 0xdb);
export const RPM_HEADER_MAGIC = Uint8Array.of(0x8e, 0xad, 0xe8, 0x01);
export const RPM_HEADER_INTRO_SIZE = 16;
export const RPM_INDEX_ENTRY_SIZE = 16;

/** Value types of index entries (LSB Table 22-6). */
export const RPM_TYPE = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
const ITEM_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };

/** The lead: mostly obsolete, kept for the name and the package type. */
export interface RpmLead {
  major: number;
  minor: number;
  /** 0 binary, 1 source. */
  type: number;
  archnum: number;
  name: string;
  osnum: number;
  signatureType: number;
}

/** One index entry as stored. */
export interface RpmIndexEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

/** A decoded value: strings, a string list, numbers, or raw bytes for BIN. */
export type RpmValue = string | string[] | number[] | Uint8Array;

/** A decoded header structure. */
export interface RpmHeader {
  /** Absolute offset of the header's intro in the package. */
  offset: number;
  /** Bytes the structure occupies (intro + index + store, without padding). */
  size: number;
  entries: RpmIndexEntry[];
  values: Map<number, RpmValue>;
}

const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** Decode the 96-byte lead; `offset` is only reported in errors. */
export function decodeRpmLead(bytes: Uint8Array, offset = 0): RpmLead {
  if (bytes.length < RPM_LEAD_SIZE || !startsWith(bytes, RPM_LEAD_MAGIC)) {
    throw new RemasterError('RPM_BAD_HEADER', `not an rpm: lead magic ${hex(bytes.subarray(0, 4))}, expected edabeedb`, { offset });
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, RPM_LEAD_SIZE);
  const nameBytes = bytes.subarray(10, 76);
  const nul = nameBytes.indexOf(0);
  return {
    major: bytes[4] as number,
    minor: bytes[5] as number,
    type: v.getUint16(6),
    archnum: v.getUint16(8),
    name: latin1.decode(nul < 0 ? nameBytes : nameBytes.subarray(0, nul)),
    osnum: v.getUint16(76),
    signatureType: v.getUint16(78),
  };
}

/** Decode a header intro; return the index count and data store size after bounding them. */
export function decodeRpmHeaderIntro(bytes: Uint8Array, offset: number, limits: { maxIndexEntries: number; maxHeaderSize: number }): { indexCount: number; dataSize: number } {
  if (!startsWith(bytes, RPM_HEADER_MAGIC)) throw new RemasterError('RPM_BAD_HEADER', `bad header magic ${hex(bytes.subarray(0, 4))}, expected 8eade801`, { offset });
  const v = new DataView(bytes.buffer, bytes.byteOffset, RPM_HEADER_INTRO_SIZE);
  const indexCount = v.getUint32(8);
  const dataSize = v.getUint32(12);
  // A count of 4 billion entries would make a 64 GiB index allocation (the "huge index count" attack).
  if (indexCount === 0 || indexCount > limits.maxIndexEntries) {
    throw new RemasterError('RPM_BAD_HEADER', `header index count ${indexCount} is outside 1..${limits.maxIndexEntries}`, { offset: offset + 8 });
  }
  if (dataSize > limits.maxHeaderSize) throw new RemasterError('RPM_BAD_HEADER', `header data size ${dataSize} exceeds ${limits.maxHeaderSize}`, { offset: offset + 12 });
  return { indexCount, dataSize };
}

/** Decode the index entries and their values from `index` (16 * n bytes) and `store`; `offset` is the intro's. */
export function decodeRpmHeader(index: Uint8Array, store: Uint8Array, offset: number): RpmHeader {
  const v = new DataView(index.buffer, index.byteOffset, index.byteLength);
  const entries: RpmIndexEntry[] = [];
  const values = new Map<number, RpmValue>();
  for (let i = 0; i + RPM_INDEX_ENTRY_SIZE <= index.length; i += RPM_INDEX_ENTRY_SIZE) {
    const e = { tag: v.getUint32(i), type: v.getUint32(i + 4), offset: v.getInt32(i + 8), count: v.getUint32(i + 12) };
    const at = offset + RPM_HEADER_INTRO_SIZE + i;
    entries.push(e);
    const value = decodeValue(e, store, at);
    if (value !== undefined && !values.has(e.tag)) values.set(e.tag, value);
  }
  return { offset, size: RPM_HEADER_INTRO_SIZE + index.length + store.length, entries, values };
}

function decodeValue(e: RpmIndexEntry, store: Uint8Array, at: number): RpmValue | undefined {
  if (e.type === RPM_TYPE.NULL) return undefined;
  if (e.offset < 0 || e.offset > store.length) throw bad(`index entry for tag ${e.tag} points at ${e.offset}, outside the ${store.length}-byte data store`, at);
  if (e.type === RPM_TYPE.STRING || e.type === RPM_TYPE.STRING_ARRAY || e.type === RPM_TYPE.I18NSTRING) {
    // Each string takes at least one byte, so a count above the store size is a lie told to make us loop.
    if (e.count === 0 || e.count > store.length - e.offset) throw bad(`tag ${e.tag}: ${e.count} strings cannot fit in ${store.length - e.offset} bytes`, at);
    const list = readStrings(store, e.offset, e.type === RPM_TYPE.STRING ? 1 : e.count, e.tag, at);
    return e.type === RPM_TYPE.STRING_ARRAY ? list : (list[0] as string);
  }
  const size = ITEM_SIZE[e.type];
  if (size === undefined) throw bad(`tag ${e.tag} has unknown type ${e.type}`, at);
  if (e.count * size > store.length - e.offset) throw bad(`tag ${e.tag}: ${e.count} items of ${size} bytes at ${e.offset} run past the ${store.length}-byte data store`, at);
  if (e.type === RPM_TYPE.BIN) return store.slice(e.offset, e.offset + e.count);
  const v = new DataView(store.buffer, store.byteOffset + e.offset, e.count * size);
  const out: number[] = [];
  for (let k = 0; k < e.count; k++) {
    if (size === 1) out.push(v.getUint8(k));
    else if (size === 2) out.push(v.getUint16(k * 2));
    else if (size === 4) out.push(v.getUint32(k * 4));
    else out.push(Number(v.getBigUint64(k * 8)));
  }
  return out;
}

function readStrings(store: Uint8Array, start: number, count: number, tag: number, at: number): string[] {
  const out: string[] = [];
  let pos = start;
  for (let k = 0; k < count; k++) {
    const nul = store.indexOf(0, pos);
    if (nul < 0) throw bad(`tag ${tag}: string ${k} is not NUL-terminated inside the data store`, at);
    out.push(utf8.decode(store.subarray(pos, nul)));
    pos = nul + 1;
  }
  return out;
}

function bad(detail: string, offset: number): RemasterError {
  return new RemasterError('RPM_BAD_HEADER', detail, { offset });
}
