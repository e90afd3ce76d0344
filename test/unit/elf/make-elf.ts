/**
 * Build tiny ELF objects in code: an ELF header, PT_LOAD covering the whole
 * file, optional PT_INTERP, and PT_DYNAMIC with a string table. Enough for
 * decodeElf and the closure walk; hostile variants patch the returned bytes.
 */

export interface MakeElfSpec {
  class?: 32 | 64;
  endian?: 'little' | 'big';
  machine?: number;
  type?: number;
  interpreter?: string;
  needed?: string[];
  soname?: string;
  runpath?: string;
  rpath?: string;
}

export const VADDR = 0x400000;

/** Layout offsets of the made object, for tests that corrupt it. */
export interface MadeElf {
  bytes: Uint8Array;
  phoff: number;
  dynOffset: number;
  strOffset: number;
}

/** Build an ELF object from `spec`. */
export function makeElf(spec: MakeElfSpec = {}): MadeElf {
  const is64 = (spec.class ?? 64) === 64;
  const le = (spec.endian ?? 'little') === 'little';
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const strings: number[] = [0];
  const str = (s: string): number => {
    const at = strings.length;
    strings.push(...new TextEncoder().encode(s), 0);
    return at;
  };
  const dyn: [number, number][] = [];
  for (const n of spec.needed ?? []) dyn.push([1, str(n)]);
  if (spec.soname !== undefined) dyn.push([14, str(spec.soname)]);
  if (spec.rpath !== undefined) dyn.push([15, str(spec.rpath)]);
  if (spec.runpath !== undefined) dyn.push([29, str(spec.runpath)]);
  const interp = spec.interpreter !== undefined ? [...new TextEncoder().encode(spec.interpreter), 0] : undefined;
  const phnum = 2 + (interp ? 1 : 0);
  const phoff = ehsize;
  const interpOffset = phoff + phnum * phentsize;
  const strOffset = interpOffset + (interp?.length ?? 0);
  const dynOffset = strOffset + strings.length + ((8 - ((strOffset + strings.length) % 8)) % 8);
  dyn.push([5, VADDR + strOffset], [10, strings.length], [0, 0]);
  const entSize = is64 ? 16 : 8;
  const total = dynOffset + dyn.length * entSize;
  const bytes = new Uint8Array(total);
  const v = new DataView(bytes.buffer);
  const addr = (at: number, n: number): void => (is64 ? v.setBigUint64(at, BigInt(n), le) : v.setUint32(at, n, le));
  bytes.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1, 0]);
  v.setUint16(16, spec.type ?? 3, le);
  v.setUint16(18, spec.machine ?? 62, le);
  addr(is64 ? 32 : 28, phoff);
  v.setUint16(is64 ? 52 : 40, ehsize, le);
  v.setUint16(is64 ? 54 : 42, phentsize, le);
  v.setUint16(is64 ? 56 : 44, phnum, le);
  const ph = (i: number, type: number, offset: number, size: number): void => {
    const at = phoff + i * phentsize;
    v.setUint32(at, type, le);
    addr(at + (is64 ? 8 : 4), offset);
    addr(at + (is64 ? 16 : 8), VADDR + offset);
    addr(at + (is64 ? 32 : 16), size);
    addr(at + (is64 ? 40 : 20), size);
  };
  let i = 0;
  if (interp) ph(i++, 3, interpOffset, interp.length);
  ph(i++, 1, 0, total);
  ph(i++, 2, dynOffset, dyn.length * entSize);
  if (interp) bytes.set(interp, interpOffset);
  bytes.set(strings, strOffset);
  dyn.forEach(([tag, val], k) => {
    const at = dynOffset + k * entSize;
    if (is64) {
      v.setBigInt64(at, BigInt(tag), le);
      v.setBigUint64(at + 8, BigInt(val), le);
    } else {
      v.setInt32(at, tag, le);
      v.setUint32(at + 4, val, le);
    }
  });
  return { bytes, phoff, dynOffset, strOffset };
}
