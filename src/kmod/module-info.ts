/**
 * What depmod and modprobe need from a kernel module: `.modinfo` key=value
 * strings, exported and undefined symbols, `__versions`, the
 * `.gnu.linkonce.this_module` section and the appended signature trailer.
 *
 * Symbol rules follow kmod's libkmod/libkmod-elf.c so that our depmod sees
 * exactly what kmod sees: exports are the `__crc_<sym>` symbols of `.symtab`
 * (modversions kernels), falling back to the strings of `__ksymtab_strings`
 * (which, on 5.4+ kernels, also holds namespace names, as kmod records them);
 * dependency symbols are the named SHN_UNDEF symbols of `.symtab` in table
 * order, then the `__versions` entries no undefined symbol matched
 * (module_layout). The signature trailer is torvalds/linux
 * include/linux/module_signature.h.
 */
import { RemasterError } from '../errors.ts';
import { decodeElfSections, findSection, latin1, readCString, readUint, sectionBytes, SHN_UNDEF, type ElfFile } from './elf-sections.ts';

/** Marker that ends a signed module (module_signature.h MODULE_SIG_STRING). */
export const MODULE_SIGNATURE_MARKER = '~Module signature appended~\n';
/** sizeof(struct module_signature): algo, hash, id_type, signer_len, key_id_len, pad[3], be32 sig_len. */
export const MODULE_SIGNATURE_INFO_SIZE = 12;
const STB_WEAK = 2;

/** An undefined symbol the module needs. */
export interface ModuleSymbolRef {
  name: string;
  isWeak: boolean;
}

/** The appended signature, when present. */
export interface ModuleSignature {
  /** id_type: 2 = PKCS#7. */
  idType: number;
  /** Length of the signature blob before the info block. */
  length: number;
  /** Offset where the signature blob starts (= length of the unsigned module). */
  offset: number;
}

/** A decoded kernel module. */
export interface ModuleInfo {
  /** `.modinfo` entries in file order, as [key, value] (a string without '=' has value ''). */
  modinfo: Array<[key: string, value: string]>;
  /** modinfo `name=`, if present (the file name decides the module name for depmod). */
  name: string | undefined;
  vermagic: string | undefined;
  /** modinfo `depends=`, split on commas. */
  depends: string[];
  aliases: string[];
  softdeps: string[];
  weakdeps: string[];
  firmware: string[];
  license: string | undefined;
  srcversion: string | undefined;
  isIntree: boolean;
  hasRetpoline: boolean;
  /** Exported symbols as kmod reads them (see the header comment). */
  exports: string[];
  /** Symbols the module needs, as kmod reads them (undefined symbols, then unmatched __versions). */
  dependencySymbols: ModuleSymbolRef[];
  hasVersions: boolean;
  hasThisModule: boolean;
  signature: ModuleSignature | undefined;
  elf: { is64: boolean; isLittleEndian: boolean; machine: number; type: number };
}

/** Find the signature trailer; it sits after the ELF data and is not covered by section headers. */
export function decodeModuleSignature(bytes: Uint8Array): ModuleSignature | undefined {
  const marker = MODULE_SIGNATURE_MARKER.length;
  const n = bytes.length;
  if (n < marker + MODULE_SIGNATURE_INFO_SIZE) return undefined;
  if (latin1(bytes, n - marker, n) !== MODULE_SIGNATURE_MARKER) return undefined;
  const info = n - marker - MODULE_SIGNATURE_INFO_SIZE;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(info + 8, false);
  if (length > info) throw new RemasterError('MODULE_BAD_ELF', `module signature of ${length} bytes is longer than the module (${info} bytes)`, { offset: info + 8 });
  return { idType: bytes[info + 2] as number, length, offset: info - length };
}

/** Split a NUL-separated string table, skipping empty strings (kmod_elf_get_strings). */
export function splitStrings(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0) {
      if (i > start) out.push(latin1(bytes, start, i));
      start = i + 1;
    }
  }
  return out;
}

function parseModinfo(strings: string[]): Array<[string, string]> {
  return strings.map((s) => {
    const eq = s.indexOf('=');
    return eq < 0 ? [s, ''] : [s.slice(0, eq), s.slice(eq + 1)];
  });
}

interface SymbolEntry {
  name: string;
  shndx: number;
  bind: number;
}

function readSymbols(elf: ElfFile): SymbolEntry[] {
  const symtab = findSection(elf, '.symtab');
  const strtab = findSection(elf, '.strtab');
  if (!symtab || !strtab) return [];
  const size = elf.is64 ? 24 : 16;
  const [infoAt, shndxAt] = elf.is64 ? [4, 6] : [12, 14];
  if (symtab.size % size !== 0) throw new RemasterError('MODULE_BAD_ELF', `.symtab is ${symtab.size} bytes, not a multiple of ${size}`, { offset: symtab.offset });
  const out: SymbolEntry[] = [];
  const strEnd = strtab.offset + strtab.size;
  for (let at = symtab.offset + size; at < symtab.offset + symtab.size; at += size) {
    const nameOff = readUint(elf, at, 4);
    if (nameOff >= strtab.size) throw new RemasterError('MODULE_BAD_ELF', `symbol name offset ${nameOff} lies outside .strtab (${strtab.size} bytes)`, { offset: at });
    const name = readCString(elf.bytes, strtab.offset + nameOff, strEnd);
    out.push({ name, shndx: readUint(elf, at + shndxAt, 2), bind: readUint(elf, at + infoAt, 1) >> 4 });
  }
  return out;
}

function exportedSymbols(elf: ElfFile, symbols: SymbolEntry[]): string[] {
  const crcs = symbols.filter((s) => s.name.startsWith('__crc_')).map((s) => s.name.slice(6));
  if (crcs.length > 0) return crcs;
  const strings = findSection(elf, '__ksymtab_strings');
  return strings ? splitStrings(sectionBytes(elf, strings)) : [];
}

function versionNames(elf: ElfFile): string[] | undefined {
  const s = findSection(elf, '__versions');
  if (!s) return undefined;
  const entry = 64; // struct modversion_info: unsigned long crc; char name[64 - sizeof(long)]
  const crc = elf.is64 ? 8 : 4;
  if (s.size % entry !== 0) return [];
  const bytes = sectionBytes(elf, s);
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += entry) {
    let end = at + crc;
    while (end < at + entry && bytes[end] !== 0) end++;
    out.push(latin1(bytes, at + crc, end));
  }
  return out;
}

function dependencySymbols(symbols: SymbolEntry[], versions: string[] | undefined): ModuleSymbolRef[] {
  const undef = symbols.filter((s) => s.shndx === SHN_UNDEF && s.name !== '');
  const refs = undef.map((s) => ({ name: s.name, isWeak: s.bind === STB_WEAK }));
  if (!versions) return refs;
  const seen = new Set<number>();
  for (const s of undef) {
    const i = versions.indexOf(s.name);
    if (i >= 0) seen.add(i);
  }
  versions.forEach((name, i) => {
    if (!seen.has(i)) refs.push({ name, isWeak: false });
  });
  return refs;
}

/** Decode a module from its uncompressed ELF bytes. */
export function decodeModuleInfo(bytes: Uint8Array): ModuleInfo {
  const elf = decodeElfSections(bytes);
  const modinfoSection = findSection(elf, '.modinfo');
  const modinfo = modinfoSection ? parseModinfo(splitStrings(sectionBytes(elf, modinfoSection))) : [];
  const all = (key: string) => modinfo.filter(([k]) => k === key).map(([, v]) => v);
  const first = (key: string) => all(key)[0];
  const symbols = readSymbols(elf);
  const versions = versionNames(elf);
  return {
    modinfo,
    name: first('name'),
    vermagic: first('vermagic'),
    depends: (first('depends') ?? '').split(',').filter((d) => d !== ''),
    aliases: all('alias'),
    softdeps: all('softdep'),
    weakdeps: all('weakdep'),
    firmware: all('firmware'),
    license: first('license'),
    srcversion: first('srcversion'),
    isIntree: first('intree') === 'Y',
    hasRetpoline: first('retpoline') === 'Y',
    exports: exportedSymbols(elf, symbols),
    dependencySymbols: dependencySymbols(symbols, versions),
    hasVersions: versions !== undefined,
    hasThisModule: findSection(elf, '.gnu.linkonce.this_module') !== undefined,
    signature: decodeModuleSignature(bytes),
    elf: { is64: elf.is64, isLittleEndian: elf.isLittleEndian, machine: elf.machine, type: elf.type },
  };
}
