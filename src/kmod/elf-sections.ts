/**
 * Section headers of an ELF relocatable object (a kernel module `.ko`), after
 * the System V ABI "ELF gABI" chapter 4 (ELF header, section header table,
 * string tables, symbol table). Both classes (ELF32/ELF64) and both byte
 * orders are read; nothing else of the file is interpreted here.
 *
 * Every offset and size read from the file is checked against the input
 * length before use: a hostile `.ko` (e.g. from an untrusted vendor package)
 * must end in MODULE_BAD_ELF naming the offset, never in a RangeError or in a
 * read outside the buffer.
 */
import { RemasterError } from '../errors.ts';

/** ELF identification magic "\x7fELF" (gABI e_ident[EI_MAG0..3]). */
export const ELF_MAGIC = Uint8Array.of(0x7f, 0x45, 0x4c, 0x46);
/** Section index meaning "undefined" in st_shndx (gABI SHN_UNDEF). */
export const SHN_UNDEF = 0;

/** One section header, with its name resolved through e_shstrndx. */
export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** The decoded file header and section table. */
export interface ElfFile {
  bytes: Uint8Array;
  is64: boolean;
  isLittleEndian: boolean;
  /** e_type (1 = ET_REL for modules). */
  type: number;
  /** e_machine (62 = x86-64, 183 = AArch64, ...). */
  machine: number;
  sections: ElfSection[];
  view: DataView;
}

function bad(detail: string, offset: number): RemasterError {
  return new RemasterError('MODULE_BAD_ELF', detail, { offset });
}

/** Read an unsigned field of `width` bytes (1, 2, 4 or 8) at `off`; 8-byte values must fit a safe integer. */
export function readUint(elf: Pick<ElfFile, 'view' | 'isLittleEndian'>, off: number, width: number): number {
  const { view, isLittleEndian: le } = elf;
  if (off < 0 || off + width > view.byteLength) throw bad(`field of ${width} bytes at 0x${off.toString(16)} lies past the end of the file (${view.byteLength} bytes)`, off);
  if (width === 1) return view.getUint8(off);
  if (width === 2) return view.getUint16(off, le);
  if (width === 4) return view.getUint32(off, le);
  const big = view.getBigUint64(off, le);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`64-bit field 0x${big.toString(16)} at 0x${off.toString(16)} is too large`, off);
  return Number(big);
}

/** Return the NUL-terminated string at `off`, bounded by `end`. */
export function readCString(bytes: Uint8Array, off: number, end: number = bytes.length): string {
  if (off < 0 || off >= end) throw bad(`string offset 0x${off.toString(16)} lies outside its table (ends at 0x${end.toString(16)})`, off);
  let stop = bytes.indexOf(0, off);
  if (stop < 0 || stop > end) stop = end;
  if (stop === end) throw bad(`string at 0x${off.toString(16)} is not NUL-terminated`, off);
  return latin1(bytes, off, stop);
}

/** Decode bytes as Latin-1 (one char per byte, as C code sees them). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 8192) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  let s = '';
  for (let i = start; i < end; i += 8192) s += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
  return s;
}

function decodeIdent(bytes: Uint8Array): { is64: boolean; isLittleEndian: boolean } {
  if (bytes.length < 16 || !ELF_MAGIC.every((b, i) => bytes[i] === b)) {
    const seen = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw bad(`not an ELF file: magic ${seen || '(empty)'}, expected 7f 45 4c 46`, 0);
  }
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw bad(`unknown EI_CLASS ${cls}, expected 1 (ELF32) or 2 (ELF64)`, 4);
  if (data !== 1 && data !== 2) throw bad(`unknown EI_DATA ${data}, expected 1 (LSB) or 2 (MSB)`, 5);
  return { is64: cls === 2, isLittleEndian: data === 1 };
}

/** Decode the ELF header and section header table of `bytes`. */
export function decodeElfSections(bytes: Uint8Array): ElfFile {
  const ident = decodeIdent(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elf: ElfFile = { bytes, ...ident, type: 0, machine: 0, sections: [], view };
  const w = ident.is64 ? 8 : 4;
  elf.type = readUint(elf, 16, 2);
  elf.machine = readUint(elf, 18, 2);
  const shoff = readUint(elf, ident.is64 ? 40 : 32, w);
  const hdr = ident.is64 ? 58 : 46;
  const shentsize = readUint(elf, hdr, 2);
  const shnum = readUint(elf, hdr + 2, 2);
  const shstrndx = readUint(elf, hdr + 4, 2);
  const want = ident.is64 ? 64 : 40;
  if (shnum === 0) throw bad('the file has no section headers (e_shnum = 0)', hdr + 2);
  if (shentsize !== want) throw bad(`e_shentsize ${shentsize}, expected ${want}`, hdr);
  if (shoff + shnum * shentsize > bytes.length) throw bad(`section header table (${shnum} x ${shentsize} bytes at 0x${shoff.toString(16)}) lies past the end of the file (${bytes.length} bytes)`, ident.is64 ? 40 : 32);
  if (shstrndx >= shnum) throw bad(`e_shstrndx ${shstrndx} is not below e_shnum ${shnum}`, hdr + 4);
  const raw = Array.from({ length: shnum }, (_, i) => decodeSectionHeader(elf, shoff + i * shentsize, i));
  const names = raw[shstrndx] as ElfSection;
  for (const s of raw) s.name = s.index === 0 ? '' : readCString(bytes, names.offset + s.nameOffset, names.offset + names.size);
  elf.sections = raw;
  return elf;
}

interface RawSection extends ElfSection {
  nameOffset: number;
}

function decodeSectionHeader(elf: ElfFile, at: number, index: number): RawSection {
  const w = elf.is64 ? 8 : 4;
  const f = elf.is64
    ? { type: 4, flags: 8, offset: 24, size: 32, link: 40, entsize: 56 }
    : { type: 4, flags: 8, offset: 16, size: 20, link: 24, entsize: 36 };
  const s: RawSection = {
    index,
    name: '',
    nameOffset: readUint(elf, at, 4),
    type: readUint(elf, at + f.type, 4),
    flags: BigInt(readUint(elf, at + f.flags, w)),
    offset: readUint(elf, at + f.offset, w),
    size: readUint(elf, at + f.size, w),
    link: readUint(elf, at + f.link, 4),
    entsize: readUint(elf, at + f.entsize, w),
  };
  // SHT_NOBITS (8, .bss) occupies no file bytes; everything else must fit.
  if (s.type !== 8 && index !== 0 && s.offset + s.size > elf.bytes.length) {
    throw bad(`section ${index} (${s.size} bytes at 0x${s.offset.toString(16)}) lies past the end of the file (${elf.bytes.length} bytes)`, at + f.offset);
  }
  return s;
}

/** Return the first section called `name` (kmod_elf_get_section semantics), or undefined. */
export function findSection(elf: ElfFile, name: string): ElfSection | undefined {
  return elf.sections.find((s) => s.index !== 0 && s.name === name);
}

/** Return the bytes of a section (empty for SHT_NOBITS). */
export function sectionBytes(elf: ElfFile, s: ElfSection): Uint8Array {
  return s.type === 8 ? new Uint8Array(0) : elf.bytes.subarray(s.offset, s.offset + s.size);
}
