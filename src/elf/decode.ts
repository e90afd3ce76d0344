/**
 * ELF dynamic-linking facts: the ELF header, program headers, PT_INTERP and
 * the PT_DYNAMIC segment with its dynamic string table (System V ABI / ELF
 * gABI, "Program Header" and "Dynamic Section"; x86-64 psABI for EM_X86_64).
 *
 * The dynamic section is found through PT_DYNAMIC, not the ".dynamic" section
 * name, so stripped objects without section headers still decode (reference
 * 02 §8 step 4). DT_STRTAB holds a virtual address, mapped to a file offset
 * through the PT_LOAD segment that covers it. Every offset, size and count
 * comes from untrusted bytes and is checked against the input length before
 * use; strings are bounded by maxStringSize.
 */
import { RemasterError } from '../errors.ts';

export const ELF_MAGIC = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46); // "\x7fELF", gABI e_ident[EI_MAG0..3]
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;
const PN_XNUM = 0xffff; // gABI: real e_phnum lives in section header 0; not supported
/** Longest string read from an ELF object (interpreter, soname, paths), like PATH_MAX. */
export const DEFAULT_MAX_ELF_STRING = 4096;

/** What the dynamic linker needs to know about an object. */
export interface ElfInfo {
  class: 32 | 64;
  endian: 'little' | 'big';
  /** e_ident[EI_OSABI] (0 System V, 3 GNU/Linux). */
  osabi: number;
  /** e_machine (62 = EM_X86_64, 183 = EM_AARCH64, 3 = EM_386). */
  machine: number;
  /** e_type (1 REL, 2 EXEC, 3 DYN, 4 CORE). */
  type: number;
  /** PT_INTERP: the program interpreter path, e.g. /lib64/ld-linux-x86-64.so.2. */
  interpreter?: string;
  /** DT_NEEDED sonames, in file order. */
  needed: string[];
  runpath?: string;
  rpath?: string;
  soname?: string;
}

/** Options for decodeElf. */
export interface DecodeElfOptions {
  /** Longest string accepted (default 4096). */
  maxStringSize?: number;
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

class Fields {
  readonly view: DataView;
  readonly le: boolean;
  readonly is64: boolean;
  constructor(bytes: Uint8Array, le: boolean, is64: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = le;
    this.is64 = is64;
  }
  u16(at: number): number {
    return this.view.getUint16(at, this.le);
  }
  u32(at: number): number {
    return this.view.getUint32(at, this.le);
  }
  /** Read an address-sized field (u32 or u64); values past 2^53 become Infinity so bounds checks fail. */
  addr(at: number): number {
    if (!this.is64) return this.view.getUint32(at, this.le);
    const v = this.view.getBigUint64(at, this.le);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.POSITIVE_INFINITY : Number(v);
  }
}

function bad(detail: string, offset: number): RemasterError {
  return new RemasterError('ELF_BAD', detail, { offset });
}

/** Return true when `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

/** Decode the ELF header, PT_INTERP and the dynamic section of an object; throw ELF_BAD with the offset on corruption. */
export function decodeElf(bytes: Uint8Array, options: DecodeElfOptions = {}): ElfInfo {
  const maxString = options.maxStringSize ?? DEFAULT_MAX_ELF_STRING;
  if (bytes.length < 16 || !isElf(bytes)) throw bad(`not an ELF object: magic ${hexBytes(bytes.subarray(0, 4))}, expected 7f454c46`, 0);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw bad(`bad EI_CLASS ${String(cls)}, expected 1 (32-bit) or 2 (64-bit)`, 4);
  if (data !== 1 && data !== 2) throw bad(`bad EI_DATA ${String(data)}, expected 1 (LSB) or 2 (MSB)`, 5);
  const is64 = cls === 2;
  if (bytes.length < (is64 ? 64 : 52)) throw bad(`ELF header truncated: ${bytes.length} bytes, needs ${is64 ? 64 : 52}`, 0);
  const f = new Fields(bytes, data === 1, is64);
  const info: ElfInfo = { class: is64 ? 64 : 32, endian: data === 1 ? 'little' : 'big', osabi: bytes[7] as number, machine: f.u16(18), type: f.u16(16), needed: [] };
  const segments = decodeProgramHeaders(f, bytes.length);
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) info.interpreter = readString(bytes, interp.offset, interp.offset + interp.filesz, maxString, 'PT_INTERP');
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (dynamic) decodeDynamic(f, bytes, dynamic, segments, info, maxString);
  return info;
}

function decodeProgramHeaders(f: Fields, length: number): Segment[] {
  const phoff = f.addr(f.is64 ? 32 : 28);
  const phentsize = f.u16(f.is64 ? 54 : 42);
  const phnum = f.u16(f.is64 ? 56 : 44);
  if (phnum === 0) return [];
  if (phnum === PN_XNUM) throw bad(`e_phnum is PN_XNUM (extended numbering is not supported)`, f.is64 ? 56 : 44);
  const minSize = f.is64 ? 56 : 32;
  if (phentsize < minSize) throw bad(`e_phentsize ${phentsize} is smaller than ${minSize}`, f.is64 ? 54 : 42);
  // phnum < 0xffff and phentsize < 0x10000 keep the table under 4 GiB; it must also fit in the input.
  if (phoff + phnum * phentsize > length) throw bad(`program header table (${phnum} x ${phentsize} bytes at ${phoff}) runs past the end (${length} bytes)`, phoff);
  const out: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    const seg = f.is64
      ? { type: f.u32(at), offset: f.addr(at + 8), vaddr: f.addr(at + 16), filesz: f.addr(at + 32) }
      : { type: f.u32(at), offset: f.addr(at + 4), vaddr: f.addr(at + 8), filesz: f.addr(at + 16) };
    if ((seg.type === PT_INTERP || seg.type === PT_DYNAMIC) && seg.offset + seg.filesz > length) {
      throw bad(`segment ${i} (type ${seg.type}) at ${seg.offset} with ${seg.filesz} bytes runs past the end (${length} bytes)`, at);
    }
    out.push(seg);
  }
  return out;
}

function decodeDynamic(f: Fields, bytes: Uint8Array, dyn: Segment, segments: Segment[], info: ElfInfo, maxString: number): void {
  const entSize = f.is64 ? 16 : 8;
  const tags: [number, number][] = [];
  for (let at = dyn.offset; at + entSize <= dyn.offset + dyn.filesz; at += entSize) {
    const tag = f.is64 ? Number(f.view.getBigInt64(at, f.le)) : f.view.getInt32(at, f.le);
    if (tag === DT_NULL) break;
    tags.push([tag, f.addr(at + entSize / 2)]);
  }
  const strtab = tags.find(([t]) => t === DT_STRTAB)?.[1];
  const wanted = tags.filter(([t]) => t === DT_NEEDED || t === DT_SONAME || t === DT_RPATH || t === DT_RUNPATH);
  if (wanted.length === 0) return;
  if (strtab === undefined) throw bad(`dynamic section has DT_NEEDED/DT_SONAME/DT_RPATH entries but no DT_STRTAB`, dyn.offset);
  const strOffset = vaddrToOffset(segments, strtab, dyn.offset);
  const strsz = tags.find(([t]) => t === DT_STRSZ)?.[1] ?? bytes.length - strOffset;
  const strEnd = Math.min(bytes.length, strOffset + strsz);
  for (const [tag, value] of wanted) {
    if (value >= strEnd - strOffset) throw bad(`dynamic string offset ${value} (tag ${tag}) is outside the string table (${strEnd - strOffset} bytes)`, dyn.offset);
    const s = readString(bytes, strOffset + value, strEnd, maxString, `dynamic tag ${tag}`);
    if (tag === DT_NEEDED) info.needed.push(s);
    else if (tag === DT_SONAME) info.soname = s;
    else if (tag === DT_RPATH) info.rpath = s;
    else info.runpath = s;
  }
}

/** Map a virtual address to a file offset through the PT_LOAD segment that holds it. */
function vaddrToOffset(segments: Segment[], vaddr: number, errAt: number): number {
  for (const s of segments) {
    if (s.type === PT_LOAD && vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
  }
  throw bad(`DT_STRTAB address 0x${vaddr.toString(16)} is not inside any PT_LOAD segment`, errAt);
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Read a NUL-terminated string at `start`, ending before `end`, at most `max` bytes. */
function readString(bytes: Uint8Array, start: number, end: number, max: number, what: string): string {
  const limit = Math.min(end, bytes.length, start + max);
  const nul = bytes.subarray(start, limit).indexOf(0);
  if (nul < 0) throw bad(`${what} string is not NUL-terminated within ${Math.min(max, Math.max(0, end - start))} bytes`, start);
  return utf8.decode(bytes.subarray(start, start + nul));
}

function hexBytes(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('') || '(empty)';
}
