/**
 * decodeModuleInfo on hand-built relocatable objects of every ELF class and
 * byte order (gABI layouts: Elf32/Elf64 Ehdr, Shdr, Sym), covering what real
 * x86-64 modules cannot: ELF32 and big-endian files.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeModuleInfo } from '../../../src/kmod/index.ts';

const enc = (s: string) => new TextEncoder().encode(s);

interface Section {
  name: string;
  type: number;
  data: Uint8Array;
}

/** Lay out an ELF relocatable with the given sections (after the null section) and a trailing section header table. */
function buildElf(is64: boolean, le: boolean, sections: Section[]): Uint8Array {
  const all = [{ name: '', type: 0, data: new Uint8Array(0) }, ...sections, { name: '.shstrtab', type: 3, data: new Uint8Array(0) }];
  const names = all.map((s) => s.name);
  const shstr = enc(`\0${names.slice(1).join('\0')}\0`);
  (all[all.length - 1] as Section).data = shstr;
  const ehsize = is64 ? 64 : 52;
  const shentsize = is64 ? 64 : 40;
  const offsets: number[] = [];
  let at = ehsize;
  for (const s of all) {
    offsets.push(at);
    at += s.data.length;
  }
  const shoff = (at + 7) & ~7;
  const out = new Uint8Array(shoff + all.length * shentsize);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1]);
  v.setUint16(16, 1, le);
  v.setUint16(18, is64 ? 183 : 40, le);
  if (is64) v.setBigUint64(40, BigInt(shoff), le);
  else v.setUint32(32, shoff, le);
  const hdr = is64 ? 58 : 46;
  v.setUint16(hdr, shentsize, le);
  v.setUint16(hdr + 2, all.length, le);
  v.setUint16(hdr + 4, all.length - 1, le);
  let nameOff = 1;
  all.forEach((s, i) => {
    out.set(s.data, offsets[i] as number);
    const sh = shoff + i * shentsize;
    v.setUint32(sh, i === 0 ? 0 : nameOff, le);
    if (i > 0) nameOff += s.name.length + 1;
    v.setUint32(sh + 4, s.type, le);
    if (is64) {
      v.setBigUint64(sh + 24, BigInt(offsets[i] as number), le);
      v.setBigUint64(sh + 32, BigInt(s.data.length), le);
    } else {
      v.setUint32(sh + 16, offsets[i] as number, le);
      v.setUint32(sh + 20, s.data.length, le);
    }
  });
  return out;
}

/** Build a .symtab: the null symbol, then (name offset, shndx, bind) entries. */
function symtab(is64: boolean, le: boolean, syms: Array<[nameOff: number, shndx: number, bind: number]>): Uint8Array {
  const size = is64 ? 24 : 16;
  const out = new Uint8Array(size * (syms.length + 1));
  const v = new DataView(out.buffer);
  syms.forEach(([name, shndx, bind], i) => {
    const at = (i + 1) * size;
    v.setUint32(at, name, le);
    out[at + (is64 ? 4 : 12)] = bind << 4;
    v.setUint16(at + (is64 ? 6 : 14), shndx, le);
  });
  return out;
}

for (const is64 of [false, true]) {
  for (const le of [true, false]) {
    test(`decodes an ELF${is64 ? 64 : 32} ${le ? 'little' : 'big'}-endian module`, () => {
      // .strtab: "\0ext_fn\0weak_fn\0local\0"
      const strtab = enc('\0ext_fn\0weak_fn\0local\0');
      const bytes = buildElf(is64, le, [
        { name: '.modinfo', type: 1, data: enc('\0\0license=GPL\0alias=foo-bar\0depends=a,b\0vermagic=6.9.0 SMP mod_unload \0name=tiny\0\0') },
        { name: '.strtab', type: 3, data: strtab },
        { name: '.symtab', type: 2, data: symtab(is64, le, [[1, 0, 1], [8, 0, 2], [16, 1, 0]]) },
        { name: '__ksymtab_strings', type: 1, data: enc('tiny_export\0\0NS\0') },
        { name: '.gnu.linkonce.this_module', type: 1, data: new Uint8Array(16) },
      ]);
      const info = decodeModuleInfo(bytes);
      assert.deepEqual(info.elf, { is64, isLittleEndian: le, machine: is64 ? 183 : 40, type: 1 });
      assert.equal(info.name, 'tiny');
      assert.equal(info.vermagic, '6.9.0 SMP mod_unload ');
      assert.deepEqual(info.depends, ['a', 'b']);
      assert.deepEqual(info.aliases, ['foo-bar']);
      assert.deepEqual(info.exports, ['tiny_export', 'NS'], 'no __crc_ symbols: __ksymtab_strings, namespaces included, as kmod reads it');
      assert.deepEqual(info.dependencySymbols, [
        { name: 'ext_fn', isWeak: false },
        { name: 'weak_fn', isWeak: true },
      ]);
      assert.equal(info.hasThisModule, true);
      assert.equal(info.hasVersions, false);
      assert.equal(info.signature, undefined);
    });
  }
}
